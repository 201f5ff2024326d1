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
import { addHousehold, editHousehold, householdDetail, moveHousehold } from '../../src/server/households/households.ts';
import { confirmLink, issueLinkCode } from '../../src/server/households/links.ts';
import { editVisit, recordVisit } from '../../src/server/households/visits.ts';
import { recountHouseholds } from '../../src/server/households/household-counters.ts';
import { todayVn } from '../../src/server/households/fields.ts';
import { runPendingJobs } from '../../src/server/jobs/worker.ts';
import ExcelJS from 'exceljs';
import { renameTeam } from '../../src/server/teams/team-changes.ts';
import { monthlyReport } from '../../src/server/households/report.ts';
import { renderReportXlsx } from '../../src/server/households/report-xlsx.ts';
import { currentMonth } from '../../src/server/households/scorecard.ts';
import { createTestDb } from '../setup/db.ts';
import { completeCitizenCourse } from '../setup/answers.ts';

let db: Kysely<Database>;
let member: Viewer;

beforeAll(async () => {
  db = (await createTestDb()).db;
  await seedTeamsDemo(db, 'hoc-thu-2026');
  const u = (await teamsRepo.findUserByPhone(db, '+84912000002'))!;
  member = { id: u.id, role: u.role };
}, 120_000);

const complete = (userId: string, slug: string) => completeCitizenCourse(db, userId, slug);

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

  it('correcting the name of the person helped keeps a citizen linked through that visit the same person', async () => {
    const h = await addHousehold(db, member, { label: 'Hộ anh Nam sửa tên (thử)', phone: null, note: null });
    const four = { 'dich-vu-cong': 'tu-lam', 'mua-sam': 'tu-lam', 'tu-bao-ve': 'tu-lam', 'nen-tang-dia-phuong': 'tu-lam' } as const;
    const v = await recordVisit(db, member, { householdId: h, date: todayVn(), person: 'anh Nan', outcomes: four, tasks: [], material: null, clientKey: null });
    const c = await db.insertInto('user').values({ phone: '+84912555201', display_name: 'Nguyễn Văn Nam', role: 'learner', password_hash: null }).returning('id').executeTakeFirstOrThrow();
    const { code } = await issueLinkCode(db, member, v, 'http://127.0.0.1:4321');
    await confirmLink(db, { id: c.id, role: 'learner' }, code, 'client-review');
    await complete(c.id, 'thanh-toan-truc-tuyen');
    expect((await householdDetail(db, member, h)).view.meetsTarget).toBe(true);
    // The member fixes a typo in the name: still one person with all five skills.
    await editVisit(db, member, v, { date: todayVn(), person: 'anh Nam', outcomes: four, tasks: [], material: null });
    expect((await householdDetail(db, member, h)).view.meetsTarget).toBe(true);
    await runPendingJobs(db);
    expect(await recountHouseholds(db, { fix: false })).toEqual([]);
  }, 120_000);
});

describe('the monthly report workbook', () => {
  it('a team named like a formula is written as text, as in every other export', async () => {
    const official = (await teamsRepo.findUserByPhone(db, '+84912000010'))!;
    const viewer: Viewer = { id: official.id, role: official.role };
    const team = (await teamsRepo.findMembership(db, member.id))!.team_id;
    const commune = (await teamsRepo.findTeam(db, team))!.unit_path.split('/').filter(Boolean).at(-2)!;
    const name = '=HYPERLINK("http://example.invalid","Tổ 1")';
    // Team names are refused as formulas now (renameTeam), but a name stored before that rule (or
    // written by another tool) must still leave the workbook as text: written directly here.
    await expect(renameTeam(db, viewer, String(team), name)).rejects.toMatchObject({ status: 400 });
    await db.updateTable('team').set({ name }).where('id', '=', team).execute();
    const h = await addHousehold(db, member, { label: 'Hộ báo cáo (thử)', phone: null, note: null });
    await recordVisit(db, member, { householdId: h, date: todayVn(), person: 'bà Sáu', outcomes: { 'mua-sam': 'tu-lam' }, tasks: [], material: null, clientKey: null });
    const r = await monthlyReport(db, viewer, commune, currentMonth());
    expect(r.topTeams.map((t) => t.name)).toContain(name);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderReportXlsx(r)) as never);
    const cells: string[] = [];
    wb.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((c) => cells.push(String(c.value)))));
    expect(cells).toContain(`'${name}`);
    expect(cells.filter((c) => /^[=+\-@]/.test(c))).toEqual([]);
  });
});

describe('moving a household', () => {
  it('is refused with 409 when the target team already lists a household of that label', async () => {
    const official = (await teamsRepo.findUserByPhone(db, '+84912000010'))!;
    const viewer: Viewer = { id: official.id, role: official.role };
    const hai = (await teamsRepo.findUserByPhone(db, '+84912000012'))!;
    const team2 = (await teamsRepo.findMembership(db, hai.id))!.team_id;
    const first = await addHousehold(db, member, { label: 'Hộ bà Chín, xóm 2', phone: null, note: null });
    await moveHousehold(db, viewer, first, String(team2));
    // The same family added again at the doorstep of the first team, then moved too.
    const again = await addHousehold(db, member, { label: 'Hộ Bà Chín xóm 2', phone: null, note: null });
    await expect(moveHousehold(db, viewer, again, String(team2))).rejects.toMatchObject({ status: 409, message: expect.stringContaining('Tổ đích đã có hộ') });
    expect((await householdDetail(db, member, again)).household.team_id).not.toBe(team2);
    await runPendingJobs(db);
    expect(await recountHouseholds(db, { fix: false })).toEqual([]);
  });
});


describe('one family is never listed twice, whatever arrives at the same moment', () => {
  it('two renames of two households to one label: one wins, the other gets 409', async () => {
    const a = await addHousehold(db, member, { label: 'Hộ đổi tên A', phone: null, note: null });
    const b = await addHousehold(db, member, { label: 'Hộ đổi tên B', phone: null, note: null });
    const to = { label: 'Hộ ông Mười, xóm 4', phone: null, note: null };
    const results = await Promise.allSettled([editHousehold(db, member, a, to), editHousehold(db, member, b, to)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { status: 409 } });
    const labels = await Promise.all([a, b].map(async (id) => (await householdDetail(db, member, id)).household.label));
    expect(labels.filter((l) => l === to.label)).toHaveLength(1);
  });

  it('a rename and an add of one label at the same moment: one wins, the other gets 409', async () => {
    const a = await addHousehold(db, member, { label: 'Hộ đổi tên C', phone: null, note: null });
    const to = { label: 'Hộ bà Mười Một, xóm 4', phone: null, note: null };
    const results = await Promise.allSettled([editHousehold(db, member, a, to), addHousehold(db, member, to)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { status: 409 } });
  });
});
