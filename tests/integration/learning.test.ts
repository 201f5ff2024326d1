import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
import { getCatalog } from '../../src/server/content/catalog.ts';
import type { Database } from '../../src/server/db/schema.ts';
import {
  claimGuestWork,
  editionProgress,
  LearningError,
  markLessonDone,
  startFinalQuiz,
  submitFinalQuiz,
  submitLessonCheck,
} from '../../src/server/learning/learning.ts';
import { checkOrder } from '../../src/server/learning/quiz.ts';
import { createTestDb } from '../setup/db.ts';
import { correctFields, formOf } from '../setup/answers.ts';

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

const checkForm = (lessonId: string, right = true) => {
  const lesson = course().editions.member!.lessons.find((l) => l.id === lessonId)!;
  return form(right ? lesson.check.flatMap((q) => correctFields(q, checkOrder(q))) : []);
};

async function passFinal(userId: string, edition: 'citizen' | 'member') {
  const quiz = await startFinalQuiz(db, userId, 'khoa-thu-nghiem', edition);
  const attempt = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
  const pairs = attempt.questions.flatMap((d) => correctFields(course().questions.get(d.id)!, d.order));
  return { attemptId: quiz.attemptId, entries: form(pairs) };
}

describe('lesson checks and progress', () => {
  it('records a lesson when its check is passed, not when failed', async () => {
    const u = await newUser();
    const fail = await submitLessonCheck(db, { userId: u }, { course: 'khoa-thu-nghiem', edition: 'citizen', lessonId: 'bai-chung-mot' }, checkForm('bai-chung-mot', false), 'test-client');
    expect(fail.passed).toBe(false);
    expect((await editionProgress(db, u, course(), 'citizen')).done).toBe(0);
    const pass = await submitLessonCheck(db, { userId: u }, { course: 'khoa-thu-nghiem', edition: 'citizen', lessonId: 'bai-chung-mot' }, checkForm('bai-chung-mot'), 'test-client');
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
    await expect(
      submitLessonCheck(db, { userId: u }, { course: 'khoa-thu-nghiem', edition: 'citizen', lessonId: 'bai-chung-mot' }, form([['q-f1', '0']]), 'test-client'),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('keeps a guest’s answers and applies them at sign-in', async () => {
    const guest = 'a'.repeat(64);
    const r = await submitLessonCheck(db, { guestTokenHash: guest }, { course: 'khoa-thu-nghiem', edition: 'member', lessonId: 'bai-thanh-vien' }, checkForm('bai-thanh-vien'), 'test-client');
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
    expect(quiz.questions.map((q) => q.id)).not.toContain('f5'); // member-only question
    expect(JSON.stringify(quiz.questions)).not.toMatch(/MKLEAK|mkleak/i);
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
    await expect(submitFinalQuiz(db, u, quiz.attemptId, form([[`q-${notDrawn}`, '0']]), 'test-client')).rejects.toMatchObject({ status: 400 });
    await expect(submitFinalQuiz(db, other, quiz.attemptId, form([]), 'test-client')).rejects.toMatchObject({ status: 404 });
    await expect(submitFinalQuiz(db, u, 'not-a-uuid', form([]), 'test-client')).rejects.toMatchObject({ status: 400 });
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
