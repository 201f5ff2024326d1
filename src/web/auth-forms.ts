/** Sign-up and sign-in forms: field validation with the shared schemas, then the account rules. */
import { z } from 'astro/zod';
import type { AstroCookies } from 'astro';
import type { Kysely } from 'kysely';
import { DisplayNameSchema, NewPasswordSchema, NextPathSchema, PasswordInputSchema, PhoneSchema } from '../lib/fields.ts';
import type { Database } from '../server/db/schema.ts';
import { claimGuestWork } from '../server/learning/learning.ts';
import { consume, LIMITS, waitText } from '../server/security/rate-limit.ts';
import { clearGuestCookie, field, guestTokenHash, setSessionCookie } from './request.ts';
import { authenticate, register } from '../server/auth/account.ts';
import { createSession } from '../server/auth/session.ts';
import { needsAttention } from '../server/recovery/recovery.ts';

export const SignUpSchema = z.object({ phone: PhoneSchema, displayName: DisplayNameSchema, password: NewPasswordSchema, next: NextPathSchema });
export const SignInSchema = z.object({ phone: PhoneSchema, password: PasswordInputSchema, next: NextPathSchema });

/** Outcome of a form: a redirect target, or field errors and a status to re-render with. */
export type FormOutcome = { ok: true; redirect: string } | { ok: false; status: number; errors: Record<string, string>; message?: string };

function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    out[key] ??= issue.message;
  }
  return out;
}

/**
 * Signs the person in on this device and hands them the guest work done here (lesson checks taken
 * before signing in). Used by sign-up, sign-in, activation and recovery alike.
 */
export async function startSession(db: Kysely<Database>, cookies: AstroCookies, userId: string): Promise<void> {
  const { token, expiresAt } = await createSession(db, userId);
  setSessionCookie(cookies, token, expiresAt);
  const guest = guestTokenHash(cookies, false);
  if (guest) {
    await claimGuestWork(db, guest, userId);
    clearGuestCookie(cookies);
  }
}

/** Handles the sign-up form. */
export async function handleSignUp(db: Kysely<Database>, form: FormData, cookies: AstroCookies, client: string): Promise<FormOutcome> {
  const parsed = SignUpSchema.safeParse({
    phone: field(form, 'phone'),
    displayName: field(form, 'displayName'),
    password: field(form, 'password'),
    next: field(form, 'next'),
  });
  if (!parsed.success) return { ok: false, status: 400, errors: fieldErrors(parsed.error) };
  const limit = await consume(db, `register:client:${client}`, LIMITS.registerPerClient);
  if (!limit.allowed) return { ok: false, status: 429, errors: {}, message: `Có quá nhiều lượt đăng ký từ thiết bị này. Vui lòng đợi ${waitText(limit.retryAfter)}.` };
  const r = await register(db, parsed.data);
  if (!r.ok) return { ok: false, status: r.status, errors: r.field ? { [r.field]: r.message } : {}, message: r.field ? undefined : r.message };
  await startSession(db, cookies, r.value.userId);
  return { ok: true, redirect: parsed.data.next };
}

/** Handles the sign-in form. */
export async function handleSignIn(db: Kysely<Database>, form: FormData, cookies: AstroCookies, client: string): Promise<FormOutcome> {
  const parsed = SignInSchema.safeParse({ phone: field(form, 'phone'), password: field(form, 'password'), next: field(form, 'next') });
  if (!parsed.success) return { ok: false, status: 400, errors: fieldErrors(parsed.error) };
  const r = await authenticate(db, { phone: parsed.data.phone, password: parsed.data.password, clientKey: client });
  if (!r.ok) return { ok: false, status: r.status, errors: {}, message: r.message };
  await startSession(db, cookies, r.value.userId);
  // A reset, a pending in-person reset or a recovery request waits for the owner: show it first.
  if (await needsAttention(db, r.value.userId)) return { ok: true, redirect: `/tai-khoan/bao-mat?tiep=${encodeURIComponent(parsed.data.next)}` };
  return { ok: true, redirect: parsed.data.next };
}
