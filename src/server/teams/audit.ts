/** The audit log: every official action is written in the same transaction as the change itself. */
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { accessDb, dataDb, type Reads } from '../db/replica.ts';
import { requireUnitAccess, type Viewer } from './access.ts';
import * as repo from './teams.repository.ts';

/** Records an official action inside the transaction that makes it. */
export async function audit(trx: Transaction<Database>, v: Viewer, unitId: number | null, action: string, detail: Record<string, unknown>) {
  await repo.insertAudit(trx, { actorId: v.id, unitId, action, detail });
}

/** The audit log of everything inside a unit the viewer manages (access on the primary, entries from `reads`' replica). */
export async function auditLog(reads: Reads, v: Viewer, unitId: string | undefined) {
  const unit = await requireUnitAccess(accessDb(reads), v, unitId);
  return { unit, entries: await repo.auditUnder(dataDb(reads), unit.path) };
}
