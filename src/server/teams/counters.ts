/**
 * Keeping the dashboard counters exact:
 * - a completion adds one to the bucket (unit, course, edition, due date) of the member's unit and
 *   every ancestor, in the completion's transaction, under its commune's shared lock only;
 * - set-wide changes (imports, assignments, moves, deactivations) enqueue a recount job
 *   (recount-jobs.ts) in their own transaction and return; the job recounts the affected subtree one
 *   chunk (commune) per short transaction from raw rows, and applies each commune's difference to the
 *   ancestors above it;
 * - single-person changes (activation, account deletion) recount their commune in their transaction.
 * `npm run db:recount` recomputes everything and reports any difference. See README "Decisions: counters".
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import * as repo from './counters.repository.ts';

export type { CounterDiff } from './counters.repository.ts';

/** Called by the learning rules right after a course completion is recorded (same transaction). */
export async function countCompletion(trx: Transaction<Database>, userId: string, course: string, edition: string): Promise<void> {
  const path = await repo.lockActiveMemberPath(trx, userId);
  if (!path) return; // citizens belong to no team: nothing to count
  await repo.addCompletion(trx, userId, path, course, edition);
}

/**
 * Recounts one chunk in the caller's transaction: the subtree of a commune (a unit at CHUNK_DEPTH),
 * or, for a unit above communes, the members of its own teams. Holds the chunk's lock exclusively
 * until the transaction ends, so keep that transaction short.
 */
export async function recountChunk(trx: Transaction<Database>, chunk: { id: number; path: string; depth: number }): Promise<void> {
  await repo.lockChunkExclusive(trx, chunk.id);
  await repo.recountChunkRows(trx, chunk);
}

/**
 * Recounts, in the caller's transaction, the chunk each given unit's own members count in: for
 * changes to single people (activation, account deletion), never for set-wide ones.
 */
export async function recountMembersOf(trx: Transaction<Database>, unitIds: Iterable<number>): Promise<void> {
  const chunks = new Set<number>();
  for (const id of unitIds) {
    const u = await repo.unitPosition(trx, id);
    if (u) chunks.add(repo.chunkOf(u.path));
  }
  for (const id of [...chunks].sort((a, b) => a - b)) {
    const c = await repo.unitPosition(trx, id);
    if (c) await recountChunk(trx, c);
  }
}

/**
 * Recomputes every counter from raw rows in one transaction, holding the global lock exclusively
 * (completions and recount chunks wait). Returns the differences found before fixing them (with
 * `fix: false`, nothing is written).
 */
export async function recountAll(db: Kysely<Database>, opts: { fix: boolean }): Promise<repo.CounterDiff[]> {
  return db.transaction().execute(async (trx) => {
    await repo.lockCountersExclusive(trx);
    const diffs: repo.CounterDiff[] = [];
    for (const root of await repo.rootUnits(trx)) {
      await repo.computeFresh(trx, root.path, root.depth);
      diffs.push(...(await repo.diffFresh(trx, root.path)));
      if (opts.fix) await repo.applyFresh(trx, root.id, root.path);
    }
    return diffs;
  });
}
