/**
 * Learning rules: lesson checks, "mark as done", final quizzes and course completion.
 * Completion happens the moment its conditions hold, inside the transaction that made them hold,
 * serialised per learner, and guarded by primary keys so nothing counts twice.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Edition } from '../../lib/content/schema.ts';
import { findEdition, getCatalog, type Course, type CourseEdition, type Lesson } from '../content/catalog.ts';
import type { Database, StoredResult } from '../db/schema.ts';
import { issueCertificate } from '../certificates/certificates.ts';
import * as repo from './learning.repository.ts';
// Defensive only: the web edge validates ids first, so a malformed one never reaches a query.
import { isUuid } from '../../lib/ids.ts';
import { countCompletion } from '../teams/counters.ts';
import { countLearningEvidence } from '../households/household-counters.ts';
import { enforce, LIMITS, type LimitCheck } from '../security/rate-limit.ts';
import {
  askedFromLayout,
  checkPassed,
  checkVersion,
  drawQuestions,
  grade,
  layOutCheck,
  parseAnswers,
  presentQuestion,
  TamperedSubmissionError,
  type Answer,
  type AskedQuestion,
  type FormEntries,
  type PublicQuestion,
} from './quiz.ts';
import { openCheckToken, sealCheckToken } from './check-token.ts';
import { recordItemAnswers } from '../items/record.ts';
import { GUEST_OWNER, ownerKey } from './owner-key.ts';
import { nextStep, type NextStep } from './next-step.ts';

/** A request the learning rules refuse, with the HTTP status and a Vietnamese message. */
export class LearningError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * A lesson-check token that no longer fits the lesson: its content changed since the form was
 * opened, or the form is too old. Nothing was graded or stored; the learner takes a fresh check.
 */
export class StaleCheckError extends LearningError {
  constructor(message: string) {
    super(409, message);
  }
}

/** How long a lesson-check form stays valid: long enough to answer offline and sync days later. */
export const CHECK_TOKEN_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** Who submits: a signed-in learner or a guest identified by the hash of their guest cookie. */
export type Learner = { userId: string } | { guestTokenHash: string };

function answersToJson(answers: Map<string, Answer>): Record<string, unknown> {
  return Object.fromEntries(answers);
}

/**
 * The limits on stored submissions (lesson checks, final quizzes, guests' "done" marks): per account
 * or guest cookie, and per client address since a script can drop its guest cookie at will. Taken
 * before anything is stored, so a refused submission stores nothing.
 */
function limitSubmissions(db: Kysely<Database>, who: Learner, client: string): Promise<void> {
  const account = 'userId' in who ? `user:${who.userId}` : `guest:${who.guestTokenHash}`;
  const checks: LimitCheck[] = [
    { key: `submit:${account}`, limit: LIMITS.submitPerAccount },
    { key: `submit:client:${client}`, limit: LIMITS.submitPerClient },
  ];
  return enforce(db, checks, (wait) => `Bạn đã nộp bài quá nhiều lần trong thời gian ngắn. Vui lòng đợi ${wait} rồi nộp lại.`);
}

/** Looks up a lesson in an edition or throws 404. */
export function requireLesson(course: string, edition: Edition, lessonId: string): { course: Course; ed: CourseEdition; lesson: Lesson } {
  const found = findEdition(course, edition);
  const lesson = found?.ed.lessons.find((l) => l.id === lessonId);
  if (!found || !lesson) throw new LearningError(404, 'Không tìm thấy bài học này.');
  return { ...found, lesson };
}

/** Completes the course edition if every lesson is done and a final quiz was passed, and issues its certificate. */
async function completeIfDone(trx: Transaction<Database>, userId: string, course: Course, edition: Edition): Promise<boolean> {
  const ed = course.editions[edition];
  if (!ed) return false;
  const done = new Set(await repo.completedLessonIds(trx, userId, course.slug));
  if (!ed.lessons.every((l) => done.has(l.id))) return false;
  const passed = await repo.firstPassedAttempt(trx, userId, course.slug, edition);
  if (!passed) return false;
  const recorded = await repo.insertCompletion(trx, { userId, course: course.slug, edition, attemptId: passed.id });
  // Same transaction: a completion never exists without its certificate, nor the reverse.
  if (recorded) await issueCertificate(trx, { userId, course, edition });
  // Dashboard counters move in the same transaction as the completion, so they are never stale.
  if (recorded) await countCompletion(trx, userId, course.slug, edition);
  // A linked citizen's completion is course-verified evidence for their household.
  if (recorded) await countLearningEvidence(trx, userId);
  return recorded;
}

/** Records a lesson as complete and completes every edition containing it that is now finished. */
async function recordLesson(trx: Transaction<Database>, userId: string, course: Course, edition: Edition, lesson: Lesson, via: 'check' | 'manual') {
  await repo.lockLearner(trx, userId);
  await repo.insertLessonProgress(trx, { userId, course: course.slug, lessonId: lesson.id, edition, via });
  // A passed lesson check of a linked citizen is course-verified evidence for their household.
  if (via === 'check') await countLearningEvidence(trx, userId);
  for (const e of lesson.editions) await completeIfDone(trx, userId, course, e);
}

/**
 * Opens a lesson check for one learner: questions and choices in a fresh random order, opaque field
 * names, and the sealed token that lets the grader map the answers back.
 */
export async function openLessonCheck(
  ref: { course: string; edition: Edition; lessonId: string },
  now = new Date(),
): Promise<{ course: Course; ed: CourseEdition; lesson: Lesson; questions: PublicQuestion[]; token: string }> {
  const found = requireLesson(ref.course, ref.edition, ref.lessonId);
  const layout = layOutCheck(found.lesson.check);
  const asked = askedFromLayout(found.lesson.check, layout)!;
  const token = await sealCheckToken({
    course: found.course.slug,
    edition: ref.edition,
    lesson: found.lesson.id,
    version: checkVersion(found.lesson.check),
    issuedAt: Math.floor(now.getTime() / 1000),
    ...layout,
  });
  return { ...found, questions: asked.map((a, i) => presentQuestion(a.q, a.order, i)), token };
}

/** The questions as this token's learner saw them, or the reason the token cannot be graded. */
async function askedByToken(ref: { course: string; edition: Edition }, lesson: Lesson, token: string, now: Date): Promise<{ asked: AskedQuestion[]; issuedAt: number }> {
  const invalid = new LearningError(400, 'Phiếu bài kiểm tra không hợp lệ hoặc thuộc bài khác, nên bài làm chưa được chấm. Vui lòng mở lại bài kiểm tra và làm lại.');
  const claims = await openCheckToken(token);
  if (!claims || claims.course !== ref.course || claims.edition !== ref.edition || claims.lesson !== lesson.id) throw invalid;
  const age = Math.floor(now.getTime() / 1000) - claims.issuedAt;
  if (age < -300) throw invalid;
  if (claims.version !== checkVersion(lesson.check)) {
    throw new StaleCheckError('Bài kiểm tra này vừa được cập nhật sau khi bạn mở nó, nên câu trả lời chưa được chấm và chưa được lưu. Mời bạn làm bài kiểm tra mới dưới đây.');
  }
  if (age > CHECK_TOKEN_MAX_AGE_SECONDS) {
    throw new StaleCheckError('Bài kiểm tra này được mở đã quá 30 ngày, nên câu trả lời chưa được chấm và chưa được lưu. Mời bạn làm bài kiểm tra mới dưới đây.');
  }
  const asked = askedFromLayout(lesson.check, claims);
  if (!asked) throw invalid;
  return { asked, issuedAt: claims.issuedAt };
}

/** How a device sent a lesson check it may replay: its idempotency key and the account the form was opened for. */
export interface OfflineSend {
  /** Idempotency key made on the device (a uuid); a replay with the same key returns the stored result. */
  clientKey?: string;
  /** `ownerKey` of the account the form was opened for, or GUEST_OWNER. */
  owner?: string;
}

/** A check sent under another account than the one that opened its form: refused, nothing stored. */
export class WrongOwnerError extends LearningError {
  constructor() {
    super(409, 'Bài làm này được làm khi một tài khoản khác đang đăng nhập trên máy, nên chưa được chấm. Hãy đăng nhập đúng tài khoản đó rồi gửi lại.');
  }
}

/**
 * Grades a lesson check and stores it; a signed-in learner who passes completes the lesson.
 * `token` is the sealed layout the form carried; `entries` the answers by opaque field name.
 * `client` is the client key of the request (submission limits; RateLimitError when over them).
 * With `send.clientKey` the submission is stored once whatever the number of replays: a replay by the
 * same learner returns the stored submission (`replay: true`) without grading or counting again.
 */
export async function submitLessonCheck(
  db: Kysely<Database>,
  who: Learner,
  ref: { course: string; edition: Edition; lessonId: string },
  token: string,
  entries: FormEntries,
  client: string,
  now = new Date(),
  send: OfflineSend = {},
): Promise<{ submissionId: string; passed: boolean; replay: boolean }> {
  const { course, lesson } = requireLesson(ref.course, ref.edition, ref.lessonId);
  if (send.owner !== undefined && send.owner !== GUEST_OWNER && !('userId' in who && ownerKey(who.userId) === send.owner)) throw new WrongOwnerError();
  const stored = async () => {
    if (!send.clientKey) return undefined;
    const row = await repo.findSubmissionByClientKey(db, send.clientKey);
    if (!row) return undefined;
    const mine = 'userId' in who ? row.user_id === who.userId : row.guest_token_hash === who.guestTokenHash;
    // Another learner's key (or another lesson's): never reveal or reuse their row.
    if (!mine || row.course_slug !== course.slug || row.edition !== ref.edition || row.lesson_id !== lesson.id) {
      throw new LearningError(409, 'Mã gửi bài này đã được dùng cho một bài làm khác, nên bài làm chưa được chấm. Vui lòng mở lại bài kiểm tra và làm lại.');
    }
    return { submissionId: row.id, passed: row.passed, replay: true };
  };
  const earlier = await stored();
  if (earlier) return earlier;
  const { asked, issuedAt } = await askedByToken({ course: course.slug, edition: ref.edition }, lesson, token, now);
  const answers = parseOrThrow(entries, asked);
  // Results in authored order, as before: feedback and storage do not depend on the layout.
  const results = grade(lesson.check, answers);
  const passed = checkPassed(results);
  await limitSubmissions(db, who, client);
  const inserted = await db.transaction().execute(async (trx) => {
    const submissionId = await repo.insertSubmission(trx, {
      kind: 'check',
      userId: 'userId' in who ? who.userId : null,
      guestTokenHash: 'guestTokenHash' in who ? who.guestTokenHash : null,
      course: course.slug,
      edition: ref.edition,
      lessonId: lesson.id,
      answers: answersToJson(answers),
      results,
      passed,
      clientKey: send.clientKey ?? null,
    });
    // No id: a replay with the same key was stored first, in parallel; nothing else happens here.
    if (!submissionId) return submissionId;
    if ('userId' in who && passed) await recordLesson(trx, who.userId, course, ref.edition, lesson, 'check');
    // Item analysis counters, last in the transaction (see src/server/items).
    const items = { course: course.slug, edition: ref.edition, asked: asked.map((a) => a.q), answers, entries };
    await recordItemAnswers(trx, { ...items, source: 'check', elapsedMs: now.getTime() - issuedAt * 1000 });
    return submissionId;
  });
  if (inserted) return { submissionId: inserted, passed, replay: false };
  const raced = await stored();
  if (!raced) throw new Error('submission with this client key vanished');
  return raced;
}

/**
 * Marks a lesson done. Guests' requests are kept and applied when they sign in; those are stored
 * rows, so they count against the submission limits (a learner's own mark is idempotent and does not).
 */
export async function markLessonDone(db: Kysely<Database>, who: Learner, ref: { course: string; edition: Edition; lessonId: string }, client: string): Promise<void> {
  const { course, lesson } = requireLesson(ref.course, ref.edition, ref.lessonId);
  if (!('userId' in who)) await limitSubmissions(db, who, client);
  await db.transaction().execute(async (trx) => {
    if ('userId' in who) {
      await recordLesson(trx, who.userId, course, ref.edition, lesson, 'manual');
      return;
    }
    await repo.insertSubmission(trx, {
      kind: 'done',
      userId: null,
      guestTokenHash: who.guestTokenHash,
      course: course.slug,
      edition: ref.edition,
      lessonId: lesson.id,
      answers: {},
      results: [],
      passed: true,
    });
  });
}

/** Applies what a guest did before signing in to the account. Returns how many lessons it saved. */
export async function claimGuestWork(db: Kysely<Database>, guestTokenHash: string, userId: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await repo.claimGuestSubmissions(trx, guestTokenHash, userId);
    let saved = 0;
    for (const r of rows) {
      if (!r.passed) continue;
      const found = findEdition(r.course_slug, r.edition as Edition);
      const lesson = found?.ed.lessons.find((l) => l.id === r.lesson_id);
      if (!found || !lesson) continue; // content changed since; nothing to record
      await recordLesson(trx, userId, found.course, r.edition as Edition, lesson, r.kind === 'check' ? 'check' : 'manual');
      saved++;
    }
    return saved;
  });
}

/** Feedback for a stored lesson-check submission, visible to its owner only. */
export async function lessonCheckFeedback(db: Kysely<Database>, who: Learner, submissionId: string) {
  if (!isUuid(submissionId)) throw new LearningError(404, 'Không tìm thấy kết quả này.');
  const s = await repo.findSubmission(db, submissionId);
  const owns = s && s.kind === 'check' && ('userId' in who ? s.user_id === who.userId : s.guest_token_hash === who.guestTokenHash);
  if (!s || !owns) throw new LearningError(404, 'Không tìm thấy kết quả này.');
  const { course, lesson } = requireLesson(s.course_slug, s.edition as Edition, s.lesson_id);
  const byId = new Map(lesson.check.map((q) => [q.id, q]));
  const answers = s.answers as Record<string, Answer>;
  // An answer that arrives (say, sent from a phone that was offline) after the lesson was already
  // completed changes nothing; the learner is told so.
  const done = s.user_id ? await repo.lessonCompletedAt(db, s.user_id, s.course_slug, s.lesson_id) : undefined;
  const completedBefore = done && new Date(done.completed_at).getTime() < new Date(s.created_at).getTime() ? new Date(done.completed_at) : null;
  return {
    course,
    lesson,
    edition: s.edition as Edition,
    passed: s.passed,
    saved: s.user_id !== null,
    completedBefore,
    items: (s.results as StoredResult[]).flatMap((r) => {
      const q = byId.get(r.questionId);
      return q ? [{ question: q, result: r, answer: answers[q.id] ?? null }] : [];
    }),
  };
}

/** A learner's progress through one course edition. */
export interface EditionProgress {
  completedLessons: Set<string>;
  done: number;
  total: number;
  percent: number;
  finalPassed: boolean;
  completedAt: Date | null;
}

export async function editionProgress(db: Kysely<Database>, userId: string, course: Course, edition: Edition): Promise<EditionProgress> {
  const ed = course.editions[edition]!;
  const [ids, passed, completion] = await Promise.all([
    repo.completedLessonIds(db, userId, course.slug),
    repo.firstPassedAttempt(db, userId, course.slug, edition),
    repo.findCompletion(db, userId, course.slug, edition),
  ]);
  const completedLessons = new Set(ids.filter((id) => ed.lessons.some((l) => l.id === id)));
  // The final quiz counts as one step of the bar, so 100% means the course is complete.
  const steps = ed.lessons.length + 1;
  const done = completedLessons.size + (passed ? 1 : 0);
  return {
    completedLessons,
    done: completedLessons.size,
    total: ed.lessons.length,
    percent: Math.round((done * 100) / steps),
    finalPassed: Boolean(passed),
    completedAt: completion ? new Date(completion.completed_at) : null,
  };
}

/**
 * The next step for a learner in a course edition (see next-step.ts); guests (no user id) get the
 * step that follows without saved progress. `progress` may be passed when the page already has it.
 */
export async function nextStepFor(
  db: Kysely<Database>,
  userId: string | undefined,
  course: Course,
  edition: Edition,
  opts: { after?: string; progress?: EditionProgress } = {},
): Promise<NextStep> {
  if (!userId) return nextStep(course, edition, undefined, { after: opts.after });
  const [p, completions] = await Promise.all([opts.progress ?? editionProgress(db, userId, course, edition), repo.completionsOfUser(db, userId)]);
  const completedCourses = new Set(completions.filter((c) => c.edition === edition).map((c) => c.course_slug));
  return nextStep(course, edition, { completedLessons: p.completedLessons, finalPassed: p.finalPassed, completed: p.completedAt !== null }, { after: opts.after, completedCourses });
}

/** Where a signed-in learner left off: the course edition last worked on and its next lesson. */
export async function continueLearning(db: Kysely<Database>, userId: string) {
  const last = await repo.latestLessonProgress(db, userId);
  if (!last) return undefined;
  const found = findEdition(last.course_slug, last.edition as Edition);
  if (!found) return undefined;
  const progress = await editionProgress(db, userId, found.course, last.edition as Edition);
  const next = found.ed.lessons.find((l) => !progress.completedLessons.has(l.id));
  return { course: found.course, edition: last.edition as Edition, next, progress };
}

function parseOrThrow(entries: FormEntries, asked: (AskedQuestion | null)[]) {
  try {
    return parseAnswers(entries, asked);
  } catch (err) {
    if (err instanceof TamperedSubmissionError) throw new LearningError(400, `Bài làm không hợp lệ: ${err.message} Vui lòng tải lại trang và làm lại.`);
    throw err;
  }
}

/** Opens (or resumes) the learner's final-quiz attempt and returns its public questions. */
export async function startFinalQuiz(db: Kysely<Database>, userId: string, courseSlug: string, edition: Edition) {
  const found = findEdition(courseSlug, edition);
  if (!found) throw new LearningError(404, 'Không tìm thấy khóa học này.');
  const { course, ed } = found;
  let attempt = await repo.findOpenAttempt(db, userId, course.slug, edition);
  if (!attempt) {
    await repo.insertAttempt(db, {
      userId,
      course: course.slug,
      edition,
      contentVersion: course.version,
      questions: drawQuestions(ed.finalPool, ed.draw),
      passMark: ed.passMark,
    });
    attempt = await repo.findOpenAttempt(db, userId, course.slug, edition);
    if (!attempt) throw new Error('open attempt vanished');
  }
  // Field names follow the stored position, so a question removed from the content since the draw
  // leaves a gap rather than shifting the others.
  const questions = attempt.questions.flatMap((d, i) => {
    const q = course.questions.get(d.id);
    return q ? [presentQuestion(q, d.order, i)] : [];
  });
  return { attemptId: attempt.id, course, ed, questions, passMark: attempt.pass_mark };
}

/**
 * Grades a final-quiz attempt once. A repeated or parallel submission of the same attempt returns
 * the stored result without grading again. Counts against the submission limits (RateLimitError).
 */
export async function submitFinalQuiz(db: Kysely<Database>, userId: string, attemptId: string, entries: FormEntries, client: string): Promise<{ attemptId: string }> {
  if (!isUuid(attemptId)) throw new LearningError(404, 'Không tìm thấy bài kiểm tra này.');
  await limitSubmissions(db, { userId }, client);
  return db.transaction().execute(async (trx) => {
    await repo.lockLearner(trx, userId);
    const attempt = await repo.lockAttempt(trx, attemptId);
    if (!attempt || attempt.user_id !== userId) throw new LearningError(404, 'Không tìm thấy bài kiểm tra này.');
    if (attempt.submitted_at) return { attemptId };
    const found = findEdition(attempt.course_slug, attempt.edition as Edition);
    if (!found) throw new LearningError(404, 'Khóa học này không còn nữa.');
    // Position i of the stored draw is field q<i+1>.
    const asked = attempt.questions.map((d) => {
      const q = found.course.questions.get(d.id);
      return q ? { q, order: d.order } : null;
    });
    const answers = parseOrThrow(entries, asked);
    const results: StoredResult[] = attempt.questions.map((d) => {
      const q = found.course.questions.get(d.id);
      const a = answers.get(d.id) ?? null;
      return q ? grade([q], new Map([[d.id, a]]))[0]! : { questionId: d.id, correct: false, answered: a !== null };
    });
    const score = results.filter((r) => r.correct).length;
    const passed = score * 100 >= attempt.pass_mark * attempt.total;
    await repo.finishAttempt(trx, attemptId, { answers: answersToJson(answers), results, score, passed });
    if (passed) await completeIfDone(trx, userId, found.course, attempt.edition as Edition);
    // Item analysis counters, last in the transaction (see src/server/items).
    const items = { course: found.course.slug, edition: attempt.edition as Edition, asked: asked.map((a) => a?.q ?? null), answers, entries };
    await recordItemAnswers(trx, { ...items, source: 'final', elapsedMs: Date.now() - new Date(attempt.started_at).getTime() });
    return { attemptId };
  });
}

/** The result of a submitted attempt, for its owner: score and wrong questions with explanations. */
export async function quizResult(db: Kysely<Database>, userId: string, attemptId: string) {
  if (!isUuid(attemptId)) throw new LearningError(404, 'Không tìm thấy kết quả này.');
  const attempt = await repo.findAttempt(db, attemptId);
  if (!attempt || attempt.user_id !== userId) throw new LearningError(404, 'Không tìm thấy kết quả này.');
  if (!attempt.submitted_at) throw new LearningError(409, 'Bài kiểm tra này chưa được nộp.');
  const found = findEdition(attempt.course_slug, attempt.edition as Edition);
  if (!found) throw new LearningError(404, 'Khóa học này không còn nữa.');
  const edition = attempt.edition as Edition;
  const [progress, completion] = await Promise.all([
    editionProgress(db, userId, found.course, edition),
    repo.findCompletion(db, userId, found.course.slug, edition),
  ]);
  const wrong = (attempt.results ?? [])
    .filter((r) => !r.correct)
    .map((r) => ({ result: r, question: found.course.questions.get(r.questionId), answer: ((attempt.answers ?? {}) as Record<string, Answer>)[r.questionId] ?? null }));
  return { attempt, course: found.course, edition, wrong, progress, completed: Boolean(completion) };
}

/** Recent attempts of the learner on an edition. */
export function attemptHistory(db: Kysely<Database>, userId: string, course: string, edition: Edition) {
  return repo.attemptsOf(db, userId, course, edition);
}

/** One course edition on the account page. */
export interface LearnerCourse {
  course: Course;
  edition: Edition;
  done: number;
  total: number;
  /** In progress: where to go on (a lesson or the final quiz). */
  next?: NextStep;
  /** Completed: when. */
  completedAt?: Date;
}

/**
 * The account page's courses: editions completed, and editions started but not completed (a lesson
 * done in it, or a final quiz opened), each edition once. A lesson shared by two editions counts in
 * both, but only an edition the learner worked in is listed as started.
 */
export async function learnerCourses(db: Kysely<Database>, userId: string): Promise<{ inProgress: LearnerCourse[]; completed: LearnerCourse[] }> {
  const [completions, lessons, attempts] = await Promise.all([repo.completionsOfUser(db, userId), repo.lessonRowsOfUser(db, userId), repo.attemptEditionsOfUser(db, userId)]);
  const doneByCourse = new Map<string, Set<string>>();
  for (const l of lessons) doneByCourse.set(l.course_slug, (doneByCourse.get(l.course_slug) ?? new Set()).add(l.lesson_id));
  const key = (course: string, edition: string) => `${course}/${edition}`;
  const completedKeys = new Set(completions.map((c) => key(c.course_slug, c.edition)));
  const completedCourses = new Set(completions.map((c) => c.course_slug));
  const count = (ed: CourseEdition, slug: string) => ed.lessons.filter((l) => doneByCourse.get(slug)?.has(l.id)).length;

  const completed = completions.flatMap((c) => {
    const found = findEdition(c.course_slug, c.edition as Edition);
    return found ? [{ course: found.course, edition: c.edition as Edition, done: count(found.ed, c.course_slug), total: found.ed.lessons.length, completedAt: new Date(c.completed_at) }] : [];
  });
  const seen = new Set<string>();
  const inProgress: LearnerCourse[] = [];
  for (const row of [...lessons, ...attempts]) {
    const k = key(row.course_slug, row.edition);
    if (seen.has(k) || completedKeys.has(k)) continue;
    seen.add(k);
    const found = findEdition(row.course_slug, row.edition as Edition);
    if (!found) continue;
    const edition = row.edition as Edition;
    const doneIds = doneByCourse.get(row.course_slug) ?? new Set<string>();
    const completedLessons = new Set(found.ed.lessons.filter((l) => doneIds.has(l.id)).map((l) => l.id));
    inProgress.push({
      course: found.course,
      edition,
      done: completedLessons.size,
      total: found.ed.lessons.length,
      next: nextStep(found.course, edition, { completedLessons, finalPassed: false, completed: false }, { completedCourses }),
    });
  }
  const order = new Map(getCatalog().courses.map((c, i) => [c.slug, i]));
  inProgress.sort((a, b) => order.get(a.course.slug)! - order.get(b.course.slug)! || a.edition.localeCompare(b.edition));
  return { inProgress, completed };
}

export { TamperedSubmissionError };
