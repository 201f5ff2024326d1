/** Sign-up and sign-in forms: field validation with the shared schemas, then the account rules. */
import { z } from 'astro/zod';
import type { AstroCookies } from 'astro';
import type { Kysely } from 'kysely';
import { DisplayNameSchema, NewPasswordSchema, NextPathSchema, PasswordInputSchema, PhoneSchema } from '../lib/fields.ts';
import type { Database } from '../server/db/schema.ts';
import { claimGuestWork } from '../server/learning/learning.ts';
import { consume, LIMITS, RateLimitError, waitText } from '../server/security/rate-limit.ts';
import { FormError } from './form.ts';
import { clearGuestCookie, guestTokenHash, setSessionCookie } from './request.ts';
import { authenticate, register } from '../server/auth/account.ts';
import { createSession } from '../server/auth/session.ts';
import { needsAttention } from '../server/recovery/recovery.ts';
import { hasPendingInvitation } from '../server/teams/invitations.ts';

export const SignUpSchema = z.object({ phone: PhoneSchema, displayName: DisplayNameSchema, password: NewPasswordSchema, next: NextPathSchema });
export const SignInSchema = z.object({ phone: PhoneSchema, password: PasswordInputSchema, next: NextPathSchema });

/** A validated sign-up form. */
export type SignUpInput = z.output<typeof SignUpSchema>;
/** A validated sign-in form. */
export type SignInInput = z.output<typeof SignInSchema>;

/**
 * Signs the person in on this device and hands them the guest work done here (lesson checks taken
 * before signing in). Used by sign-up, sign-in, activation and recovery alike.
 */
export async function startSession(db: Kysely<Database>, cookies: AstroCookies, userId: string, userAgent?: string | null): Promise<void> {
  const { token, expiresAt } = await createSession(db, userId, userAgent);
  setSessionCookie(cookies, token, expiresAt);
  const guest = guestTokenHash(cookies, false);
  if (guest) {
    await claimGuestWork(db, guest, userId);
    clearGuestCookie(cookies);
  }
}

/** Signs a new account up and in; returns the same-origin path to go to. Failures throw FormError. */
export async function handleSignUp(db: Kysely<Database>, data: SignUpInput, cookies: AstroCookies, client: string, userAgent?: string | null): Promise<string> {
  const limit = await consume(db, `register:client:${client}`, LIMITS.registerPerClient);
  if (!limit.allowed) throw new RateLimitError(`Có quá nhiều lượt đăng ký từ thiết bị này. Vui lòng đợi ${waitText(limit.retryAfter)}.`, limit.retryAfter);
  const r = await register(db, data);
  if (!r.ok) throw new FormError(r.field ? { [r.field]: r.message } : {}, r.status, r.field ? undefined : r.message);
  await startSession(db, cookies, r.value.userId, userAgent);
  return data.next;
}

/** Signs a person in; returns the same-origin path to go to. Failures throw FormError. */
export async function handleSignIn(db: Kysely<Database>, data: SignInInput, cookies: AstroCookies, client: string, userAgent?: string | null): Promise<string> {
  const r = await authenticate(db, { phone: data.phone, password: data.password, clientKey: client });
  if (!r.ok && r.status === 429) throw new RateLimitError(r.message, r.retryAfter ?? 60);
  if (!r.ok) throw new FormError({}, r.status, r.message);
  await startSession(db, cookies, r.value.userId, userAgent);
  // A reset, a pending in-person reset or a recovery request waits for the owner: show it first.
  if (await needsAttention(db, r.value.userId)) return `/tai-khoan/bao-mat?tiep=${encodeURIComponent(data.next)}`;
  // An invitation to join a team waits for the owner's answer before anything applies to them.
  if (await hasPendingInvitation(db, r.value.userId)) return `/loi-moi?tiep=${encodeURIComponent(data.next)}`;
  return data.next;
}
