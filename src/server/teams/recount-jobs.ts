/**
 * Recounts as background jobs. A set-wide change records a `recount_job` row and sends its pg-boss
 * job in the change's own transaction, then returns; a worker (in every app server, or `npm run
 * worker`) runs it: one chunk (a commune, or a unit above communes for its own teams) per short
 * transaction, in unit id order, with the job's progress committed with each chunk.
 * - Idempotent: each chunk is recomputed from raw rows, so running one twice changes nothing; a
 *   retried job resumes after the last chunk it committed.
 * - Coalesced: a change joins a job of the same unit (or an ancestor) that has not started yet. A job
 *   that has started is never joined: the change gets a job of its own, so nothing is lost.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { jobSender } from '../jobs/boss.ts';
import { recountChunk } from './counters.ts';
import { chunkOf, chunksBelow, countChunksBelow, CHUNK_DEPTH, relaxCommit, unitPosition } from './counters.repository.ts';
import * as repo from './recount-jobs.repository.ts';

export type RecountReason = 'assign' | 'roster' | 'team.move' | 'member.move' | 'member.active';

/** Enqueues recounts for units changed in `trx` (obtained before the transaction opens). */
export type RecountEnqueuer = (trx: Transaction<Database>, unitIds: Iterable<number>, reason: RecountReason) => Promise<void>;

export async function recountEnqueuer(db: Kysely<Database>): Promise<RecountEnqueuer> {
  const send = await jobSender(db);
  return async (trx, unitIds, reason) => {
    // Below communes, the commune is the smallest unit a job recounts.
    const targets = new Map<number, string>();
    for (const id of unitIds) {
      const u = await unitPosition(trx, id);
      if (!u) continue;
      const target = u.depth > CHUNK_DEPTH ? await unitPosition(trx, chunkOf(u.path)) : u;
      if (target) targets.set(target.id, target.path);
    }
    for (const [id, path] of [...targets].sort((a, b) => a[0] - b[0])) {
      const jobId = await repo.queueRecountJob(trx, id, path, reason);
      if (jobId !== undefined) await send(trx, 'recount', { id: jobId });
    }
  };
}

export interface RecountRunOptions {
  /** Stop between chunks (the job is retried and resumes after the last committed chunk). */
  signal?: AbortSignal;
  /** Called after each chunk (heartbeat for runners that are not pg-boss's own workers). */
  onChunk?: () => Promise<void> | void;
  /** This is the last attempt pg-boss will make: a failure marks the job failed. */
  lastAttempt?: boolean;
}

/** Runs recount job `id` to its end (the pg-boss handler of queue `recount`). */
export async function runRecountJob(db: Kysely<Database>, id: number, opts: RecountRunOptions = {}): Promise<void> {
  const job = await repo.startRecountJob(db, id);
  if (!job) return; // done already, or gone
  try {
    const whole = job.depth < CHUNK_DEPTH;
    if (job.total === null) await repo.setRecountTotal(db, id, whole ? await countChunksBelow(db, job.path) : 1);
    let after = job.cursor ?? 0;
    for (;;) {
      const chunks = whole ? await chunksBelow(db, job.path, after, 500) : after ? [] : [{ id: job.unit_id, path: job.path, depth: job.depth }];
      if (!chunks.length) break;
      for (const chunk of chunks) {
        if (opts.signal?.aborted) throw new Error('stopped before the end (worker stopping); resumes on retry');
        await db.transaction().execute(async (trx) => {
          await relaxCommit(trx);
          // Progress first: the recount's last statement locks ancestor rows, held until the commit.
          await repo.advanceRecountJob(trx, id, chunk.id);
          await recountChunk(trx, chunk);
        });
        after = chunk.id;
        await opts.onChunk?.();
      }
    }
    await repo.finishRecountJob(db, id);
  } catch (err) {
    await repo.recordRecountError(db, id, (err as Error).message, Boolean(opts.lastAttempt)).catch(() => {});
    throw err;
  }
}
