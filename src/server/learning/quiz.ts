/**
 * Quiz rules without I/O: what a question looks like in the browser (no keys, no explanations),
 * parsing of submitted forms (tampering is an error), grading, and drawing per attempt.
 */
import { randomInt } from 'node:crypto';
import { sha256 } from '@oslojs/crypto/sha2';
import type { Question } from '../../lib/content/schema.ts';
import type { DrawnQuestion, StoredResult } from '../db/schema.ts';

/** What the browser may see of a question before it is answered. */
export interface PublicQuestion {
  id: string;
  type: Question['type'];
  prompt: string;
  message?: Question['message'];
  /** Choices in display order; `key` is the display position, never the authored id. */
  choices: { key: string; text: string }[];
}

/** A normalised answer: option id(s), a boolean, step ids in the learner's order, or null (blank). */
export type Answer = string | string[] | boolean | null;

/** A submitted form did not match the questions asked (a client cannot produce this honestly). */
export class TamperedSubmissionError extends Error {}

/** Authored ids of a question's choices (options or steps). */
export function choiceIds(q: Question): string[] {
  if (q.type === 'truefalse') return ['true', 'false'];
  return q.type === 'order' ? q.steps.map((s) => s.id) : q.options.map((o) => o.id);
}

function seededRandom(seed: string): () => number {
  const bytes = sha256(new TextEncoder().encode(seed));
  let a = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], rand: (n: number) => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rand(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Never shows ordering steps in their correct order (that would give the answer away). */
function notIdentity(order: string[], authored: string[]): string[] {
  return order.every((id, i) => id === authored[i]) ? [...order.slice(1), order[0]!] : order;
}

/**
 * Display order for a lesson check: authored order, except ordering steps which are shuffled
 * deterministically (the page is prerendered, and the grader must see the same order).
 */
export function checkOrder(q: Question): string[] {
  const ids = choiceIds(q);
  if (q.type !== 'order') return ids;
  const r = seededRandom(`check:${q.id}`);
  return notIdentity(
    shuffle(ids, (n) => Math.floor(r() * n)),
    ids,
  );
}

/** Random display order for a final-quiz attempt (options and steps shuffled). */
export function randomOrder(q: Question): string[] {
  const ids = choiceIds(q);
  if (q.type === 'truefalse') return ids;
  const order = shuffle(ids, randomInt);
  return q.type === 'order' ? notIdentity(order, ids) : order;
}

/** Draws `count` questions from a pool at random, each with its display order. */
export function drawQuestions(pool: Question[], count: number): DrawnQuestion[] {
  return shuffle(pool, randomInt)
    .slice(0, count)
    .map((q) => ({ id: q.id, order: randomOrder(q) }));
}

/** The public view of a question in a given display order. */
export function presentQuestion(q: Question, order: string[]): PublicQuestion {
  const text = new Map<string, string>(
    q.type === 'truefalse'
      ? [
          ['true', 'Đúng'],
          ['false', 'Sai'],
        ]
      : (q.type === 'order' ? q.steps : q.options).map((o) => [o.id, o.text]),
  );
  return {
    id: q.id,
    type: q.type,
    prompt: q.prompt,
    ...(q.message ? { message: q.message } : {}),
    choices: order.map((id, i) => ({ key: String(i), text: text.get(id) ?? '' })),
  };
}

/** Form entries as received: every value of every field name. */
export type FormEntries = Map<string, string[]>;

/** Collects a FormData into name → values, refusing files. */
export function formEntries(form: FormData): FormEntries {
  const out: FormEntries = new Map();
  for (const [k, v] of form.entries()) {
    if (typeof v !== 'string') throw new TamperedSubmissionError('Biểu mẫu không nhận tệp đính kèm.');
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}

const FIELD = /^q-([a-z0-9-]+?)(?:--(\d+))?$/;

/**
 * Parses the answers for the given questions shown in the given orders. Blank answers are allowed
 * (null). Answers to questions not asked, repeated single answers, unknown choices or malformed
 * positions throw TamperedSubmissionError.
 */
export function parseAnswers(entries: FormEntries, asked: { q: Question; order: string[] }[]): Map<string, Answer> {
  const byId = new Map(asked.map((a) => [a.q.id, a]));
  const raw = new Map<string, { plain: string[]; positions: Map<number, string> }>();
  for (const [name, values] of entries) {
    if (!name.startsWith('q-')) continue;
    const m = FIELD.exec(name);
    const qid = m?.[1];
    if (!m || !qid || !byId.has(qid)) throw new TamperedSubmissionError('Có câu trả lời cho câu hỏi không có trong bài.');
    const slot = raw.get(qid) ?? { plain: [], positions: new Map<number, string>() };
    raw.set(qid, slot);
    if (m[2] === undefined) slot.plain.push(...values);
    else {
      if (values.length !== 1) throw new TamperedSubmissionError('Một bước được gửi nhiều lần.');
      slot.positions.set(Number(m[2]), values[0]!);
    }
  }

  const answers = new Map<string, Answer>();
  for (const { q, order } of asked) {
    const slot = raw.get(q.id);
    const keyToId = (key: string): string => {
      if (!/^\d{1,2}$/.test(key) || Number(key) >= order.length) throw new TamperedSubmissionError('Có phương án trả lời không hợp lệ.');
      return order[Number(key)]!;
    };
    if (!slot) {
      answers.set(q.id, null);
      continue;
    }
    if (q.type === 'order') {
      if (slot.plain.length) throw new TamperedSubmissionError('Câu sắp xếp được gửi sai dạng.');
      const chosen: (string | null)[] = order.map(() => null);
      for (const [key, pos] of slot.positions) {
        const id = keyToId(String(key));
        if (pos === '') continue;
        if (!/^\d{1,2}$/.test(pos) || Number(pos) < 1 || Number(pos) > order.length) {
          throw new TamperedSubmissionError('Có thứ tự bước không hợp lệ.');
        }
        chosen[order.indexOf(id)] = pos;
      }
      if (chosen.every((p) => p === null)) {
        answers.set(q.id, null);
        continue;
      }
      // The learner's sequence: steps sorted by the position they picked; an unplaced step or two
      // steps in one position make the answer wrong, not invalid.
      const complete = chosen.every((p) => p !== null) && new Set(chosen).size === chosen.length;
      const seq = complete
        ? order.map((id, i) => ({ id, pos: Number(chosen[i]) })).sort((a, b) => a.pos - b.pos).map((x) => x.id)
        : [];
      answers.set(q.id, seq);
      continue;
    }
    if (slot.positions.size) throw new TamperedSubmissionError('Câu hỏi được gửi sai dạng.');
    const values = slot.plain.filter((v) => v !== '');
    if (q.type === 'multiple') {
      if (new Set(values).size !== values.length) throw new TamperedSubmissionError('Một phương án được gửi nhiều lần.');
      answers.set(q.id, values.length ? values.map(keyToId).sort() : null);
      continue;
    }
    if (values.length > 1) throw new TamperedSubmissionError('Câu hỏi một lựa chọn nhận nhiều hơn một câu trả lời.');
    if (values.length === 0) {
      answers.set(q.id, null);
      continue;
    }
    const id = keyToId(values[0]!);
    answers.set(q.id, q.type === 'truefalse' ? id === 'true' : id);
  }
  return answers;
}

/** Whether an answer is correct. Blank is wrong. */
export function isCorrect(q: Question, a: Answer): boolean {
  if (a === null) return false;
  switch (q.type) {
    case 'single':
      return a === q.answer;
    case 'truefalse':
      return a === q.answer;
    case 'multiple': {
      const want = [...q.answer].sort();
      return Array.isArray(a) && a.length === want.length && a.every((x, i) => x === want[i]);
    }
    case 'order':
      return Array.isArray(a) && a.length === q.steps.length && a.every((x, i) => x === q.steps[i]!.id);
  }
}

/** Grades answers question by question. */
export function grade(asked: Question[], answers: Map<string, Answer>): StoredResult[] {
  return asked.map((q) => {
    const a = answers.get(q.id) ?? null;
    return { questionId: q.id, correct: isCorrect(q, a), answered: a !== null };
  });
}

/** A lesson check is passed with at least two thirds of its questions right. */
export function checkPassed(results: StoredResult[]): boolean {
  const right = results.filter((r) => r.correct).length;
  return right >= Math.ceil((results.length * 2) / 3);
}

/** Score as a whole percentage. */
export function percent(score: number, total: number): number {
  return total === 0 ? 0 : Math.round((score * 100) / total);
}

/** The correct answer of a lesson-check question in words (lesson checks may reveal it after submission). */
export function correctAnswerText(q: Question): string {
  switch (q.type) {
    case 'single':
      return q.options.find((o) => o.id === q.answer)?.text ?? '';
    case 'multiple':
      return q.options.filter((o) => q.answer.includes(o.id)).map((o) => o.text).join('; ');
    case 'truefalse':
      return q.answer ? 'Đúng' : 'Sai';
    case 'order':
      return q.steps.map((s, i) => `${i + 1}. ${s.text}`).join(' → ');
  }
}
