/** Test helpers that answer quiz questions, as a learner's browser would post them. */
import type { Question } from '../../src/lib/content/schema.ts';
import { openCheckToken } from '../../src/server/learning/check-token.ts';
import { askedFromLayout, fieldName, type AskedQuestion, type FormEntries } from '../../src/server/learning/quiz.ts';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { getCatalog } from '../../src/server/content/catalog.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { markLessonDone, startFinalQuiz, submitFinalQuiz } from '../../src/server/learning/learning.ts';

/**
 * Form fields that answer `q` correctly when it is shown at position `index` (field q<index+1>)
 * with its choices in `order` (display keys are positions).
 */
export function correctFields(q: Question, order: string[], index: number): [string, string][] {
  const name = fieldName(index);
  switch (q.type) {
    case 'single':
      return [[name, String(order.indexOf(q.answer))]];
    case 'truefalse':
      return [[name, String(order.indexOf(String(q.answer)))]];
    case 'multiple':
      return q.answer.map((a) => [name, String(order.indexOf(a))]);
    case 'order':
      return order.map((id, k) => [`${name}-${k}`, String(q.steps.findIndex((s) => s.id === id) + 1)]);
  }
}

/** Name/value pairs as the server receives a form: every value of every field name. */
export function formOf(pairs: [string, string][]): FormEntries {
  const m: FormEntries = new Map();
  for (const [k, v] of pairs) m.set(k, [...(m.get(k) ?? []), v]);
  return m;
}

/** The questions as a check token's learner saw them (the test process shares the server's FORM_SECRET). */
export async function askedByToken(questions: Question[], token: string): Promise<AskedQuestion[]> {
  const claims = await openCheckToken(token);
  if (!claims) throw new Error('token does not open');
  return askedFromLayout(questions, claims)!;
}

/** A lesson-check form answered correctly (or left blank) under the layout its token carries. */
export async function checkAnswers(questions: Question[], token: string, right = true): Promise<FormEntries> {
  const asked = await askedByToken(questions, token);
  return formOf(right ? asked.flatMap((a, i) => correctFields(a.q, a.order, i)) : []);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" };
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e: string) => ENTITIES[e]!);

/**
 * Fields that answer every question of a rendered quiz page correctly, read from its HTML the way a
 * learner reads it: each question found by its prompt, each choice by its text.
 */
export function correctFieldsFromHtml(html: string, pool: Question[]): [string, string][] {
  const out: [string, string][] = [];
  for (const m of html.matchAll(/<fieldset[\s\S]*?<\/fieldset>/g)) {
    const fs = m[0];
    const legend = unescape(/<legend[^>]*>Câu \d+\.\s*([\s\S]*?)<\/legend>/.exec(fs)![1]!).trim();
    const q = pool.find((x) => x.prompt.trim() === legend);
    if (!q) throw new Error(`question not in pool: ${legend}`);
    if (q.type === 'order') {
      for (const s of fs.matchAll(/<select name="([^"]+)"[\s\S]*?<\/select>\s*<label[^>]*>([\s\S]*?)<\/label>/g)) {
        const text = unescape(s[2]!).trim();
        out.push([s[1]!, String(q.steps.findIndex((x) => x.text === text) + 1)]);
      }
      continue;
    }
    const want =
      q.type === 'truefalse' ? [q.answer ? 'Đúng' : 'Sai'] : q.options.filter((o) => (q.type === 'single' ? o.id === q.answer : q.answer.includes(o.id))).map((o) => o.text);
    for (const c of fs.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>\s*<span>([\s\S]*?)<\/span>/g)) {
      if (want.includes(unescape(c[3]!).trim())) out.push([c[1]!, c[2]!]);
    }
  }
  return out;
}

/** Completes a course's citizen edition the real way (every lesson, then a passed final quiz). */
export async function completeCitizenCourse(db: Kysely<Database>, userId: string, slug: string): Promise<void> {
  const course = getCatalog().bySlug.get(slug)!;
  for (const l of course.editions.citizen!.lessons) await markLessonDone(db, { userId }, { course: slug, edition: 'citizen', lessonId: l.id }, `c-${randomUUID()}`);
  const quiz = await startFinalQuiz(db, userId, slug, 'citizen');
  const attempt = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
  const entries: FormEntries = new Map();
  for (const [k, v] of attempt.questions.flatMap((d, i) => correctFields(course.questions.get(d.id)!, d.order, i))) entries.set(k, [...(entries.get(k) ?? []), v]);
  await submitFinalQuiz(db, userId, quiz.attemptId, entries, `c-${randomUUID()}`);
}
