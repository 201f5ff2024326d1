/** Forms of account recovery: redeeming a code at /kich-hoat, shared by activation and every way of recovery. */
import { z } from 'astro/zod';
import type { AstroCookies } from 'astro';
import type { Kysely } from 'kysely';
import { NewPasswordSchema, PhoneSchema } from '../lib/fields.ts';
import type { Database } from '../server/db/schema.ts';
import { normaliseCode, redeemCode, type Clock } from '../server/recovery/recovery.ts';
import { consume, LIMITS, waitText } from '../server/security/rate-limit.ts';
import { startSession } from './auth-forms.ts';
import { FormError } from './form.ts';
import { HttpError } from './request.ts';

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
): Promise<{ personalCode?: string }> {
  const perClient = await consume(db, `activate:${client}`, LIMITS.loginPerClient);
  const perPhone = await consume(db, `activate:phone:${data.phone}`, LIMITS.loginPerPhone);
  if (!perClient.allowed || !perPhone.allowed) {
    const wait = Math.max(perClient.allowed ? 0 : perClient.retryAfter, perPhone.allowed ? 0 : perPhone.retryAfter);
    throw new HttpError(429, `Bạn đã thử quá nhiều lần. Vui lòng đợi ${waitText(wait)} rồi thử lại.`);
  }
  const r = await redeemCode(db, data, clock);
  if (!r.ok) throw new FormError(r.field ? { [r.field]: r.message } : {}, r.status, r.field ? undefined : r.message);
  await startSession(db, cookies, r.userId);
  return { personalCode: r.personalCode };
}
