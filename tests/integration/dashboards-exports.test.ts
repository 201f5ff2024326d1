/**
 * Dashboards that read well and exports Excel opens right: member rows with last activity and
 * lessons, the activation funnel, and CSV/XLSX files read back with csv-parse and exceljs.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
import type { Database } from '../../src/server/db/schema.ts';
import { recountAll } from '../../src/server/teams/counters.ts';
import { markLessonDone } from '../../src/server/learning/learning.ts';
import { teamDashboard, unitDashboard, vnToday } from '../../src/server/teams/dashboard.ts';
import { csvResponse, exportFileName, fileSlug, xlsxResponse } from '../../src/server/teams/export.ts';
import { teamTable, unitTable } from '../../src/server/teams/tables.ts';
import { commitRoster, uploadRoster } from '../../src/server/teams/roster.ts';
import { seedAdministrativeUnits } from '../../src/server/teams/seed.ts';
import * as repo from '../../src/server/teams/teams.repository.ts';
import { type Viewer } from '../../src/server/teams/access.ts';
import { assignCourse } from '../../src/server/teams/assignments.ts';
import { runPendingJobs } from '../../src/server/jobs/worker.ts';
import { createTestDb } from '../setup/db.ts';

/** When the courses were assigned: due dates must be today or later at assignment time. */
const ASSIGNED_ON = new Date('2026-11-01T00:00:00+07:00');

let db: Kysely<Database>;
let official: Viewer;
let commune: repo.UnitRow;
let ids: Record<string, string>;
let teamId: number;
const NOW = new Date('2026-12-05T07:30:00Z'); // 14:30 in Vietnam

beforeAll(async () => {
  db = (await createTestDb()).db;
  await seedAdministrativeUnits(db);
  commune = (await repo.findUnitByStatCode(db, '00004'))!;
  const o = (await db.insertInto('user').values({ phone: '+84915100001', display_name: 'Cán bộ thử', role: 'official', password_hash: null }).returning('id').executeTakeFirstOrThrow()).id;
  await repo.insertScope(db, o, commune.id, null);
  official = { id: o, role: 'official' };
  const lines = [
    'Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò',
    'Nguyễn Văn An,0916100001,Thôn Đông,Tổ CNSCĐ thôn Đông,Tổ trưởng',
    'Trần Thị Bích,0916100002,Thôn Đông,Tổ CNSCĐ thôn Đông,Thành viên',
    'Lê Văn Cường,0916100003,Thôn Đông,Tổ CNSCĐ thôn Đông,Thành viên',
  ];
  const imp = await uploadRoster(db, official, String(commune.id), { bytes: new TextEncoder().encode(lines.join('\r\n')), name: 'ds.csv' });
  await commitRoster(db, official, imp, []);
  // One course overdue (due 2026-11-30), one not yet (2027-01-31).
  await assignCourse(db, official, String(commune.id), { course: 'khoa-thu-nghiem', edition: 'member', due: '2026-11-30' }, ASSIGNED_ON);
  await assignCourse(db, official, String(commune.id), { course: 'khoa-thu-nghiem', edition: 'citizen', due: '2027-01-31' }, ASSIGNED_ON);
  await runPendingJobs(db); // the assignments' recounts, as the worker would run them
  const rows = await db.selectFrom('user').select(['id', 'phone']).where('phone', 'like', '+8491610000%').execute();
  ids = Object.fromEntries(rows.map((r) => [r.phone.slice(-1), r.id]));
  // A name that looks like a formula (a citizen may type one at sign-up; the roster refuses it).
  await db.updateTable('user').set({ display_name: '=1+2 Trần Thị Bích' }).where('id', '=', ids['2']!).execute();
  // An activates (set directly here, so the counters are recounted) and does one lesson (shared by both editions).
  await db.updateTable('user').set({ password_hash: 'x' }).where('id', '=', ids['1']!).execute();
  await recountAll(db, { fix: true });
  await markLessonDone(db, { userId: ids['1']! }, { course: 'khoa-thu-nghiem', edition: 'member', lessonId: 'bai-chung-mot' }, 'test-client');
  teamId = (await db.selectFrom('team_member').select('team_id').where('user_id', '=', ids['1']!).executeTakeFirstOrThrow()).team_id;
}, 120_000);

describe('dashboards', () => {
  it('a team’s member rows carry last activity, lessons per required course and days overdue', async () => {
    const d = await teamDashboard(db, official, String(teamId), undefined, NOW);
    const an = d.members.find((m) => m.userId === ids['1'])!;
    expect(an.lastActive).toBeInstanceOf(Date);
    expect(an.started).toBe(true);
    const member = an.courses.find((c) => c.label.includes('Thành viên'))!;
    expect(member).toMatchObject({ state: 'overdue', lessonsDone: 1, lessonsTotal: 3, daysOverdue: 5 });
    const citizen = an.courses.find((c) => c.label.includes('Người dân'))!;
    expect(citizen).toMatchObject({ state: 'pending', lessonsDone: 1, lessonsTotal: 2, daysOverdue: 0 });
    const binh = d.members.find((m) => m.userId === ids['2'])!;
    expect(binh.lastActive).toBeNull();
    expect(binh.courses.every((c) => c.lessonsDone === 0)).toBe(true);
    expect(d.funnel.map((s) => s.count)).toEqual([3, 1, 1, 0]);
  });

  it('a unit’s funnel goes from the list to activated, started and all done', async () => {
    const d = await unitDashboard(db, official, String(commune.id), undefined, NOW);
    expect(d.funnel.map((s) => s.label)).toEqual(['Có tên trong danh sách', 'Đã kích hoạt tài khoản', 'Đã bắt đầu học', 'Hoàn thành mọi khóa bắt buộc']);
    expect(d.funnel.map((s) => s.count)).toEqual([3, 1, 1, 0]);
    expect(d.funnel[1]!.percent).toBe(33);
  });
});

describe('exports', () => {
  it('names files after the unit and the Vietnam date, folded to ASCII', () => {
    expect(fileSlug('Phường Ba Đình')).toBe('phuong-ba-dinh');
    expect(fileSlug('Tổ CNSCĐ số 5 (mẫu)')).toBe('to-cnscd-so-5-mau');
    expect(fileSlug('***')).toBe('bang');
    // 23:30 UTC on 4 December is already 5 December in Vietnam.
    expect(exportFileName('Phường Ba Đình', new Date('2026-12-04T23:30:00Z'), 'qua-han', 'xlsx')).toBe('phuong-ba-dinh-2026-12-05-qua-han.xlsx');
  });

  it('XLSX: title and export time, a bold frozen header with a filter, widths, real dates and numbers', async () => {
    const res = xlsxResponse(await unitTable(db, official, String(commune.id), 'qua-han', undefined, NOW), NOW);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="phuong-ba-dinh-2026-12-05-qua-han.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('Quá hạn');
    expect(ws.getCell('A1').value).toBe('Danh sách quá hạn — Phường Ba Đình');
    expect(ws.getCell('A1').font?.bold).toBe(true);
    expect(ws.getCell('A2').value).toBe('Xuất lúc 14:30 05/12/2026 (giờ Việt Nam)');
    const header = ws.getRow(3);
    expect(header.getCell(1).value).toBe('Thôn, tổ dân phố');
    expect(header.getCell(7).value).toBe('Hạn hoàn thành');
    expect(header.getCell(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
    expect(ws.autoFilter).toBe('A3:M3');
    expect(ws.getColumn(3).width).toBe(26);
    expect(ws.getColumn(6).width).toBe(40);
    // Three members, one overdue course each.
    expect(ws.rowCount).toBe(6);
    const byName = new Map([4, 5, 6].map((i) => [String(ws.getRow(i).getCell(3).value), ws.getRow(i)]));
    const an = byName.get('Nguyễn Văn An')!;
    const due = an.getCell(7).value;
    expect(due).toBeInstanceOf(Date);
    expect((due as Date).toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(an.getCell(7).numFmt).toBe('yyyy-mm-dd');
    expect(an.getCell(9).value).toBe(5); // days overdue
    expect(an.getCell(10).value).toBe(1); // lessons done
    expect(an.getCell(11).value).toBe(3); // lessons in the edition
    expect(an.getCell(13).value).toBeInstanceOf(Date); // last active
    expect(an.getCell(4).value).toBe('0916 100 001');
    // A formula-looking name stays text.
    expect(byName.has("'=1+2 Trần Thị Bích")).toBe(true);
    expect(byName.get("'=1+2 Trần Thị Bích")!.getCell(3).type).toBe(ExcelJS.ValueType.String);
  });

  it('XLSX summary: percent and number cells, the course filter under the title', async () => {
    const res = xlsxResponse(await unitTable(db, official, String(commune.id), 'don-vi', { course: 'khoa-thu-nghiem', edition: 'member' }, NOW), NOW);
    expect(res.headers.get('content-disposition')).toContain('phuong-ba-dinh-2026-12-05-tong-hop.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.worksheets[0]!;
    expect(String(ws.getCell('A3').value)).toMatch(/^Khóa học: /);
    expect(ws.getRow(4).getCell(1).value).toBe('Đơn vị hoặc tổ');
    expect(ws.autoFilter).toBe('A4:I4');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 4 });
    const village = ws.getRow(5);
    expect(typeof village.getCell(3).value).toBe('number');
    expect(village.getCell(6).numFmt).toBe('0%');
  });

  it('CSV for Excel in Vietnam uses ";" and plain CSV ",": BOM, CRLF, ISO dates, neutralised formulas', async () => {
    for (const [format, delimiter] of [['csv-vn', ';'], ['csv', ',']] as const) {
      const res = csvResponse(await unitTable(db, official, String(commune.id), 'thanh-vien', undefined, NOW), format, NOW);
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="phuong-ba-dinh-2026-12-05-thanh-vien.csv"');
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder().decode(bytes);
      expect(text.replace(/\r\n/g, '')).not.toContain('\n');
      const rows: string[][] = parse(text, { bom: true, delimiter, record_delimiter: '\r\n' });
      expect(rows[0]).toHaveLength(13);
      expect(rows[0]![6]).toBe('Hạn hoàn thành');
      // 3 members × 2 required courses.
      expect(rows).toHaveLength(7);
      for (const r of rows.slice(1)) {
        expect(r).toHaveLength(13);
        expect(r[6]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(r[9]).toMatch(/^\d+$/);
      }
      expect(rows.some((r) => r[2] === "'=1+2 Trần Thị Bích")).toBe(true);
      const an = rows.find((r) => r[2] === 'Nguyễn Văn An' && r[6] === '2026-11-30')!;
      expect(an[7]).toBe('Quá hạn');
      expect(an[8]).toBe('5');
      expect(an[12]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('a team’s table is named after the team', async () => {
    const res = xlsxResponse(await teamTable(db, official, String(teamId), undefined, NOW), NOW);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="to-cnscd-thon-dong-2026-12-05.xlsx"');
    expect(vnToday(NOW)).toBe('2026-12-05');
  });
});
