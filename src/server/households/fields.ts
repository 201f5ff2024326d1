/** Field rules of households and visits (zod), shared by the web edge's forms and the domain. */
import { z } from 'astro/zod';
import { PhoneSchema, visibleText } from '../../lib/fields.ts';

/** The label the family agreed to, e.g. “Hộ bác Tư, xóm 3”. */
export const HouseholdLabelSchema = visibleText({ what: 'tên gọi của hộ', min: 2, max: 80, noInvisible: true, noAngleBrackets: true, noFormula: true, example: 'Hộ bác Tư' });

/**
 * An optional field: absent or blank is null; anything else must pass `rule`, with the rule's own
 * messages (a union with an empty literal would answer only zod's English "Invalid input").
 */
function optional<T>(raw: z.ZodString, rule: z.ZodType<T>) {
  return raw.optional().transform((v, ctx): T | null => {
    const s = (v ?? '').trim();
    if (!s) return null;
    const r = rule.safeParse(s);
    if (r.success) return r.data;
    for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    return z.NEVER;
  });
}

/** An optional contact phone: empty, or a Vietnamese mobile number. */
export const OptionalPhoneSchema = optional(z.string({ error: 'Số điện thoại không hợp lệ.' }).max(40, 'Số điện thoại quá dài.'), PhoneSchema);

/** An optional short note. */
export const HouseholdNoteSchema = optional(z.string({ error: 'Ghi chú không hợp lệ.' }).max(600, 'Ghi chú dài tối đa 300 ký tự.'), visibleText({ what: 'ghi chú', min: 1, max: 300, noAngleBrackets: true }));

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
