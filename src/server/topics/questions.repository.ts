import type { Kysely } from 'kysely';
import type { Database, QuestionStatus } from '../db/schema.ts';

export async function insertQuestion(db: Kysely<Database>, q: { month: string; courseSlug: string; userId: string; text: string }): Promise<string> {
  const row = await db
    .insertInto('topic_question')
    .values({ month: q.month, course_slug: q.courseSlug, user_id: q.userId, text: q.text })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const publicColumns = ['topic_question.id', 'topic_question.month', 'topic_question.course_slug', 'topic_question.text', 'topic_question.status', 'topic_question.answer', 'topic_question.created_at', 'topic_question.answered_at'] as const;

/** One user's questions for a month, newest first. */
export function questionsOfUser(db: Kysely<Database>, userId: string, month: string) {
  return db.selectFrom('topic_question').select(publicColumns).where('user_id', '=', userId).where('month', '=', month).orderBy('created_at', 'desc').execute();
}

/** A month's questions in some statuses, oldest first. */
export function questionsOfMonth(db: Kysely<Database>, month: string, statuses: QuestionStatus[]) {
  return db.selectFrom('topic_question').select(publicColumns).where('month', '=', month).where('status', 'in', statuses).orderBy('created_at').execute();
}

/** Answered questions about a course, most recent answers first. */
export function answeredForCourse(db: Kysely<Database>, courseSlug: string, limit: number) {
  return db
    .selectFrom('topic_question')
    .select(publicColumns)
    .where('course_slug', '=', courseSlug)
    .where('status', '=', 'answered')
    .orderBy('answered_at', 'desc')
    .limit(limit)
    .execute();
}

/** The moderation queue: questions in a status with the asker's display name, oldest first. */
export function questionsForModeration(db: Kysely<Database>, status: QuestionStatus, limit: number) {
  return db
    .selectFrom('topic_question')
    .innerJoin('user', 'user.id', 'topic_question.user_id')
    .select([...publicColumns, 'user.display_name as asker'])
    .where('topic_question.status', '=', status)
    .orderBy('topic_question.created_at')
    .limit(limit)
    .execute();
}

/** Counts questions per status. */
export async function countByStatus(db: Kysely<Database>): Promise<Partial<Record<QuestionStatus, number>>> {
  const rows = await db
    .selectFrom('topic_question')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Sets a question's status (and answer); returns whether the question exists. */
export async function updateQuestion(
  db: Kysely<Database>,
  id: string,
  change: { status: QuestionStatus; answer: string | null; answeredBy: string | null; answeredAt: Date | null },
): Promise<boolean> {
  const r = await db
    .updateTable('topic_question')
    .set({ status: change.status, answer: change.answer, answered_by: change.answeredBy, answered_at: change.answeredAt, updated_at: new Date() })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
