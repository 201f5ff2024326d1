/**
 * Reading reports from a streaming replica (DATABASE_READ_URL): which database a report reads, and
 * how far behind the replica is.
 *
 * The rule: officials' and leaders' read-only report pages (unit and team dashboards, their exports,
 * the audit log) read their data from the replica. Access checks always run on the primary, so a
 * scope that was just removed stops working at once, however far the replica lags. A page opened
 * right after the person's own write (a redirect carrying a `?tb=` notice) reads the primary, so
 * it shows that write. Everything else reads and writes the primary.
 */
import { Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/** A report's databases: access checks on `primary`, data from `replica` (the same instance without one). */
export interface ReportDbs {
  primary: Kysely<Database>;
  replica: Kysely<Database>;
}

/** What report functions accept: one database for everything, or a primary/replica pair. */
export type Reads = Kysely<Database> | ReportDbs;

/** The database for access checks (scopes, memberships): always the primary. */
export function accessDb(r: Reads): Kysely<Database> {
  return r instanceof Kysely ? r : r.primary;
}

/** The database the report's data comes from. */
export function dataDb(r: Reads): Kysely<Database> {
  return r instanceof Kysely ? r : r.replica;
}

/** Replicas further behind than this show a note with the time of their data. */
export const STALE_AFTER_SECONDS = 5;

/** How far a replica is behind: its data is as of `asOf`, `seconds` ago. */
export interface ReplicaLag {
  seconds: number;
  asOf: Date;
}

/**
 * Measures the replica's lag. Null when the server is not a replica (not in recovery) or has not
 * replayed a transaction since it started (its age is then unknown). A replica that has replayed
 * everything it received is current (lag 0) even if the primary has been idle for a while:
 * `now() - pg_last_xact_replay_timestamp()` alone would grow while nothing happens.
 */
export async function measureReplicaLag(read: Kysely<Database>): Promise<ReplicaLag | null> {
  const r = await sql<{ recovery: boolean; replayed_at: Date | string | null; caught_up: boolean; seconds: number | null; now: Date | string }>`
    select pg_is_in_recovery() as recovery,
           pg_last_xact_replay_timestamp() as replayed_at,
           coalesce(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false) as caught_up,
           extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as seconds,
           now() as now`.execute(read);
  const row = r.rows[0];
  if (!row || !row.recovery) return null;
  if (row.caught_up) return { seconds: 0, asOf: new Date(row.now) };
  if (row.replayed_at === null || row.seconds === null) return null;
  return { seconds: Math.max(0, Number(row.seconds)), asOf: new Date(row.replayed_at) };
}

/** How long one measurement is reused by every page of this process (a query per page is cheap, a few per second add up). */
const LAG_CACHE_MS = 1000;
const lagCache = new WeakMap<Kysely<Database>, { at: number; value: Promise<ReplicaLag | null> }>();

/**
 * The replica's lag when it is worth telling the reader (more than STALE_AFTER_SECONDS), else
 * undefined. A failed measurement says nothing rather than breaking the page.
 */
export async function replicaStaleness(read: Kysely<Database>): Promise<ReplicaLag | undefined> {
  const now = Date.now();
  let entry = lagCache.get(read);
  if (!entry || now - entry.at > LAG_CACHE_MS) {
    entry = { at: now, value: measureReplicaLag(read).catch(() => null) };
    lagCache.set(read, entry);
  }
  const lag = await entry.value;
  return lag && lag.seconds > STALE_AFTER_SECONDS ? lag : undefined;
}
