import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// Item analysis counters for authors, keyed by question version and updated in the transaction of
// every lesson-check and final-quiz submission, so reading them never scans raw submissions.
// `shard` (0–7, random per submission) spreads one popular question over eight rows; reads sum them.
const KEY = ['course_slug', 'edition', 'source', 'question_id', 'version'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  const base = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('course_slug', 'text', (c) => c.notNull())
      .addColumn('edition', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('check', 'final')`))
      .addColumn('question_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull());

  // Answers per question version: attempts (blank ones included), correct, and non-blank.
  await base('item_stat')
    .addColumn('shard', 'smallint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('correct', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('answered', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('item_stat_pk', [...KEY, 'shard'])
    .execute();

  // How often each option was chosen ('true'/'false' for true/false questions; for ordering
  // questions, how often each step was put in its right place).
  await base('item_option_stat')
    .addColumn('option_id', 'text', (c) => c.notNull())
    .addColumn('shard', 'smallint', (c) => c.notNull())
    .addColumn('chosen', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('item_option_stat_pk', [...KEY, 'option_id', 'shard'])
    .execute();

  // Time spent per question in log-spaced buckets (0: under 1 s, 1–24: 1 s to 10 min, 25: 10 min or more),
  // enough for a median without keeping each time. Not sharded: one question's answers already spread
  // over a dozen buckets, and this is the largest table to read.
  await base('item_time_bucket')
    .addColumn('bucket', 'smallint', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('item_time_bucket_pk', [...KEY, 'bucket'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['item_time_bucket', 'item_option_stat', 'item_stat']) await db.schema.dropTable(t).ifExists().execute();
}
