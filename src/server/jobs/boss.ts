/**
 * Background jobs on Postgres with pg-boss (schema `pgboss`), on the same database as everything
 * else: PGlite in-process through pg-boss's PGlite adapter, or the app's own pg pool on a server.
 * - One PgBoss instance per database handle, started on first use. `start()` installs pg-boss's
 *   schema, or upgrades it, under pg-boss's own advisory lock; `migrateToLatest` calls it after our
 *   migrations so a fresh database has both.
 * - Jobs are sent inside the caller's transaction (`db: fromKysely(trx)`): the change and its job
 *   commit together or not at all. On PGlite (one connection) the instance must be started BEFORE
 *   that transaction opens, so callers get their sender first (see `jobSender`).
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
} satisfies Record<string, Queue>;

export type QueueName = keyof typeof QUEUES;

// One instance per database even across the server entry's and Astro's bundle's copies of this module.
const BOSSES_KEY = Symbol.for('hocso.jobs.bosses');
const bosses: WeakMap<object, Promise<PgBoss>> = ((globalThis as Record<symbol, unknown>)[BOSSES_KEY] as WeakMap<object, Promise<PgBoss>> | undefined) ?? new WeakMap();
(globalThis as Record<symbol, unknown>)[BOSSES_KEY] = bosses;

/** The started pg-boss instance of a database handle opened by src/server/db/connect.ts. */
export function jobQueue(db: Kysely<Database> | Kysely<any>): Promise<PgBoss> {
  let boss = bosses.get(db);
  if (!boss) {
    boss = startBoss(db);
    bosses.set(db, boss);
    boss.catch(() => bosses.delete(db));
  }
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

async function startBoss(db: Kysely<any>): Promise<PgBoss> {
  const raw = rawDbOf(db);
  if (!raw) throw new Error('jobs: this database handle was not opened by src/server/db/connect.ts');
  const boss = new PgBoss({
    ...options(raw),
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
