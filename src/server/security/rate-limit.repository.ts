import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** The shape of a limit as the queries need it. */
export interface WindowSpec {
  max: number;
  windowSeconds: number;
  backoff?: { baseSeconds: number; maxSeconds: number };
}

const expiredSql = (windowSeconds: number) => sql<boolean>`rate_limit.window_start <= now() - make_interval(secs => ${windowSeconds}::float8)`;

/** Counts one hit in a fixed window; returns the hits so far and when the window started. */
export async function hitWindow(db: Kysely<Database>, key: string, windowSeconds: number): Promise<{ hits: number; windowStart: Date }> {
  const expired = expiredSql(windowSeconds);
  const row = await db
    .insertInto('rate_limit')
    .values({ key, window_start: sql`now()`, hits: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        hits: sql`case when ${expired} then 1 else rate_limit.hits + 1 end`,
        window_start: sql`case when ${expired} then now() else rate_limit.window_start end`,
        blocked_until: sql`case when ${expired} then null else rate_limit.blocked_until end`,
      }),
    )
    .returning(['hits', 'window_start'])
    .executeTakeFirstOrThrow();
  return { hits: row.hits, windowStart: new Date(row.window_start) };
}

/**
 * Takes one hit if the limit allows it, in one statement: the row lock of the upsert serialises
 * parallel requests, so at most `max` of N parallel hits are taken, never all N. A refused hit
 * changes nothing. With a backoff, hits past `max` are taken one at a time, each pushing
 * `blocked_until` further (base·2^k seconds, capped). Returns the window's start as exact text
 * (timestamptz has microseconds, a JS Date only milliseconds) for `refundHit`, or undefined when refused.
 */
export async function takeHit(db: Kysely<Database>, key: string, spec: WindowSpec): Promise<string | undefined> {
  const expired = expiredSql(spec.windowSeconds);
  const max = spec.max;
  const hasBackoff = spec.backoff !== undefined;
  const base = spec.backoff?.baseSeconds ?? 0;
  const cap = spec.backoff?.maxSeconds ?? 0;
  const row = await db
    .insertInto('rate_limit')
    .values({ key, window_start: sql`now()`, hits: 1, blocked_until: null })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({
          window_start: sql`case when ${expired} then now() else rate_limit.window_start end`,
          hits: sql`case when ${expired} then 1 else rate_limit.hits + 1 end`,
          blocked_until: hasBackoff
            ? sql`case when ${expired} or rate_limit.hits + 1 <= ${max}::int then null
                else now() + make_interval(secs => least(${base}::float8 * power(2::float8, least(rate_limit.hits - ${max}::int, 30)), ${cap}::float8)) end`
            : sql`null`,
        })
        .where(
          hasBackoff
            ? sql<boolean>`${expired} or rate_limit.hits < ${max}::int or coalesce(rate_limit.blocked_until <= now(), true)`
            : sql<boolean>`${expired} or rate_limit.hits < ${max}::int`,
        ),
    )
    .returning(sql<string>`window_start::text`.as('ws'))
    .executeTakeFirst();
  return row?.ws;
}

/** Seconds until a refused key takes hits again (at least 1), computed on the database clock. */
export async function secondsUntilFree(db: Kysely<Database>, key: string, spec: WindowSpec): Promise<number> {
  const windowEnd = sql`rate_limit.window_start + make_interval(secs => ${spec.windowSeconds}::float8)`;
  // A backoff key past its threshold waits for blocked_until; any other for its window's end.
  const until = spec.backoff ? sql`coalesce(least(rate_limit.blocked_until, ${windowEnd}), ${windowEnd})` : windowEnd;
  const row = await db
    .selectFrom('rate_limit')
    .select(sql<number>`greatest(1, ceil(extract(epoch from (${until} - now()))))::int`.as('wait'))
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? Number(row.wait) : 1;
}

/** Gives back a hit taken by `takeHit` in the same window (a new window already forgot it). */
export async function refundHit(db: Kysely<Database>, key: string, windowStart: string): Promise<void> {
  await db
    .updateTable('rate_limit')
    .set({ hits: sql`rate_limit.hits - 1` })
    .where('key', '=', key)
    .where('window_start', '=', sql<Date>`${windowStart}::timestamptz`)
    .where('hits', '>', 0)
    .execute();
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

/** Drops windows that ended long ago (the longest window is one day). */
export async function pruneOld(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('rate_limit').where('window_start', '<', sql<Date>`now() - interval '2 days'`).execute();
}
