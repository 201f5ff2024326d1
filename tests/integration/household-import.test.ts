/**
 * Household import on a real database (PGlite or Postgres): the templates read back cleanly (CSV by
 * csv-parse, XLSX by the streaming reader), errors are named by line, preview then commit in one
 * transaction, imported households are "not asked" until consent, re-importing adds nothing, access
 * is the team's members and the officials over it, and the counters recount clean.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/server/db/schema.ts';
import { seedTeamsDemo } from '../../src/server/teams/seed.ts';
import * as teamsRepo from '../../src/server/teams/teams.repository.ts';
import type { Viewer } from '../../src/server/teams/access.ts';
import { commitHouseholds, householdImportPreview, uploadHouseholds } from '../../src/server/households/household-import.ts';
import { householdTemplateCsv, householdTemplateXlsx, readHouseholdFile, HOUSEHOLD_TEMPLATE_HEADERS } from '../../src/server/households/import-file.ts';
import { recordHouseholdConsent, teamHouseholds } from '../../src/server/households/households.ts';
import { recountHouseholds } from '../../src/server/households/household-counters.ts';
import * as repo from '../../src/server/households/households.repository.ts';
import { createTestDb } from '../setup/db.ts';
import { todayVn } from '../../src/server/households/fields.ts';

let db: Kysely<Database>;
let memberA: Viewer;
let leaderB: Viewer;
let officialA: Viewer;
let officialB: Viewer;
let citizen: Viewer;
let team1: number;

const viewer = async (phone: string): Promise<Viewer> => {
  const u = (await teamsRepo.findUserByPhone(db, phone))!;
  return { id: u.id, role: u.role };
};
const csv = (text: string) => ({ bytes: new TextEncoder().encode(text), name: 'ho.csv' });

beforeAll(async () => {
  db = (await createTestDb()).db;
  await seedTeamsDemo(db, 'hoc-thu-2026');
  memberA = await viewer('+84912000002');
  leaderB = await viewer('+84912000021');
  officialA = await viewer('+84912000010');
  officialB = await viewer('+84912000020');
  const c = await db.insertInto('user').values({ phone: '+84912555101', display_name: 'Người Dân Nhập', role: 'learner', password_hash: null }).returning('id').executeTakeFirstOrThrow();
  citizen = { id: c.id, role: 'learner' };
  team1 = (await teamsRepo.findMembership(db, memberA.id))!.team_id;
}, 120_000);

describe('household list files', () => {
  it('the CSV template is valid CSV and reads back with no errors', async () => {
    const text = householdTemplateCsv();
    const records = parse(text, { bom: true }) as string[][];
    expect(records[0]).toEqual(HOUSEHOLD_TEMPLATE_HEADERS);
    const rows = await readHouseholdFile(new TextEncoder().encode(text), 'mau.csv');
    expect(rows.length).toBe(records.length - 1);
    expect(rows.every((r) => r.errors.length === 0)).toBe(true);
    expect(rows[0]).toMatchObject({ label: 'Hộ ông Ba, xóm 2', phone: '+84912345678', note: 'Nhà cuối ngõ 5' });
  });

  it('a label a spreadsheet would run is refused once, with the column named', async () => {
    const text = `${HOUSEHOLD_TEMPLATE_HEADERS.join(',')}\n"=HYPERLINK(""http://x"",""Hộ bác Tư"")",,\nHộ cô Ba,,\n`;
    const rows = await readHouseholdFile(new TextEncoder().encode(text), 'ho.csv');
    expect(rows[0]!.errors).toEqual([expect.stringContaining('chứa công thức bảng tính')]);
    expect(rows[1]!.errors).toEqual([]);
  });

  it('the XLSX template opens in ExcelJS and reads back with no errors', async () => {
    const bytes = new Uint8Array(await householdTemplateXlsx());
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(bytes) as never);
    expect(wb.worksheets[0]!.getRow(1).values).toContain('Tên gọi của hộ');
    const rows = await readHouseholdFile(bytes, 'mau.xlsx');
    expect(rows.map((r) => r.label)).toEqual(['Hộ ông Ba, xóm 2', 'Hộ chị Lan']);
    expect(rows.every((r) => r.errors.length === 0)).toBe(true);
  });

  it('names every problem by its line and refuses files without the label column', async () => {
    const rows = await readHouseholdFile(
      new TextEncoder().encode('Tên gọi của hộ;SĐT;Ghi chú\nHộ A;;\n\nHộ A;;\n;0912345678;\nHộ B;12345;\n=HYPERLINK("x");;\nHộ C;912000123;<b>x</b>\n'),
      'x.csv',
    );
    const byLine = Object.fromEntries(rows.map((r) => [r.line, r.errors]));
    expect(byLine[2]).toEqual([]);
    expect(byLine[4]![0]).toMatch(/trùng với dòng 2/);
    expect(byLine[5]![0]).toMatch(/Thiếu tên gọi/);
    expect(byLine[6]![0]).toMatch(/Số điện thoại “12345” không hợp lệ/);
    expect(byLine[7]!.join(' ')).toMatch(/công thức/);
    expect(byLine[8]!.length).toBe(1); // the phone without its leading 0 is fine; the note is not
    expect(rows.find((r) => r.line === 8)!.phone).toBe('+84912000123');
    await expect(readHouseholdFile(new TextEncoder().encode('Họ và tên,SĐT\nA,B\n'), 'x.csv')).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/thiếu cột “Tên gọi của hộ”/) });
    await expect(readHouseholdFile(new Uint8Array([1, 2, 3]), 'x.xlsx')).rejects.toMatchObject({ status: 400 });
    const many = 'Tên gọi của hộ\n' + Array.from({ length: 3001 }, (_, i) => `Hộ số ${i}`).join('\n');
    await expect(readHouseholdFile(new TextEncoder().encode(many), 'x.csv')).rejects.toMatchObject({ status: 413 });
  });
});

describe('upload, preview, commit', () => {
  it('a member imports for their own team; households are “not asked” until consent; re-import adds nothing', async () => {
    const before = await repo.teamVector(db, team1);
    const file = csv('Tên gọi của hộ,Số điện thoại,Ghi chú\r\nHộ nhập một,0912555201,Ngõ 2\r\nHộ nhập hai,,\r\n');
    const id = await uploadHouseholds(db, memberA, undefined, file);
    const p = await householdImportPreview(db, memberA, id);
    expect(p.plan.counts).toEqual({ create: 2, exists: 0, error: 0 });
    expect(p.team.id).toBe(team1);
    // Nothing saved before the commit.
    expect((await repo.teamVector(db, team1)).households).toBe(before.households);
    expect(await commitHouseholds(db, memberA, id)).toEqual({ created: 2, exists: 0 });
    await expect(commitHouseholds(db, memberA, id)).rejects.toMatchObject({ status: 409 });
    const after = await repo.teamVector(db, team1);
    expect(after.households - before.households).toBe(2);
    expect(after.consented - before.consented).toBe(0);
    const list = (await teamHouseholds(db, memberA)).households.filter((h) => h.label.startsWith('Hộ nhập'));
    expect(list.map((h) => h.consent)).toEqual(['not_asked', 'not_asked']);
    await recordHouseholdConsent(db, memberA, list[0]!.id);
    expect((await repo.teamVector(db, team1)).consented - before.consented).toBe(1);
    // The same file again: both already there.
    const again = await uploadHouseholds(db, memberA, undefined, file);
    expect((await householdImportPreview(db, memberA, again)).plan.counts).toEqual({ create: 0, exists: 2, error: 0 });
    expect(await commitHouseholds(db, memberA, again)).toEqual({ created: 0, exists: 2 });
    expect(await recountHouseholds(db, { fix: false })).toEqual([]);
  });

  it('a file with errors cannot be committed, and nothing is saved', async () => {
    const id = await uploadHouseholds(db, memberA, undefined, csv('Tên gọi của hộ,Số điện thoại\nHộ lỗi một,0912555301\nHộ lỗi hai,999\n'));
    const p = await householdImportPreview(db, memberA, id);
    expect(p.plan.counts.error).toBe(1);
    expect(p.plan.rows.find((r) => r.action === 'error')!.line).toBe(3);
    await expect(commitHouseholds(db, memberA, id)).rejects.toMatchObject({ status: 400 });
    expect((await teamHouseholds(db, memberA)).households.some((h) => h.label === 'Hộ lỗi một')).toBe(false);
  });

  it('a committed import keeps only its summary; a preview never committed is deleted after 7 days', async () => {
    const id = await uploadHouseholds(db, memberA, undefined, csv('Tên gọi của hộ,Số điện thoại,Ghi chú\nHộ riêng tư,0912555401,Cạnh chợ\n'));
    expect(await commitHouseholds(db, memberA, id)).toEqual({ created: 1, exists: 0 });
    const committed = await db.selectFrom('household_import').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(committed.rows).toEqual([]);
    expect(JSON.stringify(committed)).not.toContain('0912555401');
    expect((await householdImportPreview(db, memberA, id)).imp.summary).toEqual({ created: 1, exists: 0 });
    // An abandoned preview, 8 days old, goes at the team's next upload; a fresh one stays.
    const stale = await uploadHouseholds(db, memberA, undefined, csv('Tên gọi của hộ\nHộ bỏ dở\n'));
    const fresh = await uploadHouseholds(db, memberA, undefined, csv('Tên gọi của hộ\nHộ mới tải\n'));
    await db.updateTable('household_import').set({ created_at: new Date(Date.now() - 8 * 24 * 3600 * 1000) }).where('id', '=', stale).execute();
    await uploadHouseholds(db, memberA, undefined, csv('Tên gọi của hộ\nHộ tải sau\n'));
    const left = (await db.selectFrom('household_import').select('id').where('id', 'in', [stale, fresh]).execute()).map((r) => r.id);
    expect(left).toEqual([fresh]);
    await expect(householdImportPreview(db, memberA, stale)).rejects.toMatchObject({ status: 404 });
  });

  it('officials import into a team in their scope; others get 404; citizens are refused', async () => {
    const id = await uploadHouseholds(db, officialA, team1, csv('Tên gọi của hộ\nHộ do cán bộ nhập\n'));
    expect(await commitHouseholds(db, officialA, id)).toEqual({ created: 1, exists: 0 });
    await expect(householdImportPreview(db, officialB, id)).rejects.toMatchObject({ status: 404 });
    await expect(householdImportPreview(db, leaderB, id)).rejects.toMatchObject({ status: 404 });
    await expect(householdImportPreview(db, citizen, id)).rejects.toMatchObject({ status: 404 });
    await expect(uploadHouseholds(db, officialB, team1, csv('Tên gọi của hộ\nHộ lạ\n'))).rejects.toMatchObject({ status: 404 });
    await expect(uploadHouseholds(db, citizen, undefined, csv('Tên gọi của hộ\nHộ lạ\n'))).rejects.toMatchObject({ status: 403 });
    await expect(householdImportPreview(db, memberA, 'not-a-uuid')).rejects.toMatchObject({ status: 404 });
    // A team member sees the official's import of their team.
    expect((await householdImportPreview(db, memberA, id)).imp.status).toBe('committed');
    const log = await db.selectFrom('audit_log').select('action').where('action', 'like', 'household.import.%').execute();
    expect(log.length).toBeGreaterThanOrEqual(4);
    expect(await recountHouseholds(db, { fix: false })).toEqual([]);
  });
});

describe('set-based recount', () => {
  it('reads households in batches, finds corrupted states and team counters, and fixes them', async () => {
    const ids = (await db.selectFrom('household').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(ids.length).toBeGreaterThanOrEqual(3); // two batches of 2
    expect(await recountHouseholds(db, { fix: false, batch: 2 })).toEqual([]);
    await db.updateTable('household').set({ covered_mask: 31, meets_target: true }).where('id', '=', ids[1]!).execute();
    await db.updateTable('household_team_counter').set((eb) => ({ households: eb('households', '+', 7) })).where('team_id', '=', team1).execute();
    const diffs = await recountHouseholds(db, { fix: true, batch: 2 });
    expect(diffs.map((d) => d.table).sort()).toEqual(['household', 'household_team_counter']);
    expect(diffs.find((d) => d.table === 'household')!.key).toBe(ids[1]);
    expect(await recountHouseholds(db, { fix: false, batch: 3 })).toEqual([]);
    expect(await recountHouseholds(db, { fix: false })).toEqual([]);
  });
});

describe('households at scale (set-based seed, small here)', () => {
  it('fills the synthetic teams under a path commune by commune; the counters recount clean', async () => {
    const { seedHouseholdsAtScale } = await import('../../src/server/households/scale.ts');
    const scale = await import('../../src/server/teams/scale.repository.ts');
    const team = (await teamsRepo.findTeam(db, team1))!;
    // Synthetic villages (20–25), their teams and members under the demo team's commune.
    const district = `/${team.unit_path.split('/').filter(Boolean).slice(0, -1).join('/')}/`;
    await scale.insertVillages(db, district);
    await scale.insertTeams(db);
    await scale.insertMembers(db);
    const before = await db.selectFrom('household').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const made = await seedHouseholdsAtScale(db, district, { perTeam: 8, linkEvery: 3 });
    expect(made.households).toBeGreaterThan(0);
    expect(made.visits).toBeGreaterThan(made.households);
    expect(made.links).toBeGreaterThan(0);
    const after = await db.selectFrom('household').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n) - Number(before.n)).toBe(made.households);
    // Realistic spread: dates within the last year and never in the future, both outcomes, some target met.
    const dates = await sql<{ first: string; last: string }>`select min(visit_date)::text as first, max(visit_date)::text as last from help_visit`.execute(db);
    expect(dates.rows[0]!.last <= todayVn()).toBe(true);
    expect(dates.rows[0]!.first >= new Date(Date.now() - 366 * 24 * 3600 * 1000).toISOString().slice(0, 10)).toBe(true);
    expect(Number((await sql<{ n: number }>`select count(*)::int as n from household where meets_target`.execute(db)).rows[0]!.n)).toBeGreaterThan(0);
    const outcomes = await db.selectFrom('help_visit').select('outcomes').where('household_id', 'is not', null).execute();
    const values = new Set(outcomes.flatMap((o) => Object.values(o.outcomes as Record<string, string>)));
    expect([...values].sort()).toEqual(['can-ho-tro', 'tu-lam']);
    expect(await recountHouseholds(db, { fix: false, batch: 7 })).toEqual([]);
    expect(await recountHouseholds(db, { fix: false })).toEqual([]);
    // Again: nothing more is added.
    expect(await seedHouseholdsAtScale(db, district, { perTeam: 8, linkEvery: 3 })).toMatchObject({ households: 0, visits: 0, links: 0 });
  }, 120_000);
});
