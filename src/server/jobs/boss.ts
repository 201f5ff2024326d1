/**
 * Background jobs on Postgres with pg-boss (schema `pgboss`), on the same database as everything
 * else: PGlite in-process through pg-boss's PGlite adapter, or the app's own pg pool on a server.
 * - One PgBoss instance per database handle, started on first use. `start()` installs pg-boss's
 *   schema, or upgrades it, under pg-boss's own advisory lock; `migrateToLatest` calls it after our
 *   migrations so a fresh database has both.
 * - Jobs are sent inside the caller's transaction (`db: fromKysely(trx)`): the change and its job
 *   commit together or not at all. On PGlite (one connection) the instance must be started BEFORE
 *   that transaction opens, so callers get their sender first (see `jobSender`).
 * - Schedules (`SCHEDULES`, pg-boss's cron) are written with the queues. Only an instance started
 *   with `schedule: true` runs the cron passes that turn them into jobs: `npm run worker` on
 *   Postgres, the one server process on PGlite; never the app servers on Postgres.
 * - Nothing here holds a session: no LISTEN (queues do not opt into notify), no session advisory
 *   locks (pg-boss takes `pg_advisory_xact_lock` inside its own statements), no prepared statements,
 *   so it works behind PgBouncer in transaction pooling mode.
 * See README "Background jobs".
 */
import type { Kysely, Transaction } from 'kysely';
import { PgBoss, fromKysely, fromPglite, type Queue } from 'pg-boss';
import { rawDbOf, type RawDb } from '../db/connect.ts';
import type { Database } from '../db/schema.ts';

export const JOB_SCHEMA = 'pgboss';

/** Every queue, with its retry and liveness policy. */
export const QUEUES = {
  /** Recount of one unit's subtree (data: { id } of a recount_job row). */
  recount: {
    name: 'recount',
    // Retried with exponential backoff (1 s, 2 s, 4 s … capped at 5 minutes), 10 times.
    retryLimit: 10,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 300,
    // A worker that dies stops sending heartbeats: after 10 s the supervisor hands the job out again.
    heartbeatSeconds: 10,
    expireInSeconds: 4 * 60 * 60,
    deleteAfterSeconds: 7 * 24 * 60 * 60,
  },
  /** Daily deletion of expired short-lived rows (src/server/housekeeping; data: {}). */
  housekeeping: {
    name: 'housekeeping',
    // Each page commits on its own and a second run deletes nothing more, so retrying is safe.
    retryLimit: 3,
    retryDelay: 60,
    retryBackoff: true,
    retryDelayMax: 15 * 60,
    expireInSeconds: 60 * 60,
    deleteAfterSeconds: 7 * 24 * 60 * 60,
  },
} satisfies Record<string, Queue>;

export type QueueName = keyof typeof QUEUES;

/** Recurring jobs: pg-boss's cron, evaluated in Vietnam time (no daylight saving). */
export const SCHEDULES: readonly { queue: QueueName; cron: string; tz: string }[] = [
  // Every day at 03:15 in Vietnam, the quietest hour. A day missed while no worker ran is made up once.
  { queue: 'housekeeping', cron: '15 3 * * *', tz: 'Asia/Ho_Chi_Minh' },
];

// One instance per database even across the server entry's and Astro's bundle's copies of this module.
interface Started {
  boss: Promise<PgBoss>;
  /** Whether this instance runs the cron passes of `SCHEDULES`. */
  schedule: boolean;
}
const BOSSES_KEY = Symbol.for('hocso.jobs.bosses');
const bosses: WeakMap<object, Started> = ((globalThis as Record<symbol, unknown>)[BOSSES_KEY] as WeakMap<object, Started> | undefined) ?? new WeakMap();
(globalThis as Record<symbol, unknown>)[BOSSES_KEY] = bosses;

/**
 * The started pg-boss instance of a database handle opened by src/server/db/connect.ts. With
 * `schedule: true` the instance also runs the cron passes; pg-boss reads that option only when the
 * instance is made, so the process that schedules must be the first to ask (`startJobWorker` in
 * `npm run worker`, or in the PGlite server, asks before anything else does).
 */
export function jobQueue(db: Kysely<Database> | Kysely<any>, opts: { schedule?: boolean } = {}): Promise<PgBoss> {
  const schedule = opts.schedule ?? false;
  const found = bosses.get(db);
  if (found) {
    if (schedule && !found.schedule) return Promise.reject(new Error('jobs: this database handle already has a job queue that does not run schedules'));
    return found.boss;
  }
  const boss = startBoss(db, schedule);
  bosses.set(db, { boss, schedule });
  boss.catch(() => bosses.delete(db));
  return boss;
}

function options(raw: RawDb) {
  return {
    db: raw.kind === 'pglite' ? fromPglite(raw.pglite!) : { executeSql: raw.executeSql },
    backend: raw.kind === 'pglite' ? ('pglite' as const) : ('postgres' as const),
    schema: JOB_SCHEMA,
    migrate: true,
    schedule: false,
    registerInstance: false,
    persistWarnings: false,
    monitorVacuum: false,
    reindex: false,
    useListenNotify: false,
  };
}

async function createQueues(boss: PgBoss): Promise<void> {
  for (const q of Object.values(QUEUES)) {
    const { name, ...opts } = q;
    if (await boss.getQueue(name)) await boss.updateQueue(name, opts);
    else await boss.createQueue(name, opts);
  }
  // An upsert: the schedule row follows this list at every start.
  for (const s of SCHEDULES) await boss.schedule(s.queue, s.cron, {}, { tz: s.tz, missed: 'once' });
}

/**
 * Installs or upgrades pg-boss's schema and our queues (called by migrateToLatest after our own
 * migrations), with a short-lived instance that starts no timers. A Kysely instance not opened by
 * src/server/db/connect.ts has nothing to install with and is left alone.
 */
export async function installJobSchema(db: Kysely<any>): Promise<void> {
  const raw = rawDbOf(db);
  if (!raw) return;
  const boss = new PgBoss({ ...options(raw), supervise: false });
  boss.on('error', (err: Error) => console.error(`[jobs] ${err.message}`));
  await boss.start();
  try {
    await createQueues(boss);
  } finally {
    await boss.stop({ graceful: false, timeout: 1000 });
  }
}

async function startBoss(db: Kysely<any>, schedule: boolean): Promise<PgBoss> {
  const raw = rawDbOf(db);
  if (!raw) throw new Error('jobs: this database handle was not opened by src/server/db/connect.ts');
  const boss = new PgBoss({
    ...options(raw),
    // The cron passes (each claimed by one instance at a time, every 30 s) and the internal queue
    // that forwards due occurrences to their queues, worked by this instance. Schedules are daily,
    // so that queue is polled every 30 s rather than pg-boss's 5.
    schedule,
    cronWorkerIntervalSeconds: 30,
    // Supervision re-delivers jobs whose worker died (heartbeat) and deletes old ones. Every
    // process supervises; pg-boss claims each pass with a row lock, so only one does the work.
    supervise: true,
    superviseIntervalSeconds: 5,
    monitorIntervalSeconds: 5,
    maintenanceIntervalSeconds: 60 * 60,
  });
  boss.on('error', (err: Error) => console.error(`[jobs] ${err.message}`));
  await boss.start();
  await createQueues(boss);
  raw.closeHooks.push(() => boss.stop({ graceful: true, timeout: 10_000 }));
  return boss;
}

/** Sends jobs inside a transaction; obtained before the transaction opens (see the header). */
export type JobSender = (trx: Transaction<Database>, queue: QueueName, data: object) => Promise<string | null>;

export async function jobSender(db: Kysely<Database>): Promise<JobSender> {
  const boss = await jobQueue(db);
  return (trx, queue, data) => boss.send(queue, data, { db: fromKysely(trx) });
}
