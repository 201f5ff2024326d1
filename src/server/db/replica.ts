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
/** After a failed measurement the replica is left alone for this long (reports read the primary meanwhile). */
const DOWN_CACHE_MS = 10_000;

/** What a report needs to know about the replica right now. */
export interface ReplicaState {
  /** False when the replica did not answer: reports then read the primary. */
  reachable: boolean;
  /** Set when the replica is more than STALE_AFTER_SECONDS behind. */
  stale?: ReplicaLag;
}

const stateCache = new WeakMap<Kysely<Database>, { at: number; value: Promise<ReplicaState> }>();

async function measureState(read: Kysely<Database>): Promise<ReplicaState> {
  try {
    const lag = await measureReplicaLag(read);
    return { reachable: true, stale: lag && lag.seconds > STALE_AFTER_SECONDS ? lag : undefined };
  } catch (err) {
    console.error(`[db] bản sao chỉ đọc (DATABASE_READ_URL) không trả lời, tạm đọc từ máy chủ chính: ${(err as Error).message}`);
    return { reachable: false };
  }
}

/** The replica's state, measured at most once a second per process (every ten seconds while it is down). */
export async function replicaState(read: Kysely<Database>): Promise<ReplicaState> {
  const now = Date.now();
  const entry = stateCache.get(read);
  if (entry) {
    const settled = await entry.value;
    if (now - entry.at <= (settled.reachable ? LAG_CACHE_MS : DOWN_CACHE_MS)) return settled;
  }
  const value = measureState(read);
  stateCache.set(read, { at: now, value });
  return value;
}

/** The replica's lag when it is worth telling the reader (more than STALE_AFTER_SECONDS), else undefined. */
export async function replicaStaleness(read: Kysely<Database>): Promise<ReplicaLag | undefined> {
  return (await replicaState(read)).stale;
}
