/**
 * A team's household list read one page at a time in SQL gives exactly what the list gave when it
 * was built in the app from every household (`householdPage`, the reference): same order (removal
 * requests first, then label and id), same search (tones, đ, case and spaces folded), same paging
 * and clamping. And recording a visit in its few statements keeps every counter exact: a visit that
 * records consent, and visits to one household at the same moment, leave nothing for the recount.
 * The dashboard's merged reads give what the separate ones gave, at every level.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/server/db/schema.ts';
import { seedTeamsDemo } from '../../src/server/teams/seed.ts';
import * as teamsRepo from '../../src/server/teams/teams.repository.ts';
import type { Viewer } from '../../src/server/teams/access.ts';
import { addHousehold, householdPage, teamHouseholdList, teamHouseholds } from '../../src/server/households/households.ts';
import { teamCoverage } from '../../src/server/households/dashboard.ts';
import { recordVisit } from '../../src/server/households/visits.ts';
import { recountHouseholds } from '../../src/server/households/household-counters.ts';
import * as repo from '../../src/server/households/households.repository.ts';
import { todayVn } from '../../src/server/households/fields.ts';
import { lastMonths } from '../../src/server/households/dashboard.ts';
import { setRealHouseholds } from '../../src/server/households/real-totals.ts';
import * as snap from '../../src/server/households/snapshots.repository.ts';
import { createTestDb } from '../setup/db.ts';

let db: Kysely<Database>;
let memberA: Viewer;
let officialA: Viewer;
let officialB: Viewer;
let team1: number;

const viewer = async (phone: string): Promise<Viewer> => {
  const u = (await teamsRepo.findUserByPhone(db, phone))!;
  return { id: u.id, role: u.role };
};

beforeAll(async () => {
  db = (await createTestDb()).db;
  await seedTeamsDemo(db, 'hoc-thu-2026');
  memberA = await viewer('+84912000002');
  officialA = await viewer('+84912000010');
  officialB = await viewer('+84912000020');
  team1 = (await teamsRepo.findMembership(db, memberA.id))!.team_id;
  // 130 households: tones, đ, upper case, labels that sort together, a few removal requests.
  const labels = [
    'Hộ bác Tư, ngõ 3', 'Hộ bà Tư', 'HỘ ÔNG ĐỨC', 'Hộ anh Đức xóm 2', 'Hộ chị Hoa', 'hộ chị hoa (nhà sau)', 'Hộ Ơn', 'Hộ ưng', 'Ấp Bắc', 'Hộ Đặng Văn Lâm',
    ...Array.from({ length: 120 }, (_, i) => `Hộ số ${String((i * 37) % 120 + 1).padStart(3, '0')}${i % 7 === 0 ? ' Tư' : ''}`),
  ];
  const ids: string[] = [];
  for (const label of labels) ids.push(await addHousehold(db, memberA, { label, phone: null, note: null }));
  for (const i of [1, 4, 57, 99]) await repo.requestRemoval(db, ids[i]!);
}, 180_000);

describe('household list pages', () => {
  const cases: [string, number][] = [
    ['', 1], ['', 2], ['', 3], ['', 4], ['', 99], ['', 0], ['', -3], ['', 2.7],
    ['tư', 1], ['bac tu', 1], ['TU', 2], ['duc', 1], ['đức', 1], ['DUC  XOM', 1], ['  hoa ', 1], ['ho so 0', 1], ['ho so 0', 2], ['ho so 0', 3],
    ['ơn', 1], ['ung', 1], ['ap bac', 1], ['không có', 1], ['\u0301', 1], ['số 1', 5],
  ];

  it('each page, search and page number gives what the in-app list gave', async () => {
    const all = (await teamHouseholds(db, memberA)).households;
    expect(all).toHaveLength(130);
    for (const [query, page] of cases) {
      const want = householdPage(all, query, page);
      const got = (await teamHouseholdList(db, memberA, undefined, { query, page })).list;
      expect({ asked: [query, page], ...got }).toEqual({ asked: [query, page], ...want });
      expect(got.items.map((h) => h.id)).toEqual(want.items.map((h) => h.id));
      // The officials' drill-down page reads the same list.
      const d = await teamCoverage(db, officialA, team1, { query, page });
      expect(d.list).toEqual(want);
      expect(d.totals.households).toBe(130);
    }
  });

  it('puts removal requests first and keeps access rules', async () => {
    const first = (await teamCoverage(db, officialA, team1)).list.items.slice(0, 4);
    expect(first.every((h) => h.removalRequested)).toBe(true);
    await expect(teamCoverage(db, officialB, team1)).rejects.toMatchObject({ status: 404 });
  });
});

describe('recording a visit in few statements', () => {
  it('a visit to a household not yet asked records its consent and counts it once', async () => {
    const id = await db.transaction().execute(async (trx) => {
      const hid = await repo.insertHousehold(trx, { teamId: team1, label: 'Hộ nhập chưa hỏi', phone: null, note: null, consent: 'not_asked', by: officialA.id });
      await repo.addTeamCounter(trx, team1, { households: 1, consented: 0, meeting_target: 0, linked_citizens: 0, cov_dich_vu_cong: 0, cov_mua_sam: 0, cov_thanh_toan: 0, cov_tu_bao_ve: 0, cov_nen_tang_dia_phuong: 0, all_skills: 0 });
      return hid;
    });
    const before = await repo.teamVector(db, team1);
    await recordVisit(db, memberA, { householdId: id, date: todayVn(), person: 'bà Năm', outcomes: { 'mua-sam': 'tu-lam' }, tasks: [], material: null, clientKey: null });
    const h = (await repo.findHousehold(db, id))!;
    expect(h.consent).toBe('given');
    expect(h.consent_at).not.toBeNull();
    const after = await repo.teamVector(db, team1);
    expect(after.consented - before.consented).toBe(1);
    expect(after.cov_mua_sam - before.cov_mua_sam).toBe(1);
    const audit = await db.selectFrom('audit_log').select(['action', 'detail', 'unit_id']).where('action', '=', 'visit.create').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ household: id, anonymous: false });
    expect(await recountHouseholds(db, { fix: false })).toEqual([]);
  });

  it('visits to one household at the same moment are all stored and counted', async () => {
    const id = await addHousehold(db, memberA, { label: 'Hộ nhiều lượt cùng lúc', phone: null, note: null });
    const skills = ['dich-vu-cong', 'mua-sam', 'thanh-toan', 'tu-bao-ve', 'nen-tang-dia-phuong'] as const;
    const ids = await Promise.all(skills.map((s) => recordVisit(db, memberA, { householdId: id, date: todayVn(), person: 'ông Bảy', outcomes: { [s]: 'tu-lam' }, tasks: [], material: null, clientKey: null })));
    expect(new Set(ids).size).toBe(5);
    expect((await repo.findHousehold(db, id))!.meets_target).toBe(true);
    expect(await recountHouseholds(db, { fix: false })).toEqual([]);
  });
});

describe('dashboard reads merged into fewer statements', () => {
  it('give the same figures as the separate reads at every level, and for a team', async () => {
    const team = (await teamsRepo.findTeam(db, team1))!;
    const ids = team.unit_path.split('/').filter(Boolean).map(Number);
    const village = ids.at(-1)!;
    await setRealHouseholds(db, officialA, String(village), 321);
    const since = lastMonths(12)[0]!;
    for (const id of ids) {
      const unit = (await teamsRepo.findUnit(db, id))!;
      const merged = await repo.unitAndChildVectors(db, unit);
      expect(merged).toEqual({ total: await repo.unitVector(db, unit.path), children: await repo.childVectors(db, unit) });
      const act = await repo.monthlyActivity(db, { path: unit.path }, since);
      expect(act).toEqual({ months: await repo.monthly(db, { path: unit.path }, since), activeMembers: await repo.activeMembers(db, { path: unit.path }, since) });
      expect(act.months.length).toBeGreaterThan(0);
      const real = await snap.realTotalsWithChildren(db, unit);
      expect(real).toEqual({ total: await snap.realTotalUnder(db, unit.path), children: await snap.realTotalsOfChildren(db, unit) });
      expect(real.total.households).toBe(321);
    }
    const act = await repo.monthlyActivity(db, { teamId: team1 }, since);
    expect(act).toEqual({ months: await repo.monthly(db, { teamId: team1 }, since), activeMembers: await repo.activeMembers(db, { teamId: team1 }, since) });
    expect(act.activeMembers).toBeGreaterThan(0);
  });
});
