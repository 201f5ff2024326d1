/**
 * Zod schemas for route parameters and query values, and the readers that apply them. Malformed
 * input ends here as a 404 (a path that cannot exist) or 400 (a bad query value); it never reaches
 * the database.
 */
import { z } from 'astro/zod';
import { UUID_RE } from '../lib/ids.ts';
import { parseCode } from '../server/certificates/code.ts';
import { HttpError } from './request.ts';

/** A uuid as Postgres stores them (any version; lower- or upper-case hex). */
export const UuidSchema = z
  .string({ error: 'Thiếu mã.' })
  .regex(UUID_RE, 'Mã không hợp lệ.')
  .transform((v) => v.toLowerCase());

/** A positive int4 id (units, teams). */
export const IntIdSchema = z
  .string({ error: 'Thiếu mã.' })
  .regex(/^[1-9][0-9]{0,9}$/, 'Mã không hợp lệ.')
  .transform(Number)
  .refine((n) => n <= 2_147_483_647, 'Mã không hợp lệ.');

/** A month of the programme: yyyy-mm. */
export const MonthSchema = z.string({ error: 'Thiếu tháng.' }).regex(/^20[0-9]{2}-(0[1-9]|1[0-2])$/, 'Tháng cần có dạng năm-tháng, ví dụ 2026-12.');

/** A content slug (course, lesson, edition). */
export const SlugSchema = z.string({ error: 'Thiếu tên.' }).max(80, 'Tên quá dài.').regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Tên không hợp lệ.');

/**
 * A certificate verification code as typed or scanned (any case, with or without the hyphen, O for 0,
 * I/L for 1), turned into its stored form; anything that cannot be a code fails here.
 */
export const CertificateCodeSchema = z
  .string()
  .max(40)
  .transform((v, ctx) => {
    const code = parseCode(v);
    if (code) return code;
    ctx.addIssue({ code: 'custom', message: 'Mã xác minh gồm 10 chữ và số, ví dụ HS4VN-2026D.' });
    return z.NEVER;
  });

/** A calendar feed token (base32, 48 characters). */
export const FeedTokenSchema = z.string().regex(/^[a-z2-7]{16,64}$/, 'Đường dẫn lịch không hợp lệ.');

/** An export format: Excel, CSV with `;` for Excel in Vietnamese regional settings, CSV with `,`. */
export const ExportFormatSchema = z.enum(['xlsx', 'csv-vn', 'csv']);

/** A route parameter validated by `schema`; anything else is a 404 with `notFound` as its message. */
export function param<S extends z.ZodType>(value: string | undefined, schema: S, notFound = 'Không tìm thấy trang này.'): z.output<S> {
  const r = schema.safeParse(value ?? '');
  if (!r.success) throw new HttpError(404, notFound);
  return r.data;
}

/** An optional query value: undefined when absent, a 400 when present and malformed. */
export function queryValue<S extends z.ZodType>(url: URL, name: string, schema: S, invalid = 'Đường dẫn có tham số không hợp lệ.'): z.output<S> | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const r = schema.safeParse(raw);
  if (!r.success) throw new HttpError(400, invalid);
  return r.data;
}
