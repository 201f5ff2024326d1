/**
 * The team-effectiveness scorecard, the monthly report and the monthly snapshots on a real database
 * (PGlite or Postgres): every metric computed from real rows (visits, attendance, questions, course
 * assignments), each criterion with its formula and data, access by scope.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/server/db/schema.ts';
import { seedTeamsDemo } from '../../src/server/teams/seed.ts';
import * as teamsRepo from '../../src/server/teams/teams.repository.ts';
import type { Viewer } from '../../src/server/teams/access.ts';
import { addHousehold } from '../../src/server/households/households.ts';
import { recordVisit } from '../../src/server/households/visits.ts';
import { todayVn } from '../../src/server/households/fields.ts';
import { buildScorecard, currentMonth, previousMonth, teamScorecard, unitScorecard } from '../../src/server/households/scorecard.ts';
import { insertAttendance } from '../../src/server/topics/attendance.repository.ts';
import { insertQuestion } from '../../src/server/topics/questions.repository.ts';
import { monthlyReport } from '../../src/server/households/report.ts';
import { renderReportPdf } from '../../src/server/households/report-pdf.ts';
import { renderReportXlsx } from '../../src/server/households/report-xlsx.ts';
import { ensureMonthClosed } from '../../src/server/households/snapshots.ts';
import * as snap from '../../src/server/households/snapshots.repository.ts';
import ExcelJS from 'exceljs';
import { createTestDb } from '../setup/db.ts';
import { pdfInfo, pdfLines } from '../setup/pdf.ts';

let db: Kysely<Database>;
let memberA: Viewer;
let leaderA: Viewer;
let officialA: Viewer;
let officialB: Viewer;
let citizen: Viewer;
let team1: number;
let communeA: string;

const viewer = async (phone: string): Promise<Viewer> => {
  const u = (await teamsRepo.findUserByPhone(db, phone))!;
  return { id: u.id, role: u.role };
};
const ALL_FIVE = { 'dich-vu-cong': 'tu-lam', 'mua-sam': 'tu-lam', 'thanh-toan': 'tu-lam', 'tu-bao-ve': 'tu-lam', 'nen-tang-dia-phuong': 'tu-lam' } as const;

beforeAll(async () => {
  db = (await createTestDb()).db;
  await seedTeamsDemo(db, 'hoc-thu-2026');
  memberA = await viewer('+84912000002');
  leaderA = await viewer('+84912000011');
  officialA = await viewer('+84912000010');
  officialB = await viewer('+84912000020');
  const c = await db.insertInto('user').values({ phone: '+84912555901', display_name: 'Người Dân Điểm', role: 'learner', password_hash: null }).returning('id').executeTakeFirstOrThrow();
  citizen = { id: c.id, role: 'learner' };
  team1 = (await teamsRepo.findMembership(db, memberA.id))!.team_id;
  const team = (await teamsRepo.findTeam(db, team1))!;
  communeA = team.unit_path.split('/').filter(Boolean).at(-2)!;
}, 120_000);

describe('scorecard', () => {
  it('the pure rules: each criterion its value, formula, data and whether the target is met', () => {
    const f = { members: 4, withRequired: 4, allDone: 3, visits: 10, households: 8, meetingTarget: 2, attendance: 2, questions: 5 };
    const v = buildScorecard(
      [
        { metric: 'required-courses-done', label: 'Hoàn thành khóa', target: 80, explanation: 'x'.repeat(20) },
        { metric: 'visits-per-active-member', label: 'Lượt mỗi người', target: 2, explanation: 'x'.repeat(20) },
        { metric: 'households-meeting-target', label: 'Hộ đạt mục tiêu', explanation: 'x'.repeat(20) },
      ],
      f,
    );
    expect(v.map((c) => [c.value, c.met])).toEqual([[75, false], [2.5, true], [25, null]]);
    expect(v[0]!.formula).toMatch(/÷/);
    expect(v[0]!.data).toEqual([{ label: 'Đã hoàn thành mọi khóa bắt buộc', value: 3 }, { label: 'Được giao khóa bắt buộc', value: 4 }]);
    expect(buildScorecard([{ metric: 'session-attendance', label: 'Dự sinh hoạt', explanation: 'x'.repeat(20) }], { ...f, members: 0 })[0]!.value).toBeNull();
    expect(previousMonth('2026-01')).toBe('2025-12');
  });

  it('a team’s figures come from its real rows: visits, attendance, questions, households', async () => {
    const ym = currentMonth();
    const before = await teamScorecard(db, leaderA, team1, ym);
    const h = await addHousehold(db, memberA, { label: 'Hộ điểm số', phone: null, note: null });
    await recordVisit(db, memberA, { householdId: h, date: todayVn(), person: 'bà Tư', outcomes: ALL_FIVE, tasks: [], material: null, clientKey: null });
    await insertAttendance(db, memberA.id, ym);
    await insertAttendance(db, citizen.id, ym); // not a member: never counted
    await insertQuestion(db, { month: ym, courseSlug: 'trinh-duyet-an-toan', userId: memberA.id, text: 'Làm sao nhận biết trang giả mạo?' });
    const after = await teamScorecard(db, memberA, team1, ym);
    expect(after.figures.visits - before.figures.visits).toBe(1);
    expect(after.figures.attendance - before.figures.attendance).toBe(1);
    expect(after.figures.questions - before.figures.questions).toBe(1);
    expect(after.figures.households - before.figures.households).toBe(1);
    expect(after.figures.meetingTarget - before.figures.meetingTarget).toBe(1);
    expect(after.figures.members).toBeGreaterThanOrEqual(2);
    const metrics = after.criteria.map((c) => c.metric);
    expect(metrics).toContain('session-attendance');
    const att = after.criteria.find((c) => c.metric === 'session-attendance')!;
    expect(att.value).toBe(Math.round((after.figures.attendance * 1000) / after.figures.members) / 10);
    // The commune's figures include the team's.
    const unit = await unitScorecard(db, officialA, communeA, ym);
    expect(unit.figures.visits).toBeGreaterThanOrEqual(after.figures.visits);
    expect(unit.figures.attendance).toBeGreaterThanOrEqual(1);
    // Last month has none of this month's activity.
    expect((await teamScorecard(db, leaderA, team1, previousMonth(ym))).figures.attendance).toBe(0);
  });

  it('required courses: members with all assigned courses done over those assigned', async () => {
    const team = (await teamsRepo.findTeam(db, team1))!;
    const s = await teamScorecard(db, officialA, team1);
    expect(s.figures.withRequired).toBeGreaterThanOrEqual(s.figures.allDone);
    expect(s.team.id).toBe(team.id);
  });

  it('access: officials of another commune and citizens get 404', async () => {
    await expect(unitScorecard(db, officialB, communeA)).rejects.toMatchObject({ status: 404 });
    await expect(teamScorecard(db, officialB, team1)).rejects.toMatchObject({ status: 404 });
    await expect(teamScorecard(db, citizen, team1)).rejects.toMatchObject({ status: 404 });
  });
});

/** A moment in the month after the current one (Vietnam time). */
function nextMonthDate(): Date {
  const [y, m] = todayVn().split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 10, 3));
}

describe('monthly snapshots and the monthly report', () => {
  it('the first month with households: last month is unknown (“—”), not 0, though that month closed', async () => {
    // The first household of this database closes last month first, before any team had a list.
    await addHousehold(db, memberA, { label: 'Hộ đầu tiên của tháng', phone: null, note: null });
    const prev = previousMonth(currentMonth());
    expect(await db.selectFrom('snapshot_month').select('month').where('month', '=', `${prev}-01`).execute()).toHaveLength(1);
    expect(await snap.monthKnown(db, `${prev}-01`)).toBe(false);
    const r = await monthlyReport(db, officialA, communeA);
    for (const label of ['Hộ trong danh sách của các tổ', 'Hộ đạt mục tiêu (một người dùng được cả 5 kỹ năng)', 'Tỉ lệ hộ đạt mục tiêu']) {
      const l = r.lines.find((x) => x.label === label)!;
      expect(l.value, label).not.toBeNull();
      expect(l, label).toMatchObject({ previous: null, change: null });
    }
  });

  it('closing a month copies the counters once; next month’s report compares with them exactly', async () => {
    const ym = currentMonth();
    const later = nextMonthDate();
    const nextYm = currentMonth(later);
    await ensureMonthClosed(db, later);
    await ensureMonthClosed(db, later); // idempotent
    const snapshot = await snap.snapshotVector(db, { teamId: team1 }, `${ym}-01`);
    const rows = await db.selectFrom('household_team_snapshot').select('team_id').where('month', '=', `${ym}-01`).where('team_id', '=', team1).execute();
    expect(rows.length).toBe(1);
    // A household added after the close changes this month's figure, never the closed one.
    await addHousehold(db, memberA, { label: 'Hộ sau khi chốt tháng', phone: null, note: null });
    expect(await snap.snapshotVector(db, { teamId: team1 }, `${ym}-01`)).toEqual(snapshot);
    const r = await monthlyReport(db, officialA, communeA, nextYm, { now: later });
    const households = r.lines.find((l) => l.label === 'Hộ trong danh sách của các tổ')!;
    const communeSnapshot = await snap.snapshotVector(db, { path: (await teamsRepo.findUnit(db, Number(communeA)))!.path }, `${ym}-01`);
    expect(households.previous).toBe(communeSnapshot.households);
    expect(households.change).toBe(1);
    // Visits are exact per month from the month counters.
    expect(r.lines.find((l) => l.label === 'Lượt hỗ trợ trong tháng')!.previous).toBeGreaterThanOrEqual(1);
  });

  it('the PDF is one A4 page whose Vietnamese text reads back with pdftotext; the XLSX has the same figures', async () => {
    const ym = currentMonth();
    const r = await monthlyReport(db, officialA, communeA, ym, { villageLimit: 20000 });
    expect(r.topTeams.length).toBeGreaterThanOrEqual(1);
    const pdf = await renderReportPdf(r);
    const info = pdfInfo(pdf);
    expect(info.Pages).toBe('1');
    expect(info['Page size']).toMatch(/595\.28 x 841\.89/);
    const text = pdfLines(pdf).join('\n');
    expect(text).toContain(`BÁO CÁO THÁNG ${ym.slice(5)}/${ym.slice(0, 4)}`);
    expect(text).toContain(r.unit.name);
    expect(text).toContain('Hộ đạt mục tiêu (một người dùng được cả 5 kỹ năng)');
    expect(text).toContain('Tổ có nhiều lượt hỗ trợ nhất trong tháng');
    expect(text).toContain(r.topTeams[0]!.name);
    expect(text).toContain('Thôn, tổ dân phố chưa có lượt hỗ trợ nào trong tháng');
    expect(text).toContain('Thành viên hoàn thành khóa học bắt buộc');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderReportXlsx(r)) as never);
    const summary = wb.getWorksheet('Tổng quan')!;
    const visitsRow = summary.getRows(1, summary.rowCount)!.find((row) => row.getCell(1).value === 'Lượt hỗ trợ trong tháng')!;
    expect(visitsRow.getCell(2).value).toBe(r.lines.find((l) => l.label === 'Lượt hỗ trợ trong tháng')!.value);
    expect(wb.getWorksheet('Tiêu chí')!.rowCount).toBe(r.criteria.length + 1);
    expect(wb.getWorksheet('Thôn chưa có lượt')!.rowCount).toBe(r.villagesWithoutVisits.total + 1);
    // Reports are audit-logged and scoped.
    expect((await db.selectFrom('audit_log').select('id').where('action', '=', 'household.report').execute()).length).toBeGreaterThanOrEqual(2);
    await expect(monthlyReport(db, officialB, communeA, ym)).rejects.toMatchObject({ status: 404 });
  });
});

describe('real household totals', () => {
  it('an official enters a village’s real number; the commune sums its villages; audit-logged; scope enforced', async () => {
    const { setRealHouseholds } = await import('../../src/server/households/real-totals.ts');
    const { coverageDashboard } = await import('../../src/server/households/dashboard.ts');
    const team = (await teamsRepo.findTeam(db, team1))!;
    const village = String(team.unit_id);
    await setRealHouseholds(db, officialA, village, 350);
    await setRealHouseholds(db, officialA, village, 360);
    const commune = await coverageDashboard(db, officialA, communeA);
    expect(commune.real.total).toEqual({ households: 360, units: 1 });
    expect(commune.real.children.get(team.unit_id)).toBe(360);
    const log = await db.selectFrom('audit_log').select('detail').where('action', '=', 'household.total').execute();
    expect(log.map((l) => l.detail)).toEqual([{ unit: team.unit_id, before: null, after: 350 }, { unit: team.unit_id, before: 350, after: 360 }]);
    await expect(setRealHouseholds(db, officialA, communeA, 1000)).rejects.toMatchObject({ status: 400 });
    await expect(setRealHouseholds(db, officialB, village, 1)).rejects.toMatchObject({ status: 404 });
    await setRealHouseholds(db, officialA, village, null);
    expect((await coverageDashboard(db, officialA, communeA)).real.total.units).toBe(0);
    // The report shows coverage against the real number when one is entered.
    await setRealHouseholds(db, officialA, village, 200);
    const r = await monthlyReport(db, officialA, communeA, currentMonth());
    expect(r.lines.find((l) => l.label.startsWith('Số hộ thực tế'))!.value).toBe(200);
  });
});
