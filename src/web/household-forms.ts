/** Form schemas of the household pages (households, visits, links); the domain checks the rest. */
import { z } from 'astro/zod';
import { SKILLS, type Skill } from '../lib/content/schema.ts';
import { UUID_RE } from '../lib/ids.ts';
import { HouseholdLabelSchema, HouseholdNoteSchema, OptionalPhoneSchema, PersonSchema, visitDateSchema } from '../server/households/fields.ts';
import type { VisitOutcome } from '../server/db/schema.ts';
import { fieldErrors, formObject, vietnameseIssue } from './form.ts';
import { readForm } from './request.ts';
import { shownError } from './errors.ts';

/** A field that may repeat (checkbox groups): always an array of short strings. */
const many = z
  .union([z.string().max(80), z.array(z.string().max(80)).max(40, 'Quá nhiều lựa chọn.')])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

const optionalUuid = z
  .string()
  .max(40)
  .optional()
  .transform((v) => (v ?? '').trim().toLowerCase())
  .refine((v) => v === '' || UUID_RE.test(v), 'Mã không hợp lệ. Hãy tải lại trang.')
  .transform((v) => v || null);

export const HouseholdFormSchema = z.object({
  ten: HouseholdLabelSchema,
  sdt: OptionalPhoneSchema,
  'ghi-chu': HouseholdNoteSchema,
});

/** Adding at the doorstep: the consent box must be ticked. */
export const NewHouseholdFormSchema = HouseholdFormSchema.extend({
  'dong-y': z.literal('co', { error: 'Hãy hỏi ý kiến và chỉ thêm hộ khi gia đình đồng ý.' }),
});

export function householdInput(d: z.output<typeof HouseholdFormSchema>) {
  return { label: d.ten, phone: d.sdt, note: d['ghi-chu'] };
}

const outcomeFields = Object.fromEntries(SKILLS.map((s) => [`kq-${s}`, z.enum(['tu-lam', 'can-ho-tro'], { error: 'Kết quả không hợp lệ.' }).optional()])) as Record<
  `kq-${Skill}`,
  z.ZodOptional<z.ZodEnum<{ 'tu-lam': 'tu-lam'; 'can-ho-tro': 'can-ho-tro' }>>
>;

const workFields = {
  ngay: z.string({ error: 'Hãy chọn ngày hỗ trợ.' }).max(20),
  'ky-nang': many,
  'nhiem-vu': many,
  'tai-lieu': z.string().max(80, 'Bài học đã dùng không có trong danh mục.').optional().transform((v) => (v ?? '').trim() || null),
  ...outcomeFields,
};

function outcomesOf(d: Record<string, unknown>, skills: string[]): Partial<Record<Skill, VisitOutcome>> {
  const out: Partial<Record<Skill, VisitOutcome>> = {};
  for (const s of skills) if ((SKILLS as readonly string[]).includes(s)) out[s as Skill] = (d[`kq-${s}`] as VisitOutcome | undefined) ?? 'can-ho-tro';
  return out;
}

/** The visit form: consent decides whether the household and person are kept. */
export function visitFormSchema(now = new Date()) {
  const date = visitDateSchema(now);
  return z
    .object({
      ho: optionalUuid,
      'dong-y': z.enum(['co', 'khong'], { error: 'Hãy ghi lại hộ có đồng ý hay không.' }),
      nguoi: z.string().max(200, 'Người được hỗ trợ dài tối đa 60 ký tự.').optional(),
      'ma-gui': optionalUuid,
      ...workFields,
    })
    .superRefine((d, ctx) => {
      const r = date.safeParse(d.ngay);
      if (!r.success) ctx.addIssue({ code: 'custom', path: ['ngay'], message: r.error.issues[0]!.message });
      if (d['dong-y'] === 'co') {
        if (!d.ho) ctx.addIssue({ code: 'custom', path: ['ho'], message: 'Hãy chọn hộ gia đình.' });
        const p = PersonSchema.safeParse(d.nguoi ?? '');
        if (!p.success) ctx.addIssue({ code: 'custom', path: ['nguoi'], message: p.error.issues[0]!.message });
      }
      if (!d['ky-nang'].length && !d['nhiem-vu'].length) ctx.addIssue({ code: 'custom', path: ['ky-nang'], message: 'Hãy chọn ít nhất một kỹ năng đã hướng dẫn.' });
    })
    .transform((d) => ({
      householdId: d['dong-y'] === 'co' ? d.ho : null,
      date: d.ngay,
      person: d['dong-y'] === 'co' ? PersonSchema.parse(d.nguoi ?? '') : null,
      outcomes: outcomesOf(d, d['ky-nang']),
      tasks: d['nhiem-vu'],
      material: d['tai-lieu'],
      clientKey: d['ma-gui'],
    }));
}

/** Correcting a visit: the same work fields, the person when the visit has a household. */
export function visitEditSchema(now = new Date()) {
  const date = visitDateSchema(now);
  return z
    .object({ viec: z.literal('sua'), nguoi: z.string().max(200, 'Người được hỗ trợ dài tối đa 60 ký tự.').optional(), ...workFields })
    .superRefine((d, ctx) => {
      const r = date.safeParse(d.ngay);
      if (!r.success) ctx.addIssue({ code: 'custom', path: ['ngay'], message: r.error.issues[0]!.message });
      if (d.nguoi !== undefined && d.nguoi.trim() !== '') {
        const p = PersonSchema.safeParse(d.nguoi);
        if (!p.success) ctx.addIssue({ code: 'custom', path: ['nguoi'], message: p.error.issues[0]!.message });
      }
      if (!d['ky-nang'].length && !d['nhiem-vu'].length) ctx.addIssue({ code: 'custom', path: ['ky-nang'], message: 'Hãy chọn ít nhất một kỹ năng đã hướng dẫn.' });
    })
    .transform((d) => ({
      date: d.ngay,
      person: d.nguoi && d.nguoi.trim() ? PersonSchema.parse(d.nguoi) : null,
      outcomes: outcomesOf(d, d['ky-nang']),
      tasks: d['nhiem-vu'],
      material: d['tai-lieu'],
    }));
}

/** A 6-digit link code, typed with or without spaces. */
export const LinkCodeSchema = z
  .string({ error: 'Hãy nhập mã 6 chữ số.' })
  .max(20, 'Mã gồm 6 chữ số.')
  .transform((v) => v.replace(/[\s.-]/g, ''))
  .refine((v) => /^\d{6}$/.test(v), 'Mã gồm đúng 6 chữ số, ví dụ 482 913.');

/** Fields whose errors the visit forms show next to them. */
const VISIT_FIELDS_SHOWN = new Set(['ho', 'dong-y', 'nguoi', 'ngay', 'ky-nang', 'nhiem-vu', 'tai-lieu']);

/** Outcome of reading a visit form: the parsed input, or field errors with everything that was posted. */
export type VisitFormRead<T> = { ok: true; data: T; raw: Record<string, unknown> } | { ok: false; status: number; errors: Record<string, string>; message?: string; retryAfter?: number; raw: Record<string, unknown> };

/**
 * Reads a visit form with the streaming byte limit and validates it, keeping the raw fields (checkbox
 * groups included) so a refused form is shown again as it was filled in.
 */
export async function readVisitForm<S extends z.ZodType>(request: Request, schema: S): Promise<VisitFormRead<z.output<S>>> {
  let raw: Record<string, unknown> = {};
  try {
    raw = formObject(await readForm(request, 16 * 1024));
  } catch (err) {
    const e = shownError(err);
    return { ok: false, status: e.status, errors: {}, message: e.message, retryAfter: e.retryAfter, raw };
  }
  const parsed = schema.safeParse(raw, { error: vietnameseIssue });
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    // A problem in a field the form does not mark (hidden fields, outcomes) is said above the form.
    const unmarked = Object.entries(errors).find(([k]) => !VISIT_FIELDS_SHOWN.has(k));
    return { ok: false, status: 400, errors, message: unmarked?.[1], raw };
  }
  return { ok: true, data: parsed.data, raw };
}

/** The text of a raw field (the first value when repeated). */
export function rawText(raw: Record<string, unknown>, name: string): string {
  const v = raw[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.slice(0, 300) : '';
}

/** The values of a raw checkbox group. */
export function rawList(raw: Record<string, unknown>, name: string): string[] {
  const v = raw[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string').slice(0, 40);
}

/** The outcomes a raw form chose (for showing it again). */
export function rawOutcomes(raw: Record<string, unknown>): Partial<Record<Skill, string>> {
  const skills = rawList(raw, 'ky-nang');
  return Object.fromEntries(SKILLS.filter((s) => skills.includes(s)).map((s) => [s, rawText(raw, `kq-${s}`) || 'can-ho-tro']));
}

/** A household-list upload: one non-empty file in `tep` (size and content checked while read). */
export const HouseholdUploadSchema = z.object({
  tep: z.instanceof(File, { error: 'Vui lòng chọn tệp danh sách hộ để tải lên.' }).refine((f) => f.size > 0, 'Tệp tải lên trống. Hãy chọn tệp danh sách hộ.'),
});
/** The multipart body around the file: boundaries, headers, a long file name. */
export const UPLOAD_OVERHEAD = 16 * 1024;

/** `?tim=…&trang=N` of a household list: a search text (80 characters at most) and a page number (bad values: page 1). */
export function householdListQuery(url: URL): { query: string; page: number } {
  // Control characters are dropped: a NUL byte is refused by Postgres (a 500 before this).
  const query = (url.searchParams.get('tim') ?? '').normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80);
  const n = Number(url.searchParams.get('trang'));
  return { query, page: Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1 };
}
