/**
 * One zod schema per form field, reused by every form; normalisation lives in the schema.
 * Browser-safe (no server imports).
 */
import { z } from 'astro/zod';
import { safePath } from './safe-path.ts';

const MOBILE = /^0[35789]\d{8}$/;

/** Normalises a Vietnamese mobile number to +84 form, or returns undefined when it is not one. */
export function normalizePhone(input: string): string | undefined {
  let s = input.normalize('NFKC').replace(/[\s.\-()]/g, '');
  if (s.startsWith('+84')) s = '0' + s.slice(3);
  else if (s.startsWith('84') && s.length === 11) s = '0' + s.slice(2);
  return MOBILE.test(s) ? '+84' + s.slice(1) : undefined;
}

/** Formats a stored +84 number for display: 0912 345 678. */
export function formatPhone(stored: string): string {
  const local = stored.startsWith('+84') ? '0' + stored.slice(3) : stored;
  return `${local.slice(0, 4)} ${local.slice(4, 7)} ${local.slice(7)}`;
}

/** A Vietnamese mobile number in any common form; output is the +84 normal form. */
export const PhoneSchema = z
  .string({ error: 'Vui lòng nhập số điện thoại.' })
  .max(40, 'Số điện thoại quá dài.')
  .transform((v, ctx) => {
    const p = normalizePhone(v);
    if (!p) {
      ctx.addIssue({ code: 'custom', message: 'Số điện thoại di động cần đủ 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.' });
      return z.NEVER;
    }
    return p;
  });

/** Display name: trimmed, NFC-normalised so diacritics are stored one way. */
export const DisplayNameSchema = z
  .string({ error: 'Vui lòng nhập họ và tên.' })
  .transform((v) => v.normalize('NFC').replace(/\s+/g, ' ').trim())
  .pipe(
    z
      .string()
      .min(2, 'Họ và tên cần ít nhất 2 ký tự.')
      .max(80, 'Họ và tên tối đa 80 ký tự.')
      .refine((v) => !/[\p{Cc}<>]/u.test(v), 'Họ và tên có ký tự không hợp lệ.'),
  );

/** New password: length rules only (no composition rules); common passwords are refused on the server. */
export const NewPasswordSchema = z
  .string({ error: 'Vui lòng nhập mật khẩu.' })
  .min(8, 'Mật khẩu cần ít nhất 8 ký tự.')
  .max(256, 'Mật khẩu tối đa 256 ký tự.');

/** Password typed at sign-in (no policy, only a sane upper bound). */
export const PasswordInputSchema = z.string({ error: 'Vui lòng nhập mật khẩu.' }).min(1, 'Vui lòng nhập mật khẩu.').max(256, 'Mật khẩu quá dài.');

/** A relative path on this site to return to after sign-in; anything else becomes "/". */
export const NextPathSchema = z
  .unknown()
  .optional()
  .transform((v) => safePath(v));
