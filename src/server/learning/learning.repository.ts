import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, DrawnQuestion, StoredResult } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Serialises progress updates of one learner (lesson completion vs. quiz pass race). */
export async function lockLearner(trx: Transaction<Database>, userId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${userId}, 42))`.execute(trx);
}

/** Records a completed lesson once; returns whether this call recorded it. */
export async function insertLessonProgress(
  db: Db,
  p: { userId: string; course: string; lessonId: string; edition: string; via: 'check' | 'manual' },
): Promise<boolean> {
  const r = await db
    .insertInto('lesson_progress')
    .values({ user_id: p.userId, course_slug: p.course, lesson_id: p.lessonId, edition: p.edition, via: p.via })
    .onConflict((oc) => oc.columns(['user_id', 'course_slug', 'lesson_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function completedLessonIds(db: Db, userId: string, course: string): Promise<string[]> {
  const rows = await db.selectFrom('lesson_progress').select('lesson_id').where('user_id', '=', userId).where('course_slug', '=', course).execute();
  return rows.map((r) => r.lesson_id);
}

/** The learner's latest lesson activity, for "continue where you left off". */
export function latestLessonProgress(db: Db, userId: string) {
  return db
    .selectFrom('lesson_progress')
    .select(['course_slug', 'edition', 'lesson_id', 'completed_at'])
    .where('user_id', '=', userId)
    .orderBy('completed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export function firstPassedAttempt(db: Db, userId: string, course: string, edition: string) {
  return db
    .selectFrom('quiz_attempt')
    .select(['id', 'score', 'total', 'submitted_at'])
    .where('user_id', '=', userId)
    .where('course_slug', '=', course)
    .where('edition', '=', edition)
    .where('passed', '=', true)
    .orderBy('submitted_at', 'asc')
    .limit(1)
    .executeTakeFirst();
}

/** Records a course completion once (primary key); returns whether this call recorded it. */
export async function insertCompletion(db: Db, c: { userId: string; course: string; edition: string; attemptId: string }): Promise<boolean> {
  const r = await db
    .insertInto('course_completion')
    .values({ user_id: c.userId, course_slug: c.course, edition: c.edition, attempt_id: c.attemptId })
    .onConflict((oc) => oc.columns(['user_id', 'course_slug', 'edition']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export function findCompletion(db: Db, userId: string, course: string, edition: string) {
  return db
    .selectFrom('course_completion')
    .selectAll()
    .where('user_id', '=', userId)
    .where('course_slug', '=', course)
    .where('edition', '=', edition)
    .executeTakeFirst();
}

export function completionsOfUser(db: Db, userId: string) {
  return db.selectFrom('course_completion').selectAll().where('user_id', '=', userId).orderBy('completed_at', 'desc').execute();
}

/** Every lesson the learner completed, with the edition it was done in (for the account page). */
export function lessonRowsOfUser(db: Db, userId: string) {
  return db.selectFrom('lesson_progress').select(['course_slug', 'edition', 'lesson_id']).where('user_id', '=', userId).execute();
}

/** The course editions in which the learner opened a final quiz (for the account page). */
export function attemptEditionsOfUser(db: Db, userId: string) {
  return db.selectFrom('quiz_attempt').select(['course_slug', 'edition']).distinct().where('user_id', '=', userId).execute();
}

export async function insertSubmission(
  db: Db,
  s: {
    kind: 'check' | 'done';
    userId: string | null;
    guestTokenHash: string | null;
    course: string;
    edition: string;
    lessonId: string;
    answers: Record<string, unknown>;
    results: StoredResult[];
    passed: boolean;
    clientKey?: string | null;
  },
): Promise<string | undefined> {
  const row = await db
    .insertInto('lesson_submission')
    .values({
      kind: s.kind,
      user_id: s.userId,
      guest_token_hash: s.guestTokenHash,
      course_slug: s.course,
      edition: s.edition,
      lesson_id: s.lessonId,
      answers: JSON.stringify(s.answers),
      results: JSON.stringify(s.results),
      passed: s.passed,
      client_key: s.clientKey ?? null,
    })
    // A replay racing the first send: the unique key keeps one row; the caller reads it back.
    .onConflict((oc) => oc.column('client_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** The submission stored under a device's idempotency key. */
export function findSubmissionByClientKey(db: Db, clientKey: string) {
  return db.selectFrom('lesson_submission').select(['id', 'user_id', 'guest_token_hash', 'course_slug', 'edition', 'lesson_id', 'passed']).where('client_key', '=', clientKey).executeTakeFirst();
}

/** When the learner completed a lesson, if they did. */
export function lessonCompletedAt(db: Db, userId: string, course: string, lessonId: string) {
  return db
    .selectFrom('lesson_progress')
    .select('completed_at')
    .where('user_id', '=', userId)
    .where('course_slug', '=', course)
    .where('lesson_id', '=', lessonId)
    .executeTakeFirst();
}

export function findSubmission(db: Db, id: string) {
  return db.selectFrom('lesson_submission').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Hands a guest's submissions to the account that just signed in. */
export function claimGuestSubmissions(db: Db, guestTokenHash: string, userId: string) {
  return db
    .updateTable('lesson_submission')
    .set({ user_id: userId, guest_token_hash: null })
    .where('guest_token_hash', '=', guestTokenHash)
    .where('user_id', 'is', null)
    .returning(['id', 'kind', 'course_slug', 'edition', 'lesson_id', 'passed'])
    .execute();
}

export function findOpenAttempt(db: Db, userId: string, course: string, edition: string) {
  return db
    .selectFrom('quiz_attempt')
    .selectAll()
    .where('user_id', '=', userId)
    .where('course_slug', '=', course)
    .where('edition', '=', edition)
    .where('submitted_at', 'is', null)
    .executeTakeFirst();
}

/** Opens an attempt unless one is already open (partial unique index); returns whether it did. */
export async function insertAttempt(
  db: Db,
  a: { userId: string; course: string; edition: string; contentVersion: number; questions: DrawnQuestion[]; passMark: number },
): Promise<void> {
  await db
    .insertInto('quiz_attempt')
    .values({
      user_id: a.userId,
      course_slug: a.course,
      edition: a.edition,
      content_version: a.contentVersion,
      questions: JSON.stringify(a.questions),
      total: a.questions.length,
      pass_mark: a.passMark,
    })
    .onConflict((oc) => oc.columns(['user_id', 'course_slug', 'edition']).where('submitted_at', 'is', null).doNothing())
    .execute();
}

export function findAttempt(db: Db, id: string) {
  return db.selectFrom('quiz_attempt').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockAttempt(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('quiz_attempt').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Stores the graded answers of an open attempt; returns false if it was already submitted. */
export async function finishAttempt(
  trx: Transaction<Database>,
  id: string,
  r: { answers: Record<string, unknown>; results: StoredResult[]; score: number; passed: boolean },
): Promise<boolean> {
  const res = await trx
    .updateTable('quiz_attempt')
    .set({ answers: JSON.stringify(r.answers), results: JSON.stringify(r.results), score: r.score, passed: r.passed, submitted_at: new Date() })
    .where('id', '=', id)
    .where('submitted_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export function attemptsOf(db: Db, userId: string, course: string, edition: string) {
  return db
    .selectFrom('quiz_attempt')
    .select(['id', 'score', 'total', 'passed', 'submitted_at'])
    .where('user_id', '=', userId)
    .where('course_slug', '=', course)
    .where('edition', '=', edition)
    .where('submitted_at', 'is not', null)
    .orderBy('submitted_at', 'desc')
    .limit(20)
    .execute();
}
