/**
 * Working the queues: `startJobWorker` (every app server, and `npm run worker`) and
 * `runPendingJobs` (tests and `npm run db:recount`: runs whatever is queued now to its end, in this
 * process, with the same handlers).
 */
import type { Kysely } from 'kysely';
import type { Job } from 'pg-boss';
import type { Database } from '../db/schema.ts';
import { runRecountJob } from '../teams/recount-jobs.ts';
import { jobQueue, QUEUES, type QueueName } from './boss.ts';

interface RunContext {
  signal?: AbortSignal;
  onChunk?: () => Promise<void> | void;
  lastAttempt: boolean;
}

const HANDLERS: Record<QueueName, (db: Kysely<Database>, data: any, ctx: RunContext) => Promise<void>> = {
  recount: (db, data: { id: number }, ctx) => runRecountJob(db, Number(data.id), ctx),
};

const lastAttempt = (name: QueueName, job: Job<unknown>) => job.retryCount >= QUEUES[name].retryLimit;

export interface JobWorker {
  stop(): Promise<void>;
}

/** Works every queue in this process until stopped. One job at a time per queue. */
export async function startJobWorker(db: Kysely<Database>, opts: { pollingIntervalSeconds?: number } = {}): Promise<JobWorker> {
  const boss = await jobQueue(db);
  const names = Object.keys(HANDLERS) as QueueName[];
  // Stopping ends a running job at its next chunk boundary (it fails, and pg-boss retries it, which
  // resumes after its last committed chunk) instead of waiting for, say, a whole national recount.
  const stopping = new AbortController();
  for (const name of names) {
    await boss.work(name, { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 1, batchSize: 1, heartbeatRefreshSeconds: 4 }, async ([job]) => {
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
