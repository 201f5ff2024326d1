/**
 * Account recovery on a real database (PGlite, or Postgres with DATABASE_URL): who may start one and
 * what they learn, the owner's confirmation, sessions after a reset, the owner's notices, the in-person
 * path with its 24-hour wait (an injected clock, no sleeping) and its cancellation, personal codes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { register } from '../../src/server/auth/account.ts';
import { createSession, deleteUserSessions, validateSessionToken } from '../../src/server/auth/session.ts';
import type { Database } from '../../src/server/db/schema.ts';
import {
  acknowledgeEvents,
  answerRequest,
  cancelInPersonReset,
  collectConfirmedCode,
  createPersonalCode,
  foldName,
  helperRequestStatus,
  needsAttention,
  pendingInPersonResets,
  pendingRequests,
  redeemCode,
  RecoveryError,
  securityOverview,
  startHelperRecovery,
  startInPersonReset,
  type Clock,
} from '../../src/server/recovery/recovery.ts';
import { seedTeamsDemo } from '../../src/server/teams/seed.ts';
import type { Viewer } from '../../src/server/teams/access.ts';
import { createTestDb } from '../setup/db.ts';

let db: Kysely<Database>;
const PASSWORD = 'hoc-thu-2026';
const NEW_PASSWORD = 'cây bàng đầu ngõ 2026';
const HOUR = 3600 * 1000;

async function viewer(phone: string): Promise<Viewer> {
  const u = await db.selectFrom('user').select(['id', 'role']).where('phone', '=', phone).executeTakeFirstOrThrow();
  return { id: u.id, role: u.role };
}
const idOf = async (phone: string) => (await viewer(phone)).id;
const codesOf = async (userId: string) => db.selectFrom('access_code').select(['kind', 'used_at']).where('user_id', '=', userId).execute();
async function citizen(phone: string, name: string): Promise<string> {
  const r = await register(db, { phone, displayName: name, password: PASSWORD });
  if (!r.ok) throw new Error(r.message);
  return r.value.userId;
}
/** A clock that starts at the real time and moves only when told. */
function testClock(): Clock & { advance: (ms: number) => void } {
  let now = Date.now();
  const c = (() => new Date(now)) as Clock & { advance: (ms: number) => void };
  c.advance = (ms) => (now += ms);
  return c;
}

let leaderA: Viewer, officialA: Viewer, officialB: Viewer, leaderB: Viewer;
beforeAll(async () => {
  db = (await createTestDb()).db;
  await seedTeamsDemo(db, PASSWORD);
  leaderA = await viewer('+84912000011');
  officialA = await viewer('+84912000010');
  officialB = await viewer('+84912000020');
  leaderB = await viewer('+84912000021');
}, 120_000);

describe('who may start a recovery', () => {
  it('gives a leader a code for a member of their own team, and an official for members below their unit', async () => {
    const binh = await startHelperRecovery(db, leaderA, '+84912000002');
    expect(binh).toMatchObject({ kind: 'issued', name: 'Trần Văn Bình' });
    const hai = await startHelperRecovery(db, officialA, '+84912000012');
    expect(hai).toMatchObject({ kind: 'issued', name: 'Vũ Văn Hải (mẫu)' });
  });

  it('gives a leader of another team, or an official of another commune, only a request that looks like an unknown number’s', async () => {
    await citizen('+84913000001', 'Nguyễn Thị Tư');
    const cases: [Viewer, string][] = [
      [leaderA, '+84912000021'], // a leader in commune B
      [leaderA, '+84912000012'], // a member of another team in the same commune
      [officialB, '+84912000002'], // a member in commune A
      [officialB, '+84913000001'], // a citizen in no team
      [leaderB, '+84913000001'],
    ];
    const unknown = await startHelperRecovery(db, officialB, '+84913999999');
    expect(unknown.kind).toBe('requested');
    for (const [v, phone] of cases) {
      const before = await codesOf(await idOf(phone));
      const r = await startHelperRecovery(db, v, phone);
      expect(r.kind, phone).toBe('requested');
      expect(Object.keys(r).sort()).toEqual(Object.keys(unknown).sort());
      expect(JSON.stringify(r)).not.toMatch(/Tư|Nga|Bình|Hải/);
      // Nothing was issued, and the helper's view of the request is the same as for the unknown number.
      expect(await codesOf(await idOf(phone))).toEqual(before);
      if (r.kind !== 'requested' || unknown.kind !== 'requested') throw new Error('unreachable');
      expect(await helperRequestStatus(db, v, r.requestId)).toEqual({ state: 'pending', matchCode: r.matchCode });
      await expect(collectConfirmedCode(db, v, r.requestId)).rejects.toMatchObject({ status: 409 });
    }
    if (unknown.kind !== 'requested') throw new Error('unreachable');
    await expect(collectConfirmedCode(db, officialB, unknown.requestId)).rejects.toMatchObject({ status: 409 });
    // Another helper's request is not found.
    await expect(helperRequestStatus(db, officialA, unknown.requestId)).rejects.toMatchObject({ status: 404 });
  });

  it('refuses members and citizens outright', async () => {
    const member = await viewer('+84912000002');
    await expect(startHelperRecovery(db, member, '+84913000001')).rejects.toBeInstanceOf(RecoveryError);
  });
});

describe('a recovery the owner confirms on their own phone', () => {
  it('issues the code only after the owner confirms, once, and the reset signs out every session and tells the owner', async () => {
    const clock = testClock();
    const owner = await citizen('+84913000002', 'Lê Văn Sáu');
    const phoneA = await createSession(db, owner);
    const phoneB = await createSession(db, owner);
    const req = await startHelperRecovery(db, officialB, '+84913000002', clock);
    if (req.kind !== 'requested') throw new Error('expected a request');

    const waiting = await pendingRequests(db, owner, clock);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ id: req.requestId, matchCode: req.matchCode, helper: 'cán bộ Lý Thị Thu (cán bộ mẫu)' });
    expect(await needsAttention(db, owner, clock)).toBe(true);
    expect((await validateSessionToken(db, phoneA.token))?.attention).toBe(true);
    // Nobody else can answer it.
    await expect(answerRequest(db, officialB.id, req.requestId, true, clock)).rejects.toMatchObject({ status: 404 });

    await answerRequest(db, owner, req.requestId, true, clock);
    expect(await helperRequestStatus(db, officialB, req.requestId, clock)).toEqual({ state: 'confirmed' });
    const issued = await collectConfirmedCode(db, officialB, req.requestId, clock);
    expect(issued.name).toBe('Lê Văn Sáu');
    expect(await helperRequestStatus(db, officialB, req.requestId, clock)).toEqual({ state: 'shown' });
    await expect(collectConfirmedCode(db, officialB, req.requestId, clock)).rejects.toMatchObject({ status: 409 });

    const r = await redeemCode(db, { phone: '+84913000002', code: issued.code, password: NEW_PASSWORD }, clock);
    expect(r).toMatchObject({ ok: true, userId: owner, kind: 'recovery' });
    if (!r.ok) throw new Error('unreachable');
    expect(r.personalCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(await validateSessionToken(db, phoneA.token)).toBeUndefined();
    expect(await validateSessionToken(db, phoneB.token)).toBeUndefined();
    // Single use.
    expect(await redeemCode(db, { phone: '+84913000002', code: issued.code, password: NEW_PASSWORD }, clock)).toMatchObject({ ok: false, status: 400 });

    // The notice the owner sees after signing in: when, how, by whom.
    const seen = await securityOverview(db, owner, clock);
    expect(seen.unseen).toBe(1);
    expect(seen.events[0]!.text).toBe('Mật khẩu được đặt lại bằng mã khôi phục do cán bộ Lý Thị Thu (cán bộ mẫu) (Phường Ngọc Hà) cấp.');
    expect(await needsAttention(db, owner, clock)).toBe(true);
    await acknowledgeEvents(db, owner, clock);
    expect(await needsAttention(db, owner, clock)).toBe(false);
    expect((await securityOverview(db, owner, clock)).events).toHaveLength(1);
  });

  it('a declined or expired request closes, and looks the same as an unknown number’s', async () => {
    const clock = testClock();
    const owner = await citizen('+84913000003', 'Phan Thị Bảy');
    const a = await startHelperRecovery(db, leaderB, '+84913000003', clock);
    const b = await startHelperRecovery(db, leaderB, '+84913999998', clock);
    if (a.kind !== 'requested' || b.kind !== 'requested') throw new Error('expected requests');
    await answerRequest(db, owner, a.requestId, false, clock);
    expect(await helperRequestStatus(db, leaderB, a.requestId, clock)).toEqual({ state: 'closed' });
    clock.advance(16 * 60 * 1000);
    expect(await helperRequestStatus(db, leaderB, b.requestId, clock)).toEqual({ state: 'closed' });
    const late = await startHelperRecovery(db, leaderB, '+84913000003', clock);
    if (late.kind !== 'requested') throw new Error('expected a request');
    clock.advance(16 * 60 * 1000);
    await expect(answerRequest(db, owner, late.requestId, true, clock)).rejects.toMatchObject({ status: 404 });
  });
});

describe('sessions', () => {
  it('deleteUserSessions ends all sessions but the one kept', async () => {
    const u = await citizen('+84913000004', 'Đinh Văn Tám');
    const keep = await createSession(db, u);
    const other = await createSession(db, u);
    expect(await deleteUserSessions(db, u, keep.token.split('.')[0])).toBe(1);
    expect(await validateSessionToken(db, keep.token)).toBeDefined();
    expect(await validateSessionToken(db, other.token)).toBeUndefined();
  });
});

describe('in person at the commune', () => {
  it('needs the name on the ID card, gives unknown numbers, wrong names and out-of-scope members the same refusal', async () => {
    await citizen('+84913000005', 'Trương Thị Chín');
    const refusals = await Promise.all(
      [
        startInPersonReset(db, officialB, { phone: '+84913999997', nameOnCard: 'Trương Thị Chín' }),
        startInPersonReset(db, officialB, { phone: '+84913000005', nameOnCard: 'Trương Thị Mười' }),
        startInPersonReset(db, officialB, { phone: '+84912000002', nameOnCard: 'Trần Văn Bình' }), // a member in commune A
        startInPersonReset(db, officialB, { phone: '+84912000010', nameOnCard: 'Phạm Văn Quân (cán bộ mẫu)' }), // an official
      ].map((p) => p.then(() => undefined, (e: RecoveryError) => ({ status: e.status, message: e.message }))),
    );
    expect(refusals[0]).toMatchObject({ status: 404 });
    for (const r of refusals) expect(r).toEqual(refusals[0]);
    await expect(startInPersonReset(db, leaderA, { phone: '+84913000005', nameOnCard: 'Trương Thị Chín' })).rejects.toMatchObject({ status: 403 });
    expect(foldName('  truong thi  CHIN ')).toBe(foldName('Trương Thị Chín'));
  });

  it('works only after 24 hours, is shown to the owner, and logs only that the ID card was checked', async () => {
    const clock = testClock();
    const owner = await citizen('+84913000006', 'Võ Thị Mười');
    const session = await createSession(db, owner);
    // Any commune official for a citizen in no team; the name may be typed without tone marks.
    const made = await startInPersonReset(db, officialA, { phone: '+84913000006', nameOnCard: 'VO THI MUOI' }, clock);
    expect(made.notBefore.getTime() - clock().getTime()).toBe(24 * HOUR);
    const pending = await pendingInPersonResets(db, owner, clock);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ official: 'Phạm Văn Quân (cán bộ mẫu)', unit: 'Phường Ba Đình' });
    expect(await needsAttention(db, owner, clock)).toBe(true);
    const log = await db.selectFrom('audit_log').select(['detail', 'unit_id']).where('action', '=', 'recovery.in_person').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(log.detail).toEqual({ user: owner, idChecked: true, citizen: true });

    const attempt = () => redeemCode(db, { phone: '+84913000006', code: made.code, password: NEW_PASSWORD }, clock);
    const early = await attempt();
    expect(early).toMatchObject({ ok: false, status: 400, field: 'code' });
    if (!early.ok) expect(early.message).toMatch(/chỉ dùng được từ/);
    clock.advance(23 * HOUR);
    expect((await attempt()).ok).toBe(false);
    expect(await validateSessionToken(db, session.token)).toBeDefined();
    clock.advance(HOUR + 60 * 1000);
    expect(await attempt()).toMatchObject({ ok: true, userId: owner, kind: 'in_person' });
    expect(await validateSessionToken(db, session.token)).toBeUndefined();
    expect((await securityOverview(db, owner, clock)).events[0]!.text).toMatch(/cán bộ Phạm Văn Quân \(cán bộ mẫu\) \(Phường Ba Đình\) cấp tại chỗ/);
  });

  it('can be cancelled by the owner, which is audit-logged, and the code never works', async () => {
    const clock = testClock();
    const owner = await citizen('+84913000007', 'Hà Văn Mười Một');
    const made = await startInPersonReset(db, officialB, { phone: '+84913000007', nameOnCard: 'Hà Văn Mười Một' }, clock);
    const [p] = await pendingInPersonResets(db, owner, clock);
    // Only the owner can cancel it.
    await expect(cancelInPersonReset(db, officialB.id, p!.id, clock)).rejects.toMatchObject({ status: 404 });
    await cancelInPersonReset(db, owner, p!.id, clock);
    expect(await pendingInPersonResets(db, owner, clock)).toHaveLength(0);
    await expect(cancelInPersonReset(db, owner, p!.id, clock)).rejects.toMatchObject({ status: 404 });
    const log = await db.selectFrom('audit_log').select(['actor_id', 'detail']).where('action', '=', 'recovery.in_person.cancel').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(log).toMatchObject({ actor_id: owner, detail: { user: owner, official: officialB.id } });
    clock.advance(25 * HOUR);
    expect(await redeemCode(db, { phone: '+84913000007', code: made.code, password: NEW_PASSWORD }, clock)).toMatchObject({ ok: false, status: 400 });
  });

  it('for a member, only an official over the member’s team', async () => {
    await expect(startInPersonReset(db, officialA, { phone: '+84912000021', nameOnCard: 'Hoàng Thị Nga (mẫu)' })).rejects.toMatchObject({ status: 404 });
    const ok = await startInPersonReset(db, officialB, { phone: '+84912000021', nameOnCard: 'Hoàng Thị Nga (mẫu)' });
    expect(ok.code).toMatch(/^[A-Z0-9]{8}$/);
  });
});

describe('personal codes', () => {
  it('needs the current password, works once with any spacing or case, and is replaced by a new one', async () => {
    const owner = await citizen('+84913000008', 'Lương Thị Mười Hai');
    const session = await createSession(db, owner);
    expect(await createPersonalCode(db, owner, 'không phải mật khẩu')).toMatchObject({ ok: false, field: 'password' });
    const made = await createPersonalCode(db, owner, PASSWORD);
    if (!made.ok) throw new Error('expected a code');
    const typed = made.code.toLowerCase().replace(/-/g, ' ');
    const r = await redeemCode(db, { phone: '+84913000008', code: typed, password: NEW_PASSWORD });
    expect(r).toMatchObject({ ok: true, kind: 'personal' });
    if (!r.ok) throw new Error('unreachable');
    expect(r.personalCode).toBeDefined();
    expect(r.personalCode).not.toBe(made.code);
    expect(await validateSessionToken(db, session.token)).toBeUndefined();
    expect(await redeemCode(db, { phone: '+84913000008', code: made.code, password: NEW_PASSWORD })).toMatchObject({ ok: false, status: 400 });
    expect((await redeemCode(db, { phone: '+84913000008', code: r.personalCode!, password: 'một câu khác dễ nhớ' })).ok).toBe(true);
    // Unknown numbers get the same answer as a wrong code.
    expect(await redeemCode(db, { phone: '+84913999996', code: made.code, password: NEW_PASSWORD })).toEqual(
      await redeemCode(db, { phone: '+84913000008', code: 'ABCDEFGHJKMN', password: NEW_PASSWORD }),
    );
  });
});
