/**
 * The scorecard criteria are content, not code: a different `scorecard.yaml` (fewer criteria, other
 * order, labels, targets and explanations) changes the scorecard page data and the monthly report
 * (PDF and XLSX) with no code change.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';

// Before anything reads content: a copy of the fixture content with its own criteria file.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-scorecard-'));
fs.cpSync(path.resolve('tests/fixtures/content'), dir, { recursive: true });
fs.writeFileSync(
  path.join(dir, 'scorecard.yaml'),
  `# Bộ tiêu chí thử của một tỉnh: hai tiêu chí, thứ tự khác.
criteria:
  - metric: questions-asked
    label: Câu hỏi gửi trước buổi sinh hoạt (tiêu chí của tỉnh)
    target: 3
    explanation: Tỉnh thử đặt mục tiêu mỗi thành viên gửi ba câu hỏi mỗi tháng.
  - metric: households-meeting-target
    label: Tỉ lệ hộ đạt mục tiêu quốc gia (tiêu chí của tỉnh)
    target: 30
    explanation: Tỉnh thử đặt mốc 30% hộ có một người dùng được cả năm kỹ năng.
`,
);
process.env.CONTENT_DIR = dir;

const { createTestDb } = await import('../setup/db.ts');
const { pdfLines } = await import('../setup/pdf.ts');
const { seedTeamsDemo } = await import('../../src/server/teams/seed.ts');
const teamsRepo = await import('../../src/server/teams/teams.repository.ts');
const { teamScorecard, unitScorecard, currentMonth } = await import('../../src/server/households/scorecard.ts');
const { monthlyReport } = await import('../../src/server/households/report.ts');
const { renderReportPdf } = await import('../../src/server/households/report-pdf.ts');
const { renderReportXlsx } = await import('../../src/server/households/report-xlsx.ts');
type Db = Kysely<import('../../src/server/db/schema.ts').Database>;

let db: Db;
let official: { id: string; role: 'official' };
let team: number;
let commune: string;

beforeAll(async () => {
  db = (await createTestDb()).db as Db;
  await seedTeamsDemo(db, 'hoc-thu-2026');
  const o = (await teamsRepo.findUserByPhone(db, '+84912000010'))!;
  official = { id: o.id, role: 'official' };
  const leader = (await teamsRepo.findUserByPhone(db, '+84912000011'))!;
  team = (await teamsRepo.findMembership(db, leader.id))!.team_id;
  commune = (await teamsRepo.findTeam(db, team))!.unit_path.split('/').filter(Boolean).at(-2)!;
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const LABELS = ['Câu hỏi gửi trước buổi sinh hoạt (tiêu chí của tỉnh)', 'Tỉ lệ hộ đạt mục tiêu quốc gia (tiêu chí của tỉnh)'];

it('the team and unit scorecards follow the file: its criteria, order, labels and targets', async () => {
  const t = await teamScorecard(db, official, team);
  expect(t.criteria.map((c) => c.label)).toEqual(LABELS);
  expect(t.criteria.map((c) => c.target)).toEqual([3, 30]);
  for (const c of t.criteria) {
    expect(c.formula.length).toBeGreaterThan(5);
    expect(c.data.length).toBeGreaterThanOrEqual(1);
  }
  const u = await unitScorecard(db, official, commune);
  expect(u.criteria.map((c) => c.label)).toEqual(LABELS);
});

it('the monthly report prints the file’s criteria in the PDF and the XLSX', async () => {
  const r = await monthlyReport(db, official, commune, currentMonth());
  expect(r.criteria.map((c) => c.label)).toEqual(LABELS);
  const text = pdfLines(await renderReportPdf(r)).join(' ');
  expect(text).toContain('tiêu chí của tỉnh');
  expect(text).not.toContain('Thành viên hoàn thành khóa học bắt buộc');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await renderReportXlsx(r)) as never);
  expect(wb.getWorksheet('Tiêu chí')!.rowCount).toBe(LABELS.length + 1);
});
