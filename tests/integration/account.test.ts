/**
 * Accounts people own, on a real database: the absolute session lifetime (sessions aged in the
 * database, no sleeping), device and last-seen, password change ending the other sessions, ending one
 * session (never someone else's), name changes that leave issued certificates alone, the audit-logged
 * reissue, the data export (the person's data and nobody else's), and deletion: certificates stay
 * verifiable under their frozen name, team membership goes, counters stay exact.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
import { authenticate, register } from '../../src/server/auth/account.ts';
import { changeDisplayName, changePassword, deleteAccount, exportAccountData } from '../../src/server/auth/own-account.ts';
import {
  createSession,
  deleteUserSessions,
  endOwnSession,
  listUserSessions,
  SESSION_IDLE_DAYS,
  SESSION_MAX_DAYS,
  validateSessionToken,
} from '../../src/server/auth/session.ts';
import { describeDevice } from '../../src/server/auth/device.ts';
import { accountNameIfChanged, certificatesOfUser, reissueCertificate, verifyCertificate } from '../../src/server/certificates/certificates.ts';
import { getCatalog } from '../../src/server/content/catalog.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { markLessonDone, startFinalQuiz, submitFinalQuiz } from '../../src/server/learning/learning.ts';
import type { FormEntries } from '../../src/server/learning/quiz.ts';
import { recountAll } from '../../src/server/teams/counters.ts';
import { runPendingJobs } from '../../src/server/jobs/worker.ts';
import { unitDashboard } from '../../src/server/teams/dashboard.ts';
import { commitRoster, uploadRoster } from '../../src/server/teams/roster.ts';
import { seedAdministrativeUnits } from '../../src/server/teams/seed.ts';
import * as teamsRepo from '../../src/server/teams/teams.repository.ts';
import { type Viewer } from '../../src/server/teams/access.ts';
import { assignCourse } from '../../src/server/teams/assignments.ts';
import { issueCode } from '../../src/server/teams/codes.ts';
import { createTeam, renameTeam } from '../../src/server/teams/team-changes.ts';
import { redeemCode, startHelperRecovery } from '../../src/server/recovery/recovery.ts';
import { correctFields } from '../setup/answers.ts';
import { createTestDb } from '../setup/db.ts';

let db: Kysely<Database>;
const PASSWORD = 'vườn nhà có ba cây bưởi';
const DAY = 24 * 3600 * 1000;
const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';
let n = 0;

beforeAll(async () => {
  db = (await createTestDb()).db;
});

async function newPerson(name = `Người học ${n + 1}`, role: 'learner' | 'admin' | 'official' = 'learner') {
  n++;
  const phone = `+8491600${String(n).padStart(4, '0')}`;
  const r = await register(db, { phone, displayName: name, password: PASSWORD });
  if (!r.ok) throw new Error(r.message);
  if (role !== 'learner') await db.updateTable('user').set({ role }).where('id', '=', r.value.userId).execute();
  return { id: r.value.userId, phone, name };
}

const sessionId = (token: string) => token.split('.')[0]!;

/** Completes the citizen edition of the fixture course the real way; returns the certificate. */
async function complete(userId: string) {
  const course = getCatalog().bySlug.get('khoa-thu-nghiem')!;
  for (const l of course.editions.citizen!.lessons) await markLessonDone(db, { userId }, { course: course.slug, edition: 'citizen', lessonId: l.id }, 'test-client');
  const quiz = await startFinalQuiz(db, userId, course.slug, 'citizen');
  const attempt = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
  const entries: FormEntries = new Map();
  for (const [k, v] of attempt.questions.flatMap((d, i) => correctFields(course.questions.get(d.id)!, d.order, i))) entries.set(k, [...(entries.get(k) ?? []), v]);
  await submitFinalQuiz(db, userId, quiz.attemptId, entries, 'test-client');
  const [c] = await certificatesOfUser(db, userId);
  return c!;
}

describe('session lifetimes', () => {
  it('refuses a session older than 30 days even while it is being used, and deletes it', async () => {
    const p = await newPerson();
    const { token } = await createSession(db, p.id);
    // Used yesterday (idle expiry far away) but signed in 31 days ago.
    await db
      .updateTable('session')
      .set({ created_at: new Date(Date.now() - (SESSION_MAX_DAYS + 1) * DAY), expires_at: new Date(Date.now() + 10 * DAY) })
      .where('id', '=', sessionId(token))
      .execute();
    expect(await validateSessionToken(db, token)).toBeUndefined();
    expect(await db.selectFrom('session').select('id').where('id', '=', sessionId(token)).executeTakeFirst()).toBeUndefined();
  });

  it('refuses the 400-day-old session that used to be extended again', async () => {
    const p = await newPerson();
    const { token } = await createSession(db, p.id);
    await db
      .updateTable('session')
      .set({ created_at: new Date(Date.now() - 400 * DAY), expires_at: new Date(Date.now() + DAY) })
      .where('id', '=', sessionId(token))
      .execute();
    expect(await validateSessionToken(db, token)).toBeUndefined();
  });

  it('slides the idle expiry, but never past 30 days after sign-in', async () => {
    const p = await newPerson();
    const { token, expiresAt } = await createSession(db, p.id);
    expect(expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + SESSION_IDLE_DAYS * DAY);
    const created = new Date(Date.now() - 28 * DAY);
    await db.updateTable('session').set({ created_at: created, expires_at: new Date(Date.now() + DAY) }).where('id', '=', sessionId(token)).execute();
    const v = await validateSessionToken(db, token);
    expect(v?.session.refreshed).toBe(true);
    // Extended to the absolute end (2 days away), not 14 days.
    expect(v!.session.expiresAt.getTime()).toBe(created.getTime() + SESSION_MAX_DAYS * DAY);
    const row = await db.selectFrom('session').select('expires_at').where('id', '=', sessionId(token)).executeTakeFirstOrThrow();
    expect(new Date(row.expires_at).getTime()).toBe(created.getTime() + SESSION_MAX_DAYS * DAY);
    // Used again: nothing left to extend, so the cookie is not re-sent.
    expect((await validateSessionToken(db, token))?.session.refreshed).toBe(false);
  });

  it('keeps a short device summary, not the user agent, and updates last seen', async () => {
    const p = await newPerson();
    const { token } = await createSession(db, p.id, ANDROID_CHROME);
    const row = await db.selectFrom('session').selectAll().where('id', '=', sessionId(token)).executeTakeFirstOrThrow();
    expect(row.device).toBe('Chrome trên Android');
    expect(JSON.stringify(row)).not.toContain('SM-A135F');
    const hourAgo = new Date(Date.now() - 3600 * 1000);
    await db.updateTable('session').set({ last_seen_at: hourAgo }).where('id', '=', sessionId(token)).execute();
    await validateSessionToken(db, token);
    const after = await db.selectFrom('session').select('last_seen_at').where('id', '=', sessionId(token)).executeTakeFirstOrThrow();
    expect(new Date(after.last_seen_at).getTime()).toBeGreaterThan(hourAgo.getTime());
  });

  it('describes common devices briefly and never lets a header inject markup', () => {
    expect(describeDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1')).toBe('Safari trên iPhone');
    expect(describeDevice('Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/120.0.0 Chrome/114.0.0 Mobile Safari/537.36')).toBe('Cốc Cốc trên Android');
    expect(describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0')).toBe('Edge trên Windows');
    expect(describeDevice('')).toBeUndefined();
    expect(describeDevice(undefined)).toBeUndefined();
    const odd = describeDevice('<script>alert(1)</script>\u202E');
    expect(odd ?? '').not.toMatch(/[<>\u202E]/);
  });

  it('lists only the person’s own live sessions, and ends one only when it is theirs', async () => {
    const a = await newPerson();
    const b = await newPerson();
    const a1 = await createSession(db, a.id, ANDROID_CHROME);
    const a2 = await createSession(db, a.id);
    const old = await createSession(db, a.id);
    await db.updateTable('session').set({ created_at: new Date(Date.now() - 31 * DAY) }).where('id', '=', sessionId(old.token)).execute();
    const b1 = await createSession(db, b.id);
    const list = await listUserSessions(db, a.id);
    expect(list.map((s) => s.id).sort()).toEqual([sessionId(a1.token), sessionId(a2.token)].sort());
    // Another person's session id: refused, and that session still works.
    expect(await endOwnSession(db, a.id, sessionId(b1.token))).toBe(false);
    expect(await validateSessionToken(db, b1.token)).toBeDefined();
    expect(await endOwnSession(db, a.id, sessionId(a2.token))).toBe(true);
    expect(await validateSessionToken(db, a2.token)).toBeUndefined();
    expect(await validateSessionToken(db, a1.token)).toBeDefined();
    const a3 = await createSession(db, a.id);
    await deleteUserSessions(db, a.id, sessionId(a1.token));
    expect(await validateSessionToken(db, a3.token)).toBeUndefined();
    expect(await validateSessionToken(db, a1.token)).toBeDefined();
    expect(await validateSessionToken(db, b1.token)).toBeDefined();
  });
});

describe('password change', () => {
  it('needs the current password, checks the new one, and ends every other session but this one', async () => {
    const p = await newPerson();
    const other = await newPerson();
    const here = await createSession(db, p.id);
    const phone = await createSession(db, p.id);
    const laptop = await createSession(db, p.id);
    const stranger = await createSession(db, other.id);
    const input = { userId: p.id, sessionId: sessionId(here.token) };

    const wrong = await changePassword(db, { ...input, currentPassword: 'không phải mật khẩu', newPassword: 'cây bàng đầu ngõ 2027' });
    expect(wrong).toMatchObject({ ok: false, status: 400, field: 'currentPassword' });
    const common = await changePassword(db, { ...input, currentPassword: PASSWORD, newPassword: 'matkhau123' });
    expect(common).toMatchObject({ ok: false, status: 400, field: 'newPassword' });
    const same = await changePassword(db, { ...input, currentPassword: PASSWORD, newPassword: PASSWORD });
    expect(same).toMatchObject({ ok: false, field: 'newPassword' });
    expect(await validateSessionToken(db, phone.token)).toBeDefined();

    expect(await changePassword(db, { ...input, currentPassword: PASSWORD, newPassword: 'cây bàng đầu ngõ 2027' })).toMatchObject({ ok: true });
    expect(await validateSessionToken(db, here.token)).toBeDefined();
    expect(await validateSessionToken(db, phone.token)).toBeUndefined();
    expect(await validateSessionToken(db, laptop.token)).toBeUndefined();
    expect(await validateSessionToken(db, stranger.token)).toBeDefined();
    expect((await authenticate(db, { phone: p.phone, password: 'cây bàng đầu ngõ 2027', clientKey: 'pw' })).ok).toBe(true);
    expect((await authenticate(db, { phone: p.phone, password: PASSWORD, clientKey: 'pw' })).ok).toBe(false);
  });

  it('limits guesses of the current password like sign-in', async () => {
    const p = await newPerson();
    const here = await createSession(db, p.id);
    let last;
    for (let i = 0; i < 6; i++) last = await changePassword(db, { userId: p.id, sessionId: sessionId(here.token), currentPassword: `đoán sai ${i}`, newPassword: 'cây bàng đầu ngõ 2027' });
    expect(last).toMatchObject({ ok: false, status: 429 });
    // Even the right password waits for the window now.
    expect(await changePassword(db, { userId: p.id, sessionId: sessionId(here.token), currentPassword: PASSWORD, newPassword: 'cây bàng đầu ngõ 2027' })).toMatchObject({ status: 429 });
  });
});

describe('name change and certificates', () => {
  it('leaves issued certificates with their frozen name; only an audit-logged admin reissue uses the new one', async () => {
    const p = await newPerson('Nguyen Van Sai');
    const admin = await newPerson('Quản trị thử', 'admin');
    const cert = await complete(p.id);
    expect(cert.learnerName).toBe('Nguyen Van Sai');
    await changeDisplayName(db, p.id, 'Nguyễn Văn Đúng');
    const still = await verifyCertificate(db, cert.code, 'acct-1');
    expect(still).toMatchObject({ status: 'valid', learnerName: 'Nguyen Van Sai' });
    expect((await db.selectFrom('certificate').select('learner_name').where('code', '=', cert.code).executeTakeFirstOrThrow()).learner_name).toBe('Nguyen Van Sai');
    expect(await accountNameIfChanged(db, still)).toBe('Nguyễn Văn Đúng');

    const fresh = await reissueCertificate(db, admin.id, cert.code, { kind: 'account' });
    expect(fresh).toMatchObject({ status: 'valid', learnerName: 'Nguyễn Văn Đúng', replacesCode: cert.code });
    const log = await db.selectFrom('audit_log').selectAll().where('action', '=', 'certificate.reissue').where('actor_id', '=', admin.id).execute();
    expect(log).toHaveLength(1);
    expect(log[0]!.detail).toMatchObject({ certificate: cert.code, replacement: fresh.code, source: 'account' });
    // Nothing left to do: the names agree.
    await expect(reissueCertificate(db, admin.id, fresh.code, { kind: 'account' })).rejects.toMatchObject({ status: 409 });
  });
});

describe('data export', () => {
  it('contains the person’s data and nobody else’s', async () => {
    const p = await newPerson('Trịnh Thị Xuất');
    const other = await newPerson('Hà Văn Khác');
    await createSession(db, p.id, ANDROID_CHROME);
    await createSession(db, other.id, ANDROID_CHROME);
    const cert = await complete(p.id);
    const otherCert = await complete(other.id);
    for (const [u, text] of [[p.id, 'Câu hỏi riêng của Xuất về mật khẩu'], [other.id, 'Câu hỏi riêng của Khác về Zalo']] as const) {
      await db.insertInto('topic_question').values({ month: '2026-11', course_slug: 'khoa-thu-nghiem', user_id: u, text }).execute();
    }
    const data = (await exportAccountData(db, p.id))!;
    expect(data.account).toMatchObject({ name: 'Trịnh Thị Xuất', phone: p.phone, activated: true });
    expect(data.sessions).toEqual([expect.objectContaining({ device: 'Chrome trên Android' })]);
    expect(data.certificates.map((c) => c.code)).toEqual([cert.code]);
    expect(data.completions).toHaveLength(1);
    expect(data.lessonProgress.length).toBeGreaterThan(0);
    expect(data.finalQuizAttempts).toEqual([expect.objectContaining({ passed: true })]);
    expect(data.questions.map((q) => q.text)).toEqual(['Câu hỏi riêng của Xuất về mật khẩu']);
    const text = JSON.stringify(data);
    for (const foreign of [other.phone, 'Hà Văn Khác', otherCert.code, 'Câu hỏi riêng của Khác', other.id, p.id]) expect(text).not.toContain(foreign);
    expect(text).not.toMatch(/argon2|secret_hash|password_hash/);
  });
});

describe('account deletion', () => {
  let official: Viewer;
  let unitId: number;

  beforeAll(async () => {
    await seedAdministrativeUnits(db);
    const commune = (await teamsRepo.findUnitByStatCode(db, '00004'))!;
    unitId = commune.id;
    const o = await newPerson('Cán bộ xã thử', 'official');
    await teamsRepo.insertScope(db, o.id, commune.id, null);
    official = { id: o.id, role: 'official' };
    await assignCourse(db, official, String(commune.id), { course: 'khoa-thu-nghiem', edition: 'citizen', due: '2027-06-30' });
  }, 120_000);

  /** A member imported by the official, activated with a code, who completes the required course. */
  async function member(phone: string, name: string) {
    const csv = `Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò\r\n${name},${phone},Thôn Xóa Thử,Tổ Xóa Thử,Thành viên\r\n`;
    const imp = await uploadRoster(db, official, String(unitId), { bytes: new TextEncoder().encode(csv), name: 'ds.csv' });
    await commitRoster(db, official, imp, []);
    const user = await db.selectFrom('user').select('id').where('phone', '=', `+84${phone.slice(1)}`).executeTakeFirstOrThrow();
    const { code } = await issueCode(db, user.id, 'activation', official.id);
    const r = await redeemCode(db, { phone: `+84${phone.slice(1)}`, code, password: PASSWORD });
    expect(r.ok).toBe(true);
    return { id: user.id, phone: `+84${phone.slice(1)}`, cert: await complete(user.id) };
  }

  it('needs the right password; admins cannot delete themselves', async () => {
    const p = await newPerson();
    expect(await deleteAccount(db, { userId: p.id, password: 'sai rồi' })).toMatchObject({ ok: false, status: 400, field: 'password' });
    expect(await db.selectFrom('user').select('id').where('id', '=', p.id).executeTakeFirst()).toBeDefined();
    const admin = await newPerson('Quản trị tự xóa', 'admin');
    expect(await deleteAccount(db, { userId: admin.id, password: PASSWORD })).toMatchObject({ ok: false, status: 403 });
  });

  it('keeps certificates verifiable with the frozen name, removes team membership and keeps counters exact', async () => {
    const leaving = await member('0917000001', 'Đoàn Thị Rời');
    const staying = await member('0917000002', 'Đoàn Văn Ở');
    await startHelperRecovery(db, official, leaving.phone);
    const session = await createSession(db, leaving.id);
    await runPendingJobs(db);
    expect(await recountAll(db, { fix: false })).toEqual([]);
    const before = await unitDashboard(db, official, String(unitId), undefined);

    expect(await deleteAccount(db, { userId: leaving.id, password: PASSWORD })).toMatchObject({ ok: true });

    expect(await db.selectFrom('user').select('id').where('id', '=', leaving.id).executeTakeFirst()).toBeUndefined();
    expect(await validateSessionToken(db, session.token)).toBeUndefined();
    expect(await db.selectFrom('team_member').select('user_id').where('user_id', '=', leaving.id).executeTakeFirst()).toBeUndefined();
    for (const t of ['lesson_progress', 'quiz_attempt', 'course_completion', 'access_code', 'session'] as const) {
      expect(await db.selectFrom(t).select('user_id').where('user_id', '=', leaving.id).executeTakeFirst(), t).toBeUndefined();
    }
    // The certificate survives, belongs to nobody, and still verifies with the name printed on it.
    const cert = await verifyCertificate(db, leaving.cert.code, 'acct-del');
    expect(cert).toMatchObject({ status: 'valid', learnerName: 'Đoàn Thị Rời', userId: null });
    // `npm run db:recount -- --check` would find nothing to fix.
    await runPendingJobs(db);
    expect(await recountAll(db, { fix: false })).toEqual([]);
    const after = await unitDashboard(db, official, String(unitId), undefined);
    expect(after.members).toBe(before.members - 1);
    expect(after.allDone).toBe(before.allDone - 1);
    // The official's audit log keeps the recovery code entry, without the person's number or id.
    const entries = await db.selectFrom('audit_log').select(['action', 'detail', 'actor_id']).execute();
    const text = JSON.stringify(entries);
    expect(text).not.toContain(leaving.phone);
    expect(text).not.toContain(leaving.id);
    expect(entries.some((e) => e.action === 'code.recovery' && e.actor_id === official.id)).toBe(true);
    expect(entries.some((e) => e.action === 'account.delete')).toBe(true);
    // The roster file no longer names the person.
    const rosters = JSON.stringify(await db.selectFrom('roster_import').select('rows').execute());
    expect(rosters).not.toContain(leaving.phone);
    expect(rosters).not.toContain('Đoàn Thị Rời');
    expect(rosters).toContain(staying.phone);
    // The number is free to register again.
    expect((await register(db, { phone: leaving.phone, displayName: 'Đoàn Thị Rời', password: PASSWORD })).ok).toBe(true);
  });

  it('lets an official with scopes, grants and imports delete their account', async () => {
    const o = await newPerson('Cán bộ nghỉ việc', 'official');
    await teamsRepo.insertScope(db, o.id, unitId, official.id);
    const v: Viewer = { id: o.id, role: 'official' };
    const team = await createTeam(db, v, String(unitId), 'Tổ Cán Bộ Nghỉ');
    await renameTeam(db, v, String(team), 'Tổ Cán Bộ Đã Nghỉ');
    const csv = 'Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò\r\nVũ Văn Nhập,0917000009,Thôn Xóa Thử,Tổ Xóa Thử,Thành viên\r\n';
    const imp = await uploadRoster(db, v, String(unitId), { bytes: new TextEncoder().encode(csv), name: 'ds.csv' });
    expect(await deleteAccount(db, { userId: o.id, password: PASSWORD })).toMatchObject({ ok: true });
    expect(await db.selectFrom('official_scope').select('unit_id').where('user_id', '=', o.id).executeTakeFirst()).toBeUndefined();
    const kept = await db.selectFrom('roster_import').select(['official_id']).where('id', '=', imp).executeTakeFirstOrThrow();
    expect(kept.official_id).toBeNull();
    expect(await db.selectFrom('audit_log').select('id').where('action', '=', 'team.rename').where('actor_id', 'is', null).executeTakeFirst()).toBeDefined();
    await runPendingJobs(db);
    expect(await recountAll(db, { fix: false })).toEqual([]);
  });

  it('refuses team names with bidi controls or only invisible characters', async () => {
    await expect(createTeam(db, official, String(unitId), 'Tổ \u202Etrộm')).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/ký tự điều khiển/) });
    await expect(createTeam(db, official, String(unitId), '\u200B'.repeat(20))).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/ký tự ẩn/) });
  });

  it('refuses team names a spreadsheet would run as a formula, as a roster import does', async () => {
    const team = await createTeam(db, official, String(unitId), 'Tổ Công Thức');
    for (const name of ['=HYPERLINK("http://x","Tổ 1")', '@SUM(A1)', '+Tổ 2', '-Tổ 3']) {
      await expect(createTeam(db, official, String(unitId), name)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/công thức/) });
      await expect(renameTeam(db, official, String(team), name)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/công thức/) });
    }
    await renameTeam(db, official, String(team), 'Tổ - 3');
  });
});

