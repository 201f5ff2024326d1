/**
 * Accounts: registration and sign-in by Vietnamese mobile number and password.
 * Sign-in messages never reveal whether a number is registered.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { guardAttempt, LIMITS, waitText, type LimitCheck } from '../security/rate-limit.ts';
import { hashPassword, isCommonPassword, verifyDummy, verifyPassword } from './password.ts';
import * as users from './user.repository.ts';

export type AccountResult<T> = { ok: true; value: T } | { ok: false; status: number; message: string; field?: string; retryAfter?: number };

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

/**
 * Checks a sign-in, rate-limited so that guessing stops but a flood from others never locks the owner out:
 *  - per (number, client): 5 failures per 15 minutes, then that client is refused for that number;
 *  - per client: 30 failures per 15 minutes across numbers;
 *  - per number from everyone: 50 failures a day, then a backoff of 1 s doubling to 5 minutes, which
 *    bounds a guesser spread over many addresses while delaying the owner by minutes at most.
 * Each attempt takes its hits before the password is checked (so parallel attempts cannot all pass)
 * and gives them back when it succeeds: only failures count, because many learners share one address
 * behind a carrier's NAT. Unknown numbers count exactly like registered ones.
 */
export async function authenticate(
  db: Kysely<Database>,
  input: { phone: string; password: string; clientKey: string },
): Promise<AccountResult<{ userId: string }>> {
  const checks: LimitCheck[] = [
    { key: `login:pair:${input.phone}|${input.clientKey}`, limit: LIMITS.loginPerPhoneClient, onSuccess: 'reset' },
    { key: `login:client:${input.clientKey}`, limit: LIMITS.loginPerClient, onSuccess: 'refund' },
    // Refunded, not reset, on success: the owner signing in must not hand a guesser a fresh allowance.
    { key: `login:phone:${input.phone}`, limit: LIMITS.loginPerPhone, onSuccess: 'refund' },
  ];
  const r = await guardAttempt(db, checks, () => checkPassword(db, input.phone, input.password), (userId) => userId !== undefined);
  if (r.limited) {
    return { ok: false, status: 429, retryAfter: r.retryAfter, message: `Bạn đã thử đăng nhập quá nhiều lần. Vui lòng đợi ${waitText(r.retryAfter)} rồi thử lại.` };
  }
  if (r.result === undefined) return { ok: false, status: 401, message: WRONG };
  return { ok: true, value: { userId: r.result } };
}

/** The user id when the password is right; unknown numbers cost the same argon2 time. */
async function checkPassword(db: Kysely<Database>, phone: string, password: string): Promise<string | undefined> {
  const user = await users.findUserByPhone(db, phone);
  if (!user || !user.password_hash) {
    await verifyDummy(password);
    return undefined;
  }
  return (await verifyPassword(user.password_hash, password)) ? user.id : undefined;
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
