/** Forms of account recovery: redeeming a code at /kich-hoat, shared by activation and every way of recovery. */
import { z } from 'astro/zod';
import type { AstroCookies } from 'astro';
import type { Kysely } from 'kysely';
import { NewPasswordSchema, PhoneSchema } from '../lib/fields.ts';
import type { Database } from '../server/db/schema.ts';
import { normaliseCode, redeemCodeLimited, type Clock } from '../server/recovery/recovery.ts';
import { RateLimitError } from '../server/security/rate-limit.ts';
import { startSession } from './auth-forms.ts';
import { FormError } from './form.ts';

/** A slip, recovery or in-person code (8 characters) or a personal code (12), as typed. */
export const RedeemCodeSchema = z
  .string({ error: 'Vui lòng nhập mã.' })
  .max(40, 'Mã quá dài.')
  .transform(normaliseCode)
  .pipe(z.string().min(1, 'Vui lòng nhập mã.').regex(/^(?:[A-Z0-9]{8}|[A-Z0-9]{12})$/, 'Mã gồm 8 ký tự (trên phiếu) hoặc 12 ký tự (mã dự phòng của bạn).'));

/** The /kich-hoat form. */
export const RedeemSchema = z.object({ phone: PhoneSchema, code: RedeemCodeSchema, password: NewPasswordSchema });

/**
 * Redeems a code, rate-limited per client and per number like sign-in, then signs the person in on
 * this device and claims the guest work done here. Returns the new personal code to show once, if any.
 */
export async function handleRedeem(
  db: Kysely<Database>,
  data: z.output<typeof RedeemSchema>,
  cookies: AstroCookies,
  client: string,
  clock?: Clock,
  userAgent?: string | null,
): Promise<{ personalCode?: string }> {
  const r = await redeemCodeLimited(db, { ...data, clientKey: client }, clock);
  if (!r.ok && r.status === 429) throw new RateLimitError(r.message, r.retryAfter ?? 60);
  if (!r.ok) throw new FormError(r.field ? { [r.field]: r.message } : {}, r.status, r.field ? undefined : r.message);
  await startSession(db, cookies, r.userId, userAgent);
  return { personalCode: r.personalCode };
}
