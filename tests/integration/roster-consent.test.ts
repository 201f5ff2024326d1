/**
 * Imports that cannot go wrong silently (issue 14): the template imports as exactly its rows; an
 * existing account is invited, never enrolled, and nothing applies to it before it accepts; slip
 * codes never change on reprint, only on “Cấp lại mã”; due dates are today or later and a change is
 * shown to the members.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
import type { Database } from '../../src/server/db/schema.ts';
import { redeemCode } from '../../src/server/recovery/recovery.ts';
import type { Viewer } from '../../src/server/teams/access.ts';
import { assignCourse } from '../../src/server/teams/assignments.ts';
import { recountAll } from '../../src/server/teams/counters.ts';
import { runPendingJobs } from '../../src/server/jobs/worker.ts';
import { myRequiredCourses, unitDashboard } from '../../src/server/teams/dashboard.ts';
import { answerInvitation, hasPendingInvitation, invitationsUnder, myInvitation } from '../../src/server/teams/invitations.ts';
import { commitRoster, rosterPreview, uploadRoster } from '../../src/server/teams/roster.ts';
import { TEMPLATE_ROWS, templateCsv } from '../../src/server/teams/roster-file.ts';
import { seedAdministrativeUnits } from '../../src/server/teams/seed.ts';
import { openSlipCode, sealSlipCode } from '../../src/server/teams/slip-seal.ts';
import { teamPicker, unitPicker } from '../../src/server/teams/pickers.ts';
import { importSlips, issueMissingSlipCodes, memberSlip, reissueActivationCode } from '../../src/server/teams/slips.ts';
import * as repo from '../../src/server/teams/teams.repository.ts';
import { createTestDb } from '../setup/db.ts';

let db: Kysely<Database>;
let official: Viewer;
let commune: repo.UnitRow;
let other: repo.UnitRow;

async function person(phone: string, role: 'official' | 'learner', name: string, password: string | null): Promise<string> {
  const r = await db.insertInto('user').values({ phone, display_name: name, role, password_hash: password }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

const csv = (lines: string[]) => ({ bytes: new TextEncoder().encode(['Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò', ...lines].join('\r\n')), name: 'ds.csv' });
const audits = async (action: string) => db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();

beforeAll(async () => {
  db = (await createTestDb()).db;
  await seedAdministrativeUnits(db);
  commune = (await repo.findUnitByStatCode(db, '00004'))!;
  other = (await repo.findUnitByStatCode(db, '00008'))!;
  const o = await person('+84915100001', 'official', 'Cán bộ thử', null);
  await repo.insertScope(db, o, commune.id, null);
  official = { id: o, role: 'official' };
}, 120_000);

describe('the template', () => {
  it('imports unchanged as exactly its example rows: one team, the leader kept', async () => {
    const id = await uploadRoster(db, official, String(commune.id), { bytes: new TextEncoder().encode(templateCsv()), name: 'mau-danh-sach.csv' });
    const p = await rosterPreview(db, official, id);
    expect(p.plan.errors).toBe(0);
    expect(p.plan.rows.map((r) => [r.name, r.phone.replace('+84', '0'), r.village, r.team, r.role === 'leader' ? 'Tổ trưởng' : 'Thành viên'])).toEqual(TEMPLATE_ROWS);
    expect(p.plan.newTeams).toEqual(['Tổ CNSCĐ thôn 1 — Thôn 1']);
    await commitRoster(db, official, id, []);
    const members = await repo.membersUnder(db, commune.path);
    expect(members.map((m) => [m.display_name, m.team_name, m.role]).sort()).toEqual([
      ['Nguyễn Văn An', 'Tổ CNSCĐ thôn 1', 'leader'],
      ['Trần Thị Bích', 'Tổ CNSCĐ thôn 1', 'member'],
    ]);
  });

  it('the old unquoted template is refused at commit, with each line’s problem in the preview', async () => {
    const old = '\uFEFFHọ và tên,Số điện thoại,Thôn, tổ dân phố,Tổ công nghệ số,Vai trò\r\nNguyễn Văn An,0912345678,Thôn 1,Tổ CNSCĐ thôn 1,Tổ trưởng\r\n';
    const id = await uploadRoster(db, official, String(commune.id), { bytes: new TextEncoder().encode(old), name: 'cu.csv' });
    const p = await rosterPreview(db, official, id);
    expect(p.plan.errors).toBe(1);
    expect(p.plan.rows[0]!.line).toBe(2);
    expect(p.plan.rows[0]!.errors.join(' ')).toContain('dòng tiêu đề (dòng 1) có 6 cột');
    await expect(commitRoster(db, official, id, [])).rejects.toMatchObject({ status: 400 });
  });
});

describe('consent: an existing account is invited, not enrolled', () => {
  let lanh: string;
  let hoa: string;

  it('previews “đã có tài khoản — sẽ mời” without the account’s name; commit enrols nobody and counts nothing', async () => {
    lanh = await person('+84986111221', 'learner', 'Nguyễn Thị Lành', 'argon2-hash-placeholder');
    hoa = await person('+84986111222', 'learner', 'Đỗ Thị Hoa', 'argon2-hash-placeholder');
    await assignCourse(db, official, String(commune.id), { course: 'khoa-thu-nghiem', edition: 'member', due: '2099-12-31' });
    await runPendingJobs(db);
    const before = await unitDashboard(db, official, String(commune.id), undefined);
    const id = await uploadRoster(db, official, String(commune.id), csv(['Phạm Quốc Việt,0986 111 221,Thôn 2,Tổ CNSCĐ thôn 2,Thành viên', 'Đỗ Thị Hoa,0986111222,Thôn 2,Tổ CNSCĐ thôn 2,Tổ trưởng']));
    const p = await rosterPreview(db, official, id);
    expect(p.plan.rows.map((r) => r.action)).toEqual(['invite', 'invite']);
    expect(JSON.stringify(p)).not.toContain('Nguyễn Thị Lành');
    const summary = await commitRoster(db, official, id, []);
    expect(summary).toMatchObject({ invite: 2, created: 0 });
    expect(await repo.findMembership(db, lanh)).toBeUndefined();
    expect((await repo.findUser(db, lanh))!.role).toBe('learner');
    expect(await myRequiredCourses(db, lanh)).toEqual([]);
    await runPendingJobs(db);
    expect(await recountAll(db, { fix: false })).toEqual([]);
    const after = await unitDashboard(db, official, String(commune.id), undefined);
    expect(after.members).toBe(before.members);
    // The official sees the invitations apart, by the name in the file, never the account's.
    const inv = await invitationsUnder(db, commune);
    expect(inv.map((i) => [i.name_in_file, i.status]).sort()).toEqual([['Phạm Quốc Việt', 'pending'], ['Đỗ Thị Hoa', 'pending']]);
    expect(after.invitations).toHaveLength(2);
    expect(JSON.stringify(after)).not.toContain('Nguyễn Thị Lành');
    // Re-importing the same file changes nothing.
    const again = await rosterPreview(db, official, await uploadRoster(db, official, String(commune.id), csv(['Phạm Quốc Việt,0986111221,Thôn 2,Tổ CNSCĐ thôn 2,Thành viên'])));
    expect(again.plan.rows[0]!.action).toBe('invited');
  });

  it('the owner sees the invitation; declining is recorded and shown as “đã từ chối”', async () => {
    expect(await hasPendingInvitation(db, lanh)).toBe(true);
    const mine = (await myInvitation(db, lanh))!;
    expect(mine.team).toBe('Tổ CNSCĐ thôn 2');
    expect(mine.place).toContain(commune.name);
    // Nobody else can answer it.
    await expect(answerInvitation(db, hoa, mine.id, true)).rejects.toMatchObject({ status: 404 });
    await answerInvitation(db, lanh, mine.id, false);
    expect(await hasPendingInvitation(db, lanh)).toBe(false);
    expect(await repo.findMembership(db, lanh)).toBeUndefined();
    expect((await invitationsUnder(db, commune)).find((i) => i.name_in_file === 'Phạm Quốc Việt')!.status).toBe('declined');
    await expect(answerInvitation(db, lanh, mine.id, true)).rejects.toMatchObject({ status: 404 });
    expect(await audits('invitation.decline')).toHaveLength(1);
    const again = await rosterPreview(db, official, await uploadRoster(db, official, String(commune.id), csv(['Phạm Quốc Việt,0986111221,Thôn 2,Tổ CNSCĐ thôn 2,Thành viên'])));
    expect(again.plan.rows[0]!.action).toBe('declined');
  });

  it('accepting joins the team with the role from the file; required courses and counters apply from then', async () => {
    const before = await unitDashboard(db, official, String(commune.id), undefined);
    const mine = (await myInvitation(db, hoa))!;
    await answerInvitation(db, hoa, mine.id, true);
    const m = (await repo.findMembership(db, hoa))!;
    expect(m).toMatchObject({ active: true, role: 'leader', team_name: 'Tổ CNSCĐ thôn 2' });
    expect((await repo.findUser(db, hoa))!.role).toBe('leader');
    expect((await myRequiredCourses(db, hoa)).map((c) => c.due)).toEqual(['2099-12-31']);
    await runPendingJobs(db);
    expect(await recountAll(db, { fix: false })).toEqual([]);
    expect((await unitDashboard(db, official, String(commune.id), undefined)).members).toBe(before.members + 1);
    expect(await audits('invitation.accept')).toHaveLength(1);
  });
});

describe('slip codes stay valid', () => {
  let imp: string;
  let first: Map<string, string>;

  it('printing and reprinting never changes a code', async () => {
    imp = await uploadRoster(db, official, String(commune.id), csv(['Bùi Văn Một,0919600001,Thôn 3,Tổ CNSCĐ thôn 3,Tổ trưởng', 'Bùi Thị Hai,0919600002,Thôn 3,Tổ CNSCĐ thôn 3,Thành viên']));
    await commitRoster(db, official, imp, []);
    const none = await importSlips(db, official, imp);
    expect(none.slips.map((s) => s.code)).toEqual([null, null]);
    expect(await issueMissingSlipCodes(db, official, imp)).toBe(2);
    const a = await importSlips(db, official, imp);
    first = new Map(a.slips.map((s) => [s.userId, s.code!]));
    for (const c of first.values()) expect(c).toMatch(/^[A-Z2-9]{8}$/);
    expect(await issueMissingSlipCodes(db, official, imp)).toBe(0);
    const b = await importSlips(db, official, imp);
    expect(new Map(b.slips.map((s) => [s.userId, s.code!]))).toEqual(first);
    const one = [...first.keys()][0]!;
    expect((await memberSlip(db, official, one)).slip.code).toBe(first.get(one));
    // The QR code opens the activation page: no phone number, no code.
    expect(a.qr.url).toMatch(/\/kich-hoat$/);
    expect(a.qr.svg).toMatch(/^<svg/);
  });

  it('“Cấp lại mã” replaces one person’s code: the old one stops working, the new one works', async () => {
    const [userId, oldCode] = [...first.entries()][0]!;
    const [otherId, otherCode] = [...first.entries()][1]!;
    await reissueActivationCode(db, official, userId);
    const newCode = (await memberSlip(db, official, userId)).slip.code!;
    expect(newCode).not.toBe(oldCode);
    expect((await memberSlip(db, official, otherId)).slip.code).toBe(otherCode);
    expect(await audits('code.activation.reissue')).toHaveLength(1);
    const phone = (await repo.findUser(db, userId))!.phone;
    expect(await redeemCode(db, { phone, code: oldCode, password: 'cây bàng đầu ngõ 2026' })).toMatchObject({ ok: false });
    expect(await redeemCode(db, { phone, code: newCode, password: 'cây bàng đầu ngõ 2026' })).toMatchObject({ ok: true, kind: 'activation' });
    // A used code is no longer kept, even sealed; an activated person has no slip any more.
    const rows = await db.selectFrom('access_code').select(['sealed_code', 'used_at']).where('user_id', '=', userId).execute();
    expect(rows.every((r) => r.used_at !== null && r.sealed_code === null)).toBe(true);
    await expect(reissueActivationCode(db, official, userId)).rejects.toMatchObject({ status: 409 });
    expect((await importSlips(db, official, imp)).slips.map((s) => s.userId)).toEqual([otherId]);
  });

  it('issuing the missing codes twice at once (a double click, two tabs) gives each person one live code, issued once', async () => {
    const twice = await uploadRoster(db, official, String(commune.id), csv(['Bùi Văn Ba,0919600003,Thôn 3,Tổ CNSCĐ thôn 3,Thành viên', 'Bùi Thị Bốn,0919600004,Thôn 3,Tổ CNSCĐ thôn 3,Thành viên']));
    await commitRoster(db, official, twice, []);
    const before = (await audits('code.activation')).length;
    const issued = await Promise.all([issueMissingSlipCodes(db, official, twice), issueMissingSlipCodes(db, official, twice)]);
    expect(issued.sort()).toEqual([0, 2]);
    expect(await audits('code.activation')).toHaveLength(before + 1);
    const slips = (await importSlips(db, official, twice)).slips;
    const open = await db
      .selectFrom('access_code')
      .select(['user_id'])
      .where('user_id', 'in', slips.map((s) => s.userId))
      .where('kind', '=', 'activation')
      .where('used_at', 'is', null)
      .execute();
    expect(open.map((r) => r.user_id).sort()).toEqual(slips.map((s) => s.userId).sort());
  });

  it('a sealed code opens only for its own person and under its own secret', async () => {
    const secret = 'x'.repeat(40);
    const sealed = await sealSlipCode('a', 'ABCDEFGH', secret);
    expect(await openSlipCode('a', sealed, secret)).toBe('ABCDEFGH');
    expect(await openSlipCode('b', sealed, secret)).toBeUndefined();
    expect(await openSlipCode('a', sealed, 'y'.repeat(40))).toBeUndefined();
    expect(await openSlipCode('a', sealed.slice(0, -2) + 'AA', secret)).toBeUndefined();
  });

  it('officials outside the unit get 404', async () => {
    const o = await person('+84915100002', 'official', 'Cán bộ xã khác', null);
    await repo.insertScope(db, o, other.id, null);
    const outsider: Viewer = { id: o, role: 'official' };
    await expect(importSlips(db, outsider, imp)).rejects.toMatchObject({ status: 404 });
    await expect(reissueActivationCode(db, outsider, [...first.keys()][1]!)).rejects.toMatchObject({ status: 404 });
  });
});

describe('due dates', () => {
  const NOW = new Date('2026-12-10T18:30:00Z'); // 01:30 on 11/12/2026 in Vietnam

  it('must be today or later in Vietnam time', async () => {
    await expect(assignCourse(db, official, String(commune.id), { course: 'khoa-thu-nghiem', edition: 'citizen', due: '2026-12-10' }, NOW)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('Hạn hoàn thành phải từ hôm nay (11/12/2026) trở đi'),
    });
    expect(await assignCourse(db, official, String(commune.id), { course: 'khoa-thu-nghiem', edition: 'citizen', due: '2026-12-11' }, NOW)).toBe('assigned');
  });

  it('a change is audit-logged and shown to the members for 30 days', async () => {
    const hoa = (await repo.findUserByPhone(db, '+84986111222'))!.id;
    expect((await myRequiredCourses(db, hoa, NOW)).find((c) => c.edition === 'citizen')).toMatchObject({ due: '2026-12-11', previousDue: undefined });
    expect(await assignCourse(db, official, String(commune.id), { course: 'khoa-thu-nghiem', edition: 'citizen', due: '2027-01-15' }, NOW)).toBe('changed');
    expect(await assignCourse(db, official, String(commune.id), { course: 'khoa-thu-nghiem', edition: 'citizen', due: '2027-01-15' }, NOW)).toBe('unchanged');
    const entry = (await audits('assign.due_change'))[0]!;
    expect(entry.detail).toMatchObject({ from: '2026-12-11', to: '2027-01-15' });
    expect((await myRequiredCourses(db, hoa, NOW)).find((c) => c.edition === 'citizen')).toMatchObject({ due: '2027-01-15', previousDue: '2026-12-11' });
    const later = new Date(NOW.getTime() + 31 * 24 * 3600 * 1000);
    expect((await myRequiredCourses(db, hoa, later)).find((c) => c.edition === 'citizen')!.previousDue).toBeUndefined();
    await runPendingJobs(db);
    expect(await recountAll(db, { fix: false })).toEqual([]);
  });
});

describe('pickers by name', () => {
  it('an official with one commune gets plain lists of their own units and teams, labelled with the parent', async () => {
    const units = await unitPicker(db, official, '');
    expect(units.mode).toBe('list');
    expect(units.choices.map((c) => c.label)).toContain(`Thôn 1 — ${commune.name}`);
    expect(units.choices.some((c) => c.label.startsWith(other.name))).toBe(false);
    const teams = await teamPicker(db, official, '');
    expect(teams.mode).toBe('list');
    expect(teams.choices.map((c) => c.label)).toContain('Tổ CNSCĐ thôn 1 — Thôn 1');
  });

  it('an admin (the whole country) gets a search step; matches are by name, wildcards taken literally', async () => {
    const admin: Viewer = { id: await person('+84915100003', 'official', 'Quản trị thử', null), role: 'admin' };
    const empty = await unitPicker(db, admin, '');
    expect(empty).toMatchObject({ mode: 'search', choices: [] });
    const found = await unitPicker(db, admin, commune.name);
    expect(found.mode).toBe('search');
    expect(found.choices.map((c) => c.id)).toContain(commune.id);
    expect((await unitPicker(db, admin, '%')).choices).toEqual([]);
    expect((await unitPicker(db, admin, '_')).choices).toEqual([]);
  });
});
