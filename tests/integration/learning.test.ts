import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
process.env.FORM_SECRET = 'learning-test-form-secret-0123456789abcdef';
import { getCatalog } from '../../src/server/content/catalog.ts';
import type { Database } from '../../src/server/db/schema.ts';
import {
  claimGuestWork,
  editionProgress,
  LearningError,
  markLessonDone,
  openLessonCheck,
  StaleCheckError,
  startFinalQuiz,
  submitFinalQuiz,
  submitLessonCheck,
} from '../../src/server/learning/learning.ts';
import { openCheckToken, sealCheckToken } from '../../src/server/learning/check-token.ts';
import { createTestDb } from '../setup/db.ts';
import { askedByToken, checkAnswers, correctFields, formOf } from '../setup/answers.ts';

let db: Kysely<Database>;
let n = 0;
beforeAll(async () => {
  db = (await createTestDb()).db;
});

async function newUser(): Promise<string> {
  n++;
  const row = await db
    .insertInto('user')
    .values({ phone: `+8491300${String(n).padStart(4, '0')}`, display_name: `Người học ${n}`, password_hash: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const course = () => getCatalog().bySlug.get('khoa-thu-nghiem')!;


const form = formOf;

const ref = (lessonId: string, edition: 'citizen' | 'member' = 'citizen') => ({ course: 'khoa-thu-nghiem', edition, lessonId });
const lessonOf = (lessonId: string) => course().editions.member!.lessons.find((l) => l.id === lessonId)!;

/** Opens a lesson check as a learner's browser would, and answers it (right or blank). */
async function checkForm(lessonId: string, right = true, edition: 'citizen' | 'member' = 'citizen') {
  const { token } = await openLessonCheck(ref(lessonId, edition));
  return { token, entries: await checkAnswers(lessonOf(lessonId).check, token, right) };
}

async function submitCheck(who: Parameters<typeof submitLessonCheck>[1], lessonId: string, right = true, edition: 'citizen' | 'member' = 'citizen') {
  const { token, entries } = await checkForm(lessonId, right, edition);
  return submitLessonCheck(db, who, ref(lessonId, edition), token, entries, 'test-client');
}

const submissionCount = async () => Number((await db.selectFrom('lesson_submission').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

async function passFinal(userId: string, edition: 'citizen' | 'member') {
  const quiz = await startFinalQuiz(db, userId, 'khoa-thu-nghiem', edition);
  const attempt = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
  const pairs = attempt.questions.flatMap((d, i) => correctFields(course().questions.get(d.id)!, d.order, i));
  return { attemptId: quiz.attemptId, entries: form(pairs) };
}

describe('lesson checks and progress', () => {
  it('records a lesson when its check is passed, not when failed', async () => {
    const u = await newUser();
    const fail = await submitCheck({ userId: u }, 'bai-chung-mot', false);
    expect(fail.passed).toBe(false);
    expect((await editionProgress(db, u, course(), 'citizen')).done).toBe(0);
    const pass = await submitCheck({ userId: u }, 'bai-chung-mot');
    expect(pass.passed).toBe(true);
    expect((await editionProgress(db, u, course(), 'citizen')).done).toBe(1);
  });

  it('counts a shared lesson in every edition that has it', async () => {
    const u = await newUser();
    await markLessonDone(db, { userId: u }, { course: 'khoa-thu-nghiem', edition: 'citizen', lessonId: 'bai-chung-hai' }, 'test-client');
    expect((await editionProgress(db, u, course(), 'citizen')).completedLessons.has('bai-chung-hai')).toBe(true);
    expect((await editionProgress(db, u, course(), 'member')).completedLessons.has('bai-chung-hai')).toBe(true);
  });

  it('refuses unknown lessons and tampered answers with 4xx', async () => {
    const u = await newUser();
    await expect(markLessonDone(db, { userId: u }, { course: 'khoa-thu-nghiem', edition: 'citizen', lessonId: 'bai-thanh-vien' }, 'test-client')).rejects.toMatchObject({ status: 404 });
    await expect(markLessonDone(db, { userId: u }, { course: 'khong-co', edition: 'citizen', lessonId: 'x' }, 'test-client')).rejects.toBeInstanceOf(LearningError);
    const { token } = await checkForm('bai-chung-mot');
    // The check has two questions: q3 was never asked.
    await expect(submitLessonCheck(db, { userId: u }, ref('bai-chung-mot'), token, form([['q3', '0']]), 'test-client')).rejects.toMatchObject({ status: 400 });
  });

  it('keeps a guest’s answers and applies them at sign-in', async () => {
    const guest = 'a'.repeat(64);
    const r = await submitCheck({ guestTokenHash: guest }, 'bai-thanh-vien', true, 'member');
    expect(r.passed).toBe(true);
    await markLessonDone(db, { guestTokenHash: guest }, { course: 'khoa-thu-nghiem', edition: 'member', lessonId: 'bai-chung-mot' }, 'test-client');
    const u = await newUser();
    expect(await claimGuestWork(db, guest, u)).toBe(2);
    const p = await editionProgress(db, u, course(), 'member');
    expect([...p.completedLessons].sort()).toEqual(['bai-chung-mot', 'bai-thanh-vien']);
    expect(await claimGuestWork(db, guest, u)).toBe(0);
    const sub = await db.selectFrom('lesson_submission').selectAll().where('id', '=', r.submissionId).executeTakeFirstOrThrow();
    expect(sub.user_id).toBe(u);
  });
});

describe('final quiz and completion', () => {
  it('draws from the edition pool, stores every attempt, and completes the course only with all lessons', async () => {
    const u = await newUser();
    const quiz = await startFinalQuiz(db, u, 'khoa-thu-nghiem', 'citizen');
    expect(quiz.questions).toHaveLength(3);
    const drawn = await db.selectFrom('quiz_attempt').select('questions').where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
    expect(drawn.questions.map((d) => d.id)).not.toContain('f5'); // member-only question
    // Fields are named by position only; nothing authored reaches the page.
    expect(quiz.questions.map((q) => q.field)).toEqual(['q1', 'q2', 'q3']);
    expect(JSON.stringify(quiz.questions)).not.toMatch(/MKLEAK|mkleak/i);
    for (const d of drawn.questions) expect(JSON.stringify(quiz.questions)).not.toContain(`"${d.id}"`);
    // Opening the quiz again resumes the same attempt.
    expect((await startFinalQuiz(db, u, 'khoa-thu-nghiem', 'citizen')).attemptId).toBe(quiz.attemptId);

    // A blank attempt is allowed and fails.
    await submitFinalQuiz(db, u, quiz.attemptId, form([]), 'test-client');
    const blank = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
    expect(blank).toMatchObject({ score: 0, passed: false, total: 3 });
    expect(blank.questions).toHaveLength(3);

    const ok = await passFinal(u, 'citizen');
    await submitFinalQuiz(db, u, ok.attemptId, ok.entries, 'test-client');
    expect(await db.selectFrom('course_completion').selectAll().where('user_id', '=', u).execute()).toHaveLength(0);

    await markLessonDone(db, { userId: u }, { course: 'khoa-thu-nghiem', edition: 'citizen', lessonId: 'bai-chung-mot' }, 'test-client');
    await markLessonDone(db, { userId: u }, { course: 'khoa-thu-nghiem', edition: 'citizen', lessonId: 'bai-chung-hai' }, 'test-client');
    const done = await db.selectFrom('course_completion').selectAll().where('user_id', '=', u).execute();
    expect(done.map((d) => d.edition)).toEqual(['citizen']);
    expect((await editionProgress(db, u, course(), 'citizen')).percent).toBe(100);
    const attempts = await db.selectFrom('quiz_attempt').select(['passed']).where('user_id', '=', u).orderBy('started_at').execute();
    expect(attempts.map((a) => a.passed)).toEqual([false, true]);
  });

  it('refuses answers for questions not drawn, and another learner’s attempt', async () => {
    const u = await newUser();
    const other = await newUser();
    const quiz = await startFinalQuiz(db, u, 'khoa-thu-nghiem', 'member');
    const attempt = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
    const notDrawn = [...course().questions.keys()].find((id) => !attempt.questions.some((d) => d.id === id))!;
    expect(notDrawn).toBeTruthy();
    // A position beyond the draw, and a field named after a question id, are both refused.
    await expect(submitFinalQuiz(db, u, quiz.attemptId, form([[`q${attempt.questions.length + 1}`, '0']]), 'test-client')).rejects.toMatchObject({ status: 400 });
    await expect(submitFinalQuiz(db, u, quiz.attemptId, form([[`q-${notDrawn}`, '0']]), 'test-client')).rejects.toMatchObject({ status: 400 });
    await expect(submitFinalQuiz(db, other, quiz.attemptId, form([]), 'test-client')).rejects.toMatchObject({ status: 404 });
    // The web edge refuses malformed ids first; the domain's defensive check answers 404, never a database error.
    await expect(submitFinalQuiz(db, u, 'not-a-uuid', form([]), 'test-client')).rejects.toMatchObject({ status: 404 });
    // Nothing was saved by the refused submissions.
    const still = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
    expect(still.submitted_at).toBeNull();
  });

  it('never double-counts parallel submissions and completions', async () => {
    const u = await newUser();
    const lessons = ['bai-chung-mot', 'bai-chung-hai', 'bai-thanh-vien'];
    // Parallel lesson completions (twice each) racing with the quiz submission (three times).
    const ok = await passFinal(u, 'member');
    await Promise.all([
      ...lessons.flatMap((l) => [1, 2].map(() => markLessonDone(db, { userId: u }, { course: 'khoa-thu-nghiem', edition: 'member', lessonId: l }, 'test-client'))),
      ...[1, 2, 3].map(() => submitFinalQuiz(db, u, ok.attemptId, ok.entries, 'test-client')),
    ]);
    expect(await db.selectFrom('lesson_progress').selectAll().where('user_id', '=', u).execute()).toHaveLength(3);
    const completions = await db.selectFrom('course_completion').selectAll().where('user_id', '=', u).execute();
    expect(completions.map((c) => c.edition).sort()).toEqual(['member']);
    const attempts = await db.selectFrom('quiz_attempt').selectAll().where('user_id', '=', u).execute();
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.passed).toBe(true);
  });

  it('opens a single attempt under parallel starts', async () => {
    const u = await newUser();
    const ids = await Promise.all([1, 2, 3, 4].map(() => startFinalQuiz(db, u, 'khoa-thu-nghiem', 'citizen').then((q) => q.attemptId)));
    expect(new Set(ids).size).toBe(1);
  });
});

describe('lesson checks laid out per learner', () => {
  it('gives requests different orders, and grades right under every one of them', async () => {
    const u = await newUser();
    const lesson = lessonOf('bai-chung-mot');
    const layouts = new Set<string>();
    // 20 requests: the chance that all share one of this check's 20 layouts is 20^-19.
    for (let i = 0; i < 20; i++) {
      const { token, questions } = await openLessonCheck(ref('bai-chung-mot'));
      expect(questions.map((q) => q.field)).toEqual(['q1', 'q2']);
      const asked = await askedByToken(lesson.check, token);
      layouts.add(JSON.stringify(asked.map((a) => [a.q.id, a.order])));
      // The page shows the choices the token says, in that order.
      expect(questions.map((q) => q.choices.length)).toEqual(asked.map((a) => a.order.length));
      const r = await submitLessonCheck(db, { userId: u }, ref('bai-chung-mot'), token, await checkAnswers(lesson.check, token), 'test-client');
      expect(r.passed).toBe(true);
      const stored = await db.selectFrom('lesson_submission').selectAll().where('id', '=', r.submissionId).executeTakeFirstOrThrow();
      // Stored answers keep their meaning (authored ids), whatever the layout.
      expect(stored.answers).toEqual({ 'c1-single': 'mkleakoptb', 'c1-order': ['mkleakstepa', 'mkleakstepb', 'mkleakstepc'] });
      expect(stored.results.map((x) => x.correct)).toEqual([true, true]);
    }
    expect(layouts.size).toBeGreaterThan(1);
  });

  it('refuses tampered and foreign tokens with a 400 and stores nothing', async () => {
    const u = await newUser();
    const { token, entries } = await checkForm('bai-chung-mot');
    const before = await submissionCount();
    const parts = token.split('.');
    const flip = (p: string) => (p[0] === 'A' ? 'B' : 'A') + p.slice(1);
    const tampered = [
      [parts[0], parts[1], parts[2], flip(parts[3]!), parts[4]].join('.'), // ciphertext
      [parts[0], parts[1], flip(parts[2]!), parts[3], parts[4]].join('.'), // iv
      [parts[0], parts[1], parts[2], parts[3], flip(parts[4]!)].join('.'), // tag
      'not.a.token.at.all',
    ];
    const claims = (await openCheckToken(token))!;
    const foreign = [
      await sealCheckToken(claims, 'another-server-secret-0123456789abcdefgh'),
      (await checkForm('bai-chung-hai')).token, // another lesson
    ];
    for (const t of [...tampered, ...foreign]) {
      const err = await submitLessonCheck(db, { userId: u }, ref('bai-chung-mot'), t, entries, 'test-client').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LearningError);
      expect(err).toMatchObject({ status: 400, message: expect.stringMatching(/Phiếu bài kiểm tra không hợp lệ/) });
    }
    // A citizen token posted to the member edition of the same shared lesson is foreign too.
    await expect(submitLessonCheck(db, { userId: u }, ref('bai-chung-mot', 'member'), token, entries, 'test-client')).rejects.toMatchObject({ status: 400 });
    expect(await submissionCount()).toBe(before);
    expect((await editionProgress(db, u, course(), 'citizen')).done).toBe(0);
  });

  it('answers a token of an older content version, or a too old one, with a clear 409 and stores nothing', async () => {
    const u = await newUser();
    const { token, entries } = await checkForm('bai-chung-mot');
    const claims = (await openCheckToken(token))!;
    const before = await submissionCount();
    const old = await sealCheckToken({ ...claims, version: 'phien-ban-cu' });
    const stale = await submitLessonCheck(db, { userId: u }, ref('bai-chung-mot'), old, entries, 'test-client').catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(StaleCheckError);
    expect(stale).toMatchObject({ status: 409, message: expect.stringMatching(/vừa được cập nhật/) });
    const later = new Date(Date.now() + 31 * 24 * 3600 * 1000);
    const expired = await submitLessonCheck(db, { userId: u }, ref('bai-chung-mot'), token, entries, 'test-client', later).catch((e: unknown) => e);
    expect(expired).toMatchObject({ status: 409, message: expect.stringMatching(/30 ngày/) });
    expect(await submissionCount()).toBe(before);
    // The same form within its lifetime is graded.
    expect((await submitLessonCheck(db, { userId: u }, ref('bai-chung-mot'), token, entries, 'test-client')).passed).toBe(true);
  });
});
