/** Item-analysis counters: one upsert per table and submission, and per-course reads that sum shards. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, ItemSource } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface ItemKeyRow {
  course_slug: string;
  edition: string;
  source: ItemSource;
  question_id: string;
  version: string;
}
export interface StatRow extends ItemKeyRow {
  shard: number;
  attempts: number;
  correct: number;
  answered: number;
}
export interface OptionRow extends ItemKeyRow {
  option_id: string;
  shard: number;
  chosen: number;
}
export interface TimeRow extends ItemKeyRow {
  bucket: number;
  n: number;
}

const KEY = ['course_slug', 'edition', 'source', 'question_id', 'version'] as const;

/**
 * Adds a submission's counts. Callers pass rows sorted by key and free of duplicates, so concurrent
 * submissions on the same shard lock rows in the same order and never deadlock.
 */
export async function addCounts(trx: Transaction<Database>, stats: StatRow[], options: OptionRow[], times: TimeRow[]): Promise<void> {
  if (stats.length) {
    await trx
      .insertInto('item_stat')
      .values(stats)
      .onConflict((oc) =>
        oc.columns([...KEY, 'shard']).doUpdateSet((eb) => ({
          attempts: eb('item_stat.attempts', '+', eb.ref('excluded.attempts')),
          correct: eb('item_stat.correct', '+', eb.ref('excluded.correct')),
          answered: eb('item_stat.answered', '+', eb.ref('excluded.answered')),
        })),
      )
      .execute();
  }
  if (options.length) {
    await trx
      .insertInto('item_option_stat')
      .values(options)
      .onConflict((oc) => oc.columns([...KEY, 'option_id', 'shard']).doUpdateSet((eb) => ({ chosen: eb('item_option_stat.chosen', '+', eb.ref('excluded.chosen')) })))
      .execute();
  }
  if (times.length) {
    await trx
      .insertInto('item_time_bucket')
      .values(times)
      .onConflict((oc) => oc.columns([...KEY, 'bucket']).doUpdateSet((eb) => ({ n: eb('item_time_bucket.n', '+', eb.ref('excluded.n')) })))
      .execute();
  }
}

export interface StatSum {
  source: ItemSource;
  question_id: string;
  version: string;
  attempts: number;
  correct: number;
  answered: number;
}

/** Totals per (source, question, version) of a course, over one edition or all; a primary-key range read. */
export function statSums(db: Db, course: string, edition: string | undefined): Promise<StatSum[]> {
  let q = db
    .selectFrom('item_stat')
    .select([
      'source',
      'question_id',
      'version',
      sql<number>`sum(attempts)::int8`.as('attempts'),
      sql<number>`sum(correct)::int8`.as('correct'),
      sql<number>`sum(answered)::int8`.as('answered'),
    ])
    .where('course_slug', '=', course);
  if (edition) q = q.where('edition', '=', edition);
  return q.groupBy(['source', 'question_id', 'version']).execute();
}

/** Times each option of the given question versions was chosen, over one edition or all. */
export async function optionSums(db: Db, course: string, edition: string | undefined, versions: string[]) {
  if (!versions.length) return [];
  let q = db
    .selectFrom('item_option_stat')
    .select(['source', 'question_id', 'version', 'option_id', sql<number>`sum(chosen)::int8`.as('chosen')])
    .where('course_slug', '=', course)
    .where('version', 'in', versions);
  if (edition) q = q.where('edition', '=', edition);
  return q.groupBy(['source', 'question_id', 'version', 'option_id']).execute();
}

/** Timed answers per bucket of the given question versions, over one edition or all. */
export async function timeSums(db: Db, course: string, edition: string | undefined, versions: string[]) {
  if (!versions.length) return [];
  let q = db
    .selectFrom('item_time_bucket')
    .select(['source', 'question_id', 'version', 'bucket', sql<number>`sum(n)::int8`.as('n')])
    .where('course_slug', '=', course)
    .where('version', 'in', versions);
  if (edition) q = q.where('edition', '=', edition);
  return q.groupBy(['source', 'question_id', 'version', 'bucket']).execute();
}
