import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('phone', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('learner'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('user_role_check', sql`role in ('learner', 'member', 'leader', 'official', 'moderator', 'admin')`)
    .execute();

  await db.schema
    .createTable('session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('secret_hash', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_user_idx').on('session').column('user_id').execute();

  await db.schema
    .createTable('lesson_progress')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('lesson_id', 'text', (c) => c.notNull())
    // The edition the learner was following; completion itself counts in every edition with the lesson.
    .addColumn('edition', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('lesson_progress_pk', ['user_id', 'course_slug', 'lesson_id'])
    .addCheckConstraint('lesson_progress_via_check', sql`via in ('check', 'manual')`)
    .execute();

  // Lesson-check answers and "mark as done" requests; guests' rows carry a token hash and are
  // claimed by the account they sign in to, so nothing they answered is lost.
  await db.schema
    .createTable('lesson_submission')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.references('user.id').onDelete('cascade'))
    .addColumn('guest_token_hash', 'text')
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('edition', 'text', (c) => c.notNull())
    .addColumn('lesson_id', 'text', (c) => c.notNull())
    .addColumn('answers', 'jsonb', (c) => c.notNull())
    .addColumn('results', 'jsonb', (c) => c.notNull())
    .addColumn('passed', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('lesson_submission_kind_check', sql`kind in ('check', 'done')`)
    .addCheckConstraint('lesson_submission_owner_check', sql`user_id is not null or guest_token_hash is not null`)
    .execute();
  await db.schema.createIndex('lesson_submission_guest_idx').on('lesson_submission').column('guest_token_hash').execute();

  await db.schema
    .createTable('quiz_attempt')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('edition', 'text', (c) => c.notNull())
    .addColumn('content_version', 'integer', (c) => c.notNull())
    .addColumn('questions', 'jsonb', (c) => c.notNull())
    .addColumn('answers', 'jsonb')
    .addColumn('results', 'jsonb')
    .addColumn('score', 'integer')
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('pass_mark', 'integer', (c) => c.notNull())
    .addColumn('passed', 'boolean')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('submitted_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('quiz_attempt_user_idx').on('quiz_attempt').columns(['user_id', 'course_slug', 'edition']).execute();
  // At most one open attempt per learner and course edition, so double clicks never open two.
  await sql`create unique index quiz_attempt_open_uq on quiz_attempt (user_id, course_slug, edition) where submitted_at is null`.execute(db);

  await db.schema
    .createTable('course_completion')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('edition', 'text', (c) => c.notNull())
    .addColumn('attempt_id', 'uuid', (c) => c.notNull().references('quiz_attempt.id'))
    .addColumn('completed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('course_completion_pk', ['user_id', 'course_slug', 'edition'])
    .execute();

  await db.schema
    .createTable('rate_limit')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['rate_limit', 'course_completion', 'quiz_attempt', 'lesson_submission', 'lesson_progress', 'session', 'user']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
