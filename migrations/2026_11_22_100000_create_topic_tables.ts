import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// Monthly topic programme: private calendar tokens, questions before the Q&A session, check-ins.
export async function up(db: Kysely<any>): Promise<void> {
  // One private feed per user; only SHA-256 of the token is kept, so a database leak reveals no feed URL.
  await db.schema
    .createTable('calendar_token')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('user.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('topic_question')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // The schedule month (YYYY-MM) the question was asked for, and that month's course.
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('answer', 'text')
    .addColumn('answered_by', 'uuid', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('answered_at', 'timestamptz')
    .addCheckConstraint('topic_question_status_check', sql`status in ('pending', 'approved', 'hidden', 'answered')`)
    .addCheckConstraint('topic_question_answer_check', sql`(status = 'answered') = (answer is not null)`)
    .execute();
  await db.schema.createIndex('topic_question_month_idx').on('topic_question').columns(['month', 'status']).execute();
  await db.schema.createIndex('topic_question_course_idx').on('topic_question').columns(['course_slug', 'status']).execute();
  await db.schema.createIndex('topic_question_user_idx').on('topic_question').column('user_id').execute();

  // Attendance of a month's Q&A session; the primary key records each person once.
  await db.schema
    .createTable('session_attendance')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('checked_in_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('session_attendance_pk', ['user_id', 'month'])
    .execute();
  await db.schema.createIndex('session_attendance_month_idx').on('session_attendance').column('month').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['session_attendance', 'topic_question', 'calendar_token']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
