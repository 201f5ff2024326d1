/**
 * Working the queues: `startJobWorker` (every app server, and `npm run worker`) and
 * `runPendingJobs` (tests and `npm run db:recount`: runs whatever is queued now to its end, in this
 * process, with the same handlers). `startJobWorker(db, { schedule: true })` also runs pg-boss's cron
 * passes, which send the jobs of `SCHEDULES` (boss.ts) when they come due.
 */
import type { Kysely } from 'kysely';
import type { Job } from 'pg-boss';
import type { Database } from '../db/schema.ts';
import { describeCounts, runHousekeeping } from '../housekeeping/housekeeping.ts';
import { runRecountJob } from '../teams/recount-jobs.ts';
import { unfinishedRecountJobIds } from '../teams/recount-jobs.repository.ts';
import { jobQueue, QUEUES, type QueueName } from './boss.ts';

interface RunContext {
  signal?: AbortSignal;
  onChunk?: () => Promise<void> | void;
  lastAttempt: boolean;
}

const HANDLERS: Record<QueueName, (db: Kysely<Database>, data: any, ctx: RunContext) => Promise<void>> = {
  recount: (db, data: { id: number }, ctx) => runRecountJob(db, Number(data.id), ctx),
  housekeeping: async (db, _data: object, ctx) => {
    const counts = await runHousekeeping(db, { signal: ctx.signal, onPage: ctx.onChunk });
    console.log(`[housekeeping] ${describeCounts(counts).join('; ')}`);
  },
};

/** How often an idle worker asks for a job (seconds): recounts at once, the daily job without hurry. */
const POLLING_SECONDS: Record<QueueName, number> = { recount: 1, housekeeping: 30 };

const lastAttempt = (name: QueueName, job: Job<unknown>) => job.retryCount >= QUEUES[name].retryLimit;

/**
 * Sends a queue job again for each recount row that has lost its own: after a Postgres restore (pg-boss's
 * schema is not in backups), or a worker killed on the job's last attempt. Running a recount twice is
 * harmless, so a duplicate costs only time.
 */
async function requeueOrphans(db: Kysely<Database>): Promise<number> {
  const boss = await jobQueue(db);
  let sent = 0;
  for (const id of await unfinishedRecountJobIds(db)) {
    const live = (await boss.findJobs('recount', { data: { id } })).some((j) => j.state === 'created' || j.state === 'retry' || j.state === 'active');
    if (!live && (await boss.send('recount', { id }))) sent++;
  }
  return sent;
}

export interface JobWorker {
  stop(): Promise<void>;
}

/**
 * Works every queue in this process until stopped. One job at a time per queue. With `schedule`, this
 * process also runs the cron passes (see boss.ts: the dedicated worker on Postgres, the server on PGlite).
 */
export async function startJobWorker(db: Kysely<Database>, opts: { pollingIntervalSeconds?: number; schedule?: boolean } = {}): Promise<JobWorker> {
  const boss = await jobQueue(db, { schedule: opts.schedule });
  const names = Object.keys(HANDLERS) as QueueName[];
  // Stopping ends a running job at its next chunk boundary (it fails, and pg-boss retries it, which
  // resumes after its last committed chunk) instead of waiting for, say, a whole national recount.
  const stopping = new AbortController();
  await requeueOrphans(db);
  for (const name of names) {
    await boss.work(name, { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? POLLING_SECONDS[name], batchSize: 1, heartbeatRefreshSeconds: 4 }, async ([job]) => {
      if (!job) return;
      await HANDLERS[name](db, job.data, { signal: AbortSignal.any([job.signal, stopping.signal]), lastAttempt: lastAttempt(name, job) });
    });
  }
  return {
    async stop() {
      stopping.abort();
      for (const name of names) await boss.offWork(name, { wait: true });
    },
  };
}

/**
 * Runs every job that is ready now (and those its handlers queue) to completion in this process;
 * returns how many ran. A failing job is marked failed for pg-boss to retry, and the error thrown.
 */
export async function runPendingJobs(db: Kysely<Database>): Promise<number> {
  const boss = await jobQueue(db);
  await requeueOrphans(db);
  let ran = 0;
  for (;;) {
    let any = false;
    for (const name of Object.keys(HANDLERS) as QueueName[]) {
      for (const job of await boss.fetch(name, { batchSize: 1 })) {
        any = true;
        let beat = Date.now();
        const onChunk = async () => {
          if (Date.now() - beat < 3000) return;
          beat = Date.now();
          await boss.touch(name, job);
        };
        try {
          await HANDLERS[name](db, job.data, { onChunk, lastAttempt: lastAttempt(name, job) });
        } catch (err) {
          await boss.fail(name, job.id, { message: (err as Error).message });
          throw err;
        }
        await boss.complete(name, job.id);
        ran++;
      }
    }
    if (!any) return ran;
  }
}
