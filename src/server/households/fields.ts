/** Field rules of households and visits (zod), shared by the web edge's forms and the domain. */
import { z } from 'astro/zod';
import { PhoneSchema, visibleText } from '../../lib/fields.ts';

/** The label the family agreed to, e.g. “Hộ bác Tư, xóm 3”. */
export const HouseholdLabelSchema = visibleText({ what: 'tên gọi của hộ', min: 2, max: 80, noInvisible: true, noAngleBrackets: true });

/** An optional contact phone: empty, or a Vietnamese mobile number. */
export const OptionalPhoneSchema = z
  .string()
  .max(40, 'Số điện thoại quá dài.')
  .optional()
  .transform((v) => (v ?? '').trim())
  .pipe(z.union([z.literal(''), PhoneSchema]))
  .transform((v) => v || null);

/** An optional short note. */
export const HouseholdNoteSchema = z
  .string()
  .max(600, 'Ghi chú dài tối đa 300 ký tự.')
  .optional()
  .transform((v) => (v ?? '').trim())
  .pipe(z.union([z.literal(''), visibleText({ what: 'ghi chú', min: 1, max: 300, noAngleBrackets: true })]))
  .transform((v) => v || null);

/** Who in the household was helped: a first name, or “bà Tư”. */
export const PersonSchema = visibleText({ what: 'người được hỗ trợ', min: 2, max: 60, noInvisible: true, noAngleBrackets: true });

/** Today's date in Vietnam (YYYY-MM-DD). */
export function todayVn(now = new Date()): string {
  return new Date(now.getTime() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

/** A visit date: a real calendar date, not in the future (Vietnam time), not before 2020. */
export function visitDateSchema(now = new Date()) {
  return z
    .string({ error: 'Hãy chọn ngày hỗ trợ.' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Ngày cần có dạng năm-tháng-ngày, ví dụ 2026-12-07.')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, 'Ngày này không có trên lịch.')
    .refine((d) => d <= todayVn(now), 'Ngày hỗ trợ không thể ở tương lai.')
    .refine((d) => d >= '2020-01-01', 'Ngày hỗ trợ quá xa trong quá khứ.');
}
