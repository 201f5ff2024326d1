/**
 * Found in review (issue "Doorstep help and household coverage"): edge cases of help visits on a
 * real database (PGlite or Postgres).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/server/db/schema.ts';
import { seedTeamsDemo } from '../../src/server/teams/seed.ts';
import * as teamsRepo from '../../src/server/teams/teams.repository.ts';
import type { Viewer } from '../../src/server/teams/access.ts';
import { addHousehold } from '../../src/server/households/households.ts';
import { editVisit, recordVisit } from '../../src/server/households/visits.ts';
import { recountHouseholds } from '../../src/server/households/household-counters.ts';
import { todayVn } from '../../src/server/households/fields.ts';
import { runPendingJobs } from '../../src/server/jobs/worker.ts';
import { createTestDb } from '../setup/db.ts';

let db: Kysely<Database>;
let member: Viewer;

beforeAll(async () => {
  db = (await createTestDb()).db;
  await seedTeamsDemo(db, 'hoc-thu-2026');
  const u = (await teamsRepo.findUserByPhone(db, '+84912000002'))!;
  member = { id: u.id, role: u.role };
}, 120_000);

/** The first day of the month before today's (Vietnam time), as YYYY-MM-DD. */
function lastMonthDay(): string {
  const [y, m] = todayVn().split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 10);
}

describe('correcting a visit', () => {
  it('a double-submitted correction that moves the visit to another month keeps the month counters exact', async () => {
    const h = await addHousehold(db, member, { label: 'Hộ sửa hai lần (thử)', phone: null, note: null });
    const id = await recordVisit(db, member, { householdId: h, date: lastMonthDay(), person: 'bà Năm', outcomes: { 'mua-sam': 'tu-lam' }, tasks: [], material: null, clientKey: null });
    const input = { date: todayVn(), person: 'bà Năm', outcomes: { 'mua-sam': 'tu-lam' as const }, tasks: [], material: null };
    // The same correction posted twice at once (a double tap on "Lưu thay đổi"). On PGlite (one
    // connection) both reads happen before either transaction, so without the row lock this fails every time.
    await Promise.all([editVisit(db, member, id, input), editVisit(db, member, id, input)]);
    await runPendingJobs(db);
    expect(await recountHouseholds(db, { fix: false })).toEqual([]);
  });
});
