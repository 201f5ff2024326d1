/**
 * Keeping the dashboard counters exact, in the same transaction as each change:
 * - a completion adds one to the bucket (unit, course, edition, due date) of the member's unit and
 *   every ancestor — a handful of primary-key updates;
 * - set-wide changes (imports, assignments, moves, deactivations, activations) recount the affected
 *   subtree from raw rows and apply the difference at its root to the ancestors above it.
 * `npm run db:recount` recomputes everything and reports any difference.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import * as repo from './counters.repository.ts';

export type { CounterDiff } from './counters.repository.ts';

/** Called by the learning rules right after a course completion is recorded (same transaction). */
export async function countCompletion(trx: Transaction<Database>, userId: string, course: string, edition: string): Promise<void> {
  const path = await repo.activeMemberPath(trx, userId);
  if (!path) return; // citizens belong to no team: nothing to count
  await repo.lockCountersShared(trx);
  const due = await repo.effectiveDue(trx, path, course, edition);
  if (!due) return; // not a required course for this member
  await repo.addCompletion(trx, userId, path, course, edition, due);
}

/** Recounts the subtrees of the given units (raw rows already changed in this transaction). */
export async function recountUnits(trx: Transaction<Database>, unitIds: Iterable<number>): Promise<void> {
  await repo.lockCountersExclusive(trx);
  for (const id of new Set(unitIds)) {
    const u = await repo.unitPosition(trx, id);
    if (!u) continue;
    await repo.computeFresh(trx, u.path, u.depth);
    await repo.applyFresh(trx, u.id, u.path);
  }
}

/**
 * Recomputes every counter from raw rows. Returns the differences found before fixing them
 * (with `fix: false`, nothing is written).
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
