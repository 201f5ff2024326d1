/**
 * Questions before the monthly Q&A session: signed-in learners ask (plain text, length and rate
 * limited), moderators approve, hide or answer, and answered questions become the course's FAQ.
 */
import type { Kysely } from 'kysely';
import { AnswerTextSchema, QuestionTextSchema } from '../../lib/questions.ts';
import type { Database, QuestionStatus, Role } from '../db/schema.ts';
import { getSchedule, sessionPhase, type Schedule } from '../schedule/schedule.ts';
import { enforce, LIMITS, type LimitCheck } from '../security/rate-limit.ts';
import { TopicError } from './errors.ts';
import * as repo from './questions.repository.ts';
import { isUuid } from '../../lib/ids.ts';

export { TopicError };

/** Roles that moderate questions and host check-ins. */
export const MODERATOR_ROLES: readonly Role[] = ['admin', 'moderator'];

export const STATUS_LABELS: Record<QuestionStatus, string> = {
  pending: 'Đang chờ duyệt',
  approved: 'Đã duyệt, sẽ được giải đáp',
  hidden: 'Không hiển thị',
  answered: 'Đã trả lời',
};

export type QuestionView = Awaited<ReturnType<typeof repo.questionsOfUser>>[number];

/**
 * Records a learner's question for a month's topic, limited per learner and per client address
 * (`client`, the request's client key). Throws TopicError (400/404/409) or RateLimitError (429).
 */
export async function askQuestion(
  db: Kysely<Database>,
  input: { userId: string; month: string; text: unknown; client: string },
  now: Date = new Date(),
  schedule: Schedule = getSchedule(),
): Promise<string> {
  const topic = schedule.byMonth.get(input.month);
  if (!topic) throw new TopicError(404, 'Không tìm thấy chuyên đề của tháng này.');
  if (sessionPhase(topic, now) === 'past') throw new TopicError(409, 'Buổi hỏi đáp của chuyên đề này đã kết thúc, không nhận thêm câu hỏi.');
  const parsed = QuestionTextSchema.safeParse(typeof input.text === 'string' ? input.text : undefined);
  if (!parsed.success) throw new TopicError(400, parsed.error.issues[0]!.message);
  const checks: LimitCheck[] = [
    { key: `question:${input.userId}`, limit: LIMITS.questionPerUser },
    { key: `question:client:${input.client}`, limit: LIMITS.questionPerClient },
  ];
  await enforce(db, checks, (wait) => `Bạn đã gửi nhiều câu hỏi. Hãy thử lại sau ${wait}.`);
  return repo.insertQuestion(db, { month: topic.month, courseSlug: topic.course.slug, userId: input.userId, text: parsed.data });
}

/** The user's own questions for a month, with their status (only ever shown to that user). */
export function myQuestions(db: Kysely<Database>, userId: string, month: string): Promise<QuestionView[]> {
  return repo.questionsOfUser(db, userId, month);
}

/** What everyone sees on a topic page: approved questions awaiting the session, and the answers. */
export async function publicQuestions(db: Kysely<Database>, month: string): Promise<{ approved: QuestionView[]; answered: QuestionView[] }> {
  const rows = await repo.questionsOfMonth(db, month, ['approved', 'answered']);
  return { approved: rows.filter((r) => r.status === 'approved'), answered: rows.filter((r) => r.status === 'answered') };
}

/** The course FAQ: answered questions from every month that featured the course. */
export function courseFaq(db: Kysely<Database>, courseSlug: string, limit = 30): Promise<QuestionView[]> {
  return repo.answeredForCourse(db, courseSlug, limit);
}

/** Whether a role may moderate questions and host check-ins. */
export function canModerate(role: Role): boolean {
  return MODERATOR_ROLES.includes(role);
}

/** Parses a status filter from a query string (default: pending). */
export function parseStatus(value: string | null): QuestionStatus {
  return value === 'approved' || value === 'hidden' || value === 'answered' ? value : 'pending';
}

/** The moderation queue for one status, and counts of every status. */
export async function moderationQueue(db: Kysely<Database>, status: QuestionStatus) {
  const [questions, counts] = await Promise.all([repo.questionsForModeration(db, status, 100), repo.countByStatus(db)]);
  return { questions, counts };
}

export type ModerationAction = 'approve' | 'hide' | 'answer';

/** Approves, hides or answers a question. The caller must hold a moderator role (checked here too). */
export async function moderateQuestion(
  db: Kysely<Database>,
  moderator: { id: string; role: Role },
  input: { id: unknown; action: unknown; answer?: unknown },
  now: Date = new Date(),
): Promise<ModerationAction> {
  if (!canModerate(moderator.role)) throw new TopicError(403, 'Chỉ người điều phối hỏi đáp mới làm được việc này.');
  const id = isUuid(input.id) ? input.id : undefined;
  if (!id) throw new TopicError(400, 'Thiếu hoặc sai mã câu hỏi.');
  const action = input.action;
  let change: Parameters<typeof repo.updateQuestion>[2];
  if (action === 'approve') change = { status: 'approved', answer: null, answeredBy: null, answeredAt: null };
  else if (action === 'hide') change = { status: 'hidden', answer: null, answeredBy: null, answeredAt: null };
  else if (action === 'answer') {
    const parsed = AnswerTextSchema.safeParse(typeof input.answer === 'string' ? input.answer : undefined);
    if (!parsed.success) throw new TopicError(400, parsed.error.issues[0]!.message);
    change = { status: 'answered', answer: parsed.data, answeredBy: moderator.id, answeredAt: now };
  } else throw new TopicError(400, 'Thao tác không hợp lệ.');
  if (!(await repo.updateQuestion(db, id, change))) throw new TopicError(404, 'Không tìm thấy câu hỏi này.');
  return action;
}
