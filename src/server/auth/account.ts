/**
 * Accounts: registration and sign-in by Vietnamese mobile number and password.
 * Sign-in messages never reveal whether a number is registered.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { consume, failuresAllowed, LIMITS, reset, waitText } from '../security/rate-limit.ts';
import { hashPassword, isCommonPassword, verifyDummy, verifyPassword } from './password.ts';
import * as users from './user.repository.ts';

export type AccountResult<T> = { ok: true; value: T } | { ok: false; status: number; message: string; field?: string };

/** Registers a learner; inputs are already normalised by the field schemas. */
export async function register(
  db: Kysely<Database>,
  input: { phone: string; displayName: string; password: string },
): Promise<AccountResult<{ userId: string }>> {
  if (await isCommonPassword(input.password)) {
    return { ok: false, status: 400, field: 'password', message: 'Mật khẩu này quá phổ biến, kẻ gian dễ đoán ra. Hãy chọn mật khẩu khác, ví dụ một câu ngắn dễ nhớ.' };
  }
  const created = await users.insertUser(db, {
    phone: input.phone,
    display_name: input.displayName,
    password_hash: await hashPassword(input.password),
  });
  if (!created) {
    return { ok: false, status: 409, field: 'phone', message: 'Số điện thoại này đã có tài khoản. Hãy đăng nhập, hoặc nhờ tổ trưởng cấp mã khôi phục nếu quên mật khẩu.' };
  }
  return { ok: true, value: { userId: created.id } };
}

const WRONG = 'Số điện thoại hoặc mật khẩu không đúng.';

/** Checks a sign-in, rate-limited per number and per client. */
export async function authenticate(
  db: Kysely<Database>,
  input: { phone: string; password: string; clientKey: string },
): Promise<AccountResult<{ userId: string }>> {
  // Only failed attempts count: many learners share one address behind a carrier's NAT, and signing
  // in correctly must never lock anyone out. Guessing is what the limits stop.
  const clientKey = `login:client:${input.clientKey}`;
  const phoneKey = `login:phone:${input.phone}`;
  const [perClient, perPhone] = await Promise.all([
    failuresAllowed(db, clientKey, LIMITS.loginPerClient),
    failuresAllowed(db, phoneKey, LIMITS.loginPerPhone),
  ]);
  if (!perClient.allowed || !perPhone.allowed) {
    const wait = Math.max(perClient.allowed ? 0 : perClient.retryAfter, perPhone.allowed ? 0 : perPhone.retryAfter);
    return { ok: false, status: 429, message: `Bạn đã thử đăng nhập quá nhiều lần. Vui lòng đợi ${waitText(wait)} rồi thử lại.` };
  }
  const fail = async (): Promise<AccountResult<{ userId: string }>> => {
    await consume(db, clientKey, LIMITS.loginPerClient);
    await consume(db, phoneKey, LIMITS.loginPerPhone);
    return { ok: false, status: 401, message: WRONG };
  };
  const user = await users.findUserByPhone(db, input.phone);
  if (!user || !user.password_hash) {
    await verifyDummy(input.password);
    return fail();
  }
  if (!(await verifyPassword(user.password_hash, input.password))) return fail();
  await reset(db, phoneKey);
  return { ok: true, value: { userId: user.id } };
}

/**
 * Makes a number an admin: promotes an existing account (keeping its password), or creates one.
 * Idempotent, for `npm run admin:create`.
 */
export async function ensureAdmin(
  db: Kysely<Database>,
  input: { phone: string; displayName: string; password: string | undefined },
): Promise<AccountResult<{ userId: string; created: boolean }>> {
  const existing = await users.findUserByPhone(db, input.phone);
  if (existing) {
    await users.updateRole(db, existing.id, 'admin');
    return { ok: true, value: { userId: existing.id, created: false } };
  }
  if (!input.password) return { ok: false, status: 400, field: 'password', message: 'Cần mật khẩu để tạo tài khoản quản trị mới.' };
  const r = await register(db, { phone: input.phone, displayName: input.displayName, password: input.password });
  if (!r.ok) return r;
  await users.updateRole(db, r.value.userId, 'admin');
  return { ok: true, value: { userId: r.value.userId, created: true } };
}
