import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { authenticate, register } from '../../src/server/auth/account.ts';
import { createSession, invalidateSession, validateSessionToken, SESSION_IDLE_DAYS } from '../../src/server/auth/session.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { createTestDb } from '../setup/db.ts';

let db: Kysely<Database>;
beforeAll(async () => {
  db = (await createTestDb()).db;
});

const PASSWORD = 'vườn nhà có ba cây bưởi';

describe('registration', () => {
  it('stores the normal phone form, the NFC name and an argon2id hash', async () => {
    const r = await register(db, { phone: '+84912111111', displayName: 'Đặng Thị Ưu', password: PASSWORD });
    expect(r.ok).toBe(true);
    const row = await db.selectFrom('user').selectAll().where('phone', '=', '+84912111111').executeTakeFirstOrThrow();
    expect(row.display_name).toBe('Đặng Thị Ưu');
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a taken number and common passwords with Vietnamese messages', async () => {
    const dup = await register(db, { phone: '+84912111111', displayName: 'Ai Đó', password: PASSWORD });
    expect(dup).toMatchObject({ ok: false, status: 409 });
    const common = await register(db, { phone: '+84912111112', displayName: 'Ai Đó', password: 'matkhau123' });
    expect(common).toMatchObject({ ok: false, status: 400 });
    if (!common.ok) expect(common.message).toMatch(/phổ biến/);
  });
});

describe('sign-in', () => {
  it('gives the same message for an unknown number and a wrong password', async () => {
    await register(db, { phone: '+84912222222', displayName: 'Lê Văn Tám', password: PASSWORD });
    const wrong = await authenticate(db, { phone: '+84912222222', password: 'sai mật khẩu rồi', clientKey: 'c1' });
    const unknown = await authenticate(db, { phone: '+84912999999', password: 'sai mật khẩu rồi', clientKey: 'c1' });
    expect(wrong).toEqual(unknown);
    expect(wrong).toMatchObject({ ok: false, status: 401 });
    const ok = await authenticate(db, { phone: '+84912222222', password: PASSWORD, clientKey: 'c1' });
    expect(ok.ok).toBe(true);
  });

  it('limits attempts per number from one client, then lets the right password in once the window ends', async () => {
    await register(db, { phone: '+84912333333', displayName: 'Phạm Thị Na', password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      const r = await authenticate(db, { phone: '+84912333333', password: 'không đúng đâu', clientKey: 'k1' });
      expect(r).toMatchObject({ ok: false, status: 401 });
    }
    const blocked = await authenticate(db, { phone: '+84912333333', password: PASSWORD, clientKey: 'k1' });
    expect(blocked).toMatchObject({ ok: false, status: 429 });
    if (!blocked.ok) expect(blocked.message).toMatch(/đợi/);
    // Failures from other clients never lock the owner out (see tests/integration/rate-limits).
    expect((await authenticate(db, { phone: '+84912333333', password: PASSWORD, clientKey: 'k9' })).ok).toBe(true);
    // No permanent lock-out: move the window into the past.
    await db.updateTable('rate_limit').set({ window_start: new Date(Date.now() - 16 * 60 * 1000) }).execute();
    expect((await authenticate(db, { phone: '+84912333333', password: PASSWORD, clientKey: 'k1' })).ok).toBe(true);
  });

  it('never counts successful sign-ins (many learners share one address behind carrier NAT)', async () => {
    await register(db, { phone: '+84912666666', displayName: 'Ngô Thị Nhung', password: PASSWORD });
    for (let i = 0; i < 35; i++) {
      const r = await authenticate(db, { phone: '+84912666666', password: PASSWORD, clientKey: 'shared-nat' });
      expect(r.ok, `sign-in ${i + 1}`).toBe(true);
    }
  });

  it('limits attempts per client across numbers', async () => {
    let last;
    for (let i = 0; i < 31; i++) last = await authenticate(db, { phone: `+8491240${String(i).padStart(4, '0')}`, password: 'x'.repeat(8), clientKey: 'many' });
    expect(last).toMatchObject({ ok: false, status: 429 });
  });
});

describe('sessions', () => {
  it('stores only a hash of the secret and validates in constant time', async () => {
    const r = await register(db, { phone: '+84912444444', displayName: 'Võ Văn Kiệt', password: PASSWORD });
    if (!r.ok) throw new Error('register failed');
    const { token } = await createSession(db, r.value.userId);
    const [id, secret] = token.split('.');
    const row = await db.selectFrom('session').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
    expect(Buffer.from(row.secret_hash).toString('utf8')).not.toContain(secret);
    expect(row.secret_hash.length).toBe(32);
    expect((await validateSessionToken(db, token))?.user.displayName).toBe('Võ Văn Kiệt');
    expect(await validateSessionToken(db, `${id}.${'a'.repeat(24)}`)).toBeUndefined();
    expect(await validateSessionToken(db, 'rác')).toBeUndefined();
  });

  it('creates a new session at every sign-in, slides expiry, and deletes on sign-out', async () => {
    const r = await register(db, { phone: '+84912555555', displayName: 'Hồ Thị Lan', password: PASSWORD });
    if (!r.ok) throw new Error('register failed');
    const a = await createSession(db, r.value.userId);
    const b = await createSession(db, r.value.userId);
    expect(a.token).not.toBe(b.token);
    const id = a.token.split('.')[0]!;
    const soon = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    await db.updateTable('session').set({ expires_at: soon }).where('id', '=', id).execute();
    const v = await validateSessionToken(db, a.token);
    expect(v?.session.refreshed).toBe(true);
    expect(v!.session.expiresAt.getTime()).toBeGreaterThan(Date.now() + (SESSION_IDLE_DAYS - 1) * 24 * 3600 * 1000);
    await db.updateTable('session').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
    expect(await validateSessionToken(db, a.token)).toBeUndefined();
    await invalidateSession(db, b.token.split('.')[0]!);
    expect(await validateSessionToken(db, b.token)).toBeUndefined();
  });
});
