import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** Counts one hit in a fixed window; returns the hits so far and when the window started. */
export async function hitWindow(db: Kysely<Database>, key: string, windowSeconds: number): Promise<{ hits: number; windowStart: Date }> {
  const expired = sql<boolean>`rate_limit.window_start < now() - make_interval(secs => ${windowSeconds})`;
  const row = await db
    .insertInto('rate_limit')
    .values({ key, window_start: sql`now()`, hits: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        hits: sql`case when ${expired} then 1 else rate_limit.hits + 1 end`,
        window_start: sql`case when ${expired} then now() else rate_limit.window_start end`,
      }),
    )
    .returning(['hits', 'window_start'])
    .executeTakeFirstOrThrow();
  return { hits: row.hits, windowStart: new Date(row.window_start) };
}

/** The current window of a key, if any (no hit counted). */
export async function readWindow(db: Kysely<Database>, key: string): Promise<{ hits: number; windowStart: Date } | undefined> {
  const row = await db.selectFrom('rate_limit').select(['hits', 'window_start']).where('key', '=', key).executeTakeFirst();
  return row ? { hits: row.hits, windowStart: new Date(row.window_start) } : undefined;
}

/** Forgets a key (e.g. after a successful sign-in for that number). */
export async function clearKey(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('rate_limit').where('key', '=', key).execute();
}

/** Drops windows that ended long ago. */
export async function pruneOld(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('rate_limit').where('window_start', '<', sql<Date>`now() - interval '1 day'`).execute();
}
