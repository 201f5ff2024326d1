/**
 * The real number of households of a village (from the commune's records), entered by an official
 * over it, so coverage can be read against every household and not only those on the teams' lists.
 * Communes and higher units show the sum of their villages. Every change is audit-logged.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { requireUnitAccess, TeamsError, type Viewer } from '../teams/access.ts';
import { audit } from '../teams/audit.ts';
import * as repo from './snapshots.repository.ts';

/** Sets (or, with null, clears) a village's real number of households. */
export async function setRealHouseholds(db: Kysely<Database>, v: Viewer, unitId: string | undefined, households: number | null): Promise<void> {
  const unit = await requireUnitAccess(db, v, unitId);
  if (unit.kind !== 'village') throw new TeamsError(400, 'Số hộ thực tế được nhập cho từng thôn, tổ dân phố; số của xã, phường là tổng các thôn.');
  await db.transaction().execute(async (trx) => {
    const before = households === null ? await repo.clearHouseholdTotal(trx, unit.id) : await repo.setHouseholdTotal(trx, unit.id, households, v.id);
    if (before !== households) await audit(trx, v, unit.id, 'household.total', { unit: unit.id, before, after: households });
  });
}

/** The real totals of a unit and of its children, for the coverage dashboard. */
export async function realTotals(db: Kysely<Database>, unit: { id: number; path: string }) {
  return repo.realTotalsWithChildren(db, unit);
}
