/**
 * Schema of content/schedule.yaml: the national monthly topic programme. A map from month
 * ("2026-11") to that month's topic: a course, a short description and one Q&A session, plus a
 * recording link and summary once it has happened. Used by the Astro collection (build-time
 * validation) and by the server's schedule loader (src/server/schedule/schedule.ts), so both agree.
 */
import { z } from 'astro/zod';
import { IdSchema } from './schema.ts';

/** A schedule month: YYYY-MM. */
export const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'tháng phải có dạng YYYY-MM, ví dụ "2026-11"');

/** Vietnam has had no daylight saving since 1975, so every session time carries +07:00. */
const VN_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?\+07:00$/;

/** A time in Asia/Ho_Chi_Minh written as ISO 8601 with its offset, e.g. "2026-11-28T19:30:00+07:00". */
export const VnDateTimeSchema = z
  .string({ error: 'thời gian phải là chuỗi trong ngoặc kép, ví dụ "2026-11-28T19:30:00+07:00"' })
  .regex(VN_DATETIME, 'thời gian phải có dạng "2026-11-28T19:30:00+07:00" (giờ Việt Nam)')
  .refine((s) => {
    const d = new Date(s);
    // Rejects impossible days such as 2026-02-30, which Date would roll over.
    return !Number.isNaN(d.getTime()) && new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 10) === s.slice(0, 10);
  }, 'ngày giờ không tồn tại');

/**
 * A link: a path on this site ("/lich/2026-11") or an https:// address. Authors never invent real
 * addresses (content/README.md); an online meeting link is usually sent through the village's group.
 */
export const LinkSchema = z
  .string()
  .refine((s) => /^\/(?!\/)\S*$/.test(s) || /^https:\/\/[^\s/]+\.[^\s]+$/.test(s), 'đường link phải là đường dẫn trong trang (bắt đầu bằng /) hoặc địa chỉ https://');

/** Longest Q&A session accepted (a typo in an end time usually shows up as a very long session). */
export const MAX_SESSION_HOURS = 4;

/** The month's live Q&A session. */
export const SessionSchema = z
  .object({
    /** Start, Vietnam time with +07:00. */
    start: VnDateTimeSchema,
    /** End, Vietnam time with +07:00, after the start and at most 4 hours later. */
    end: VnDateTimeSchema,
    /** Where: a physical place, or how to join online ("Trực tuyến — đường link gửi qua nhóm Zalo của thôn"). */
    place: z.string().trim().min(3).max(200),
    /** Optional link to join or read more. */
    link: LinkSchema.optional(),
  })
  .strict()
  .refine((s) => new Date(s.end) > new Date(s.start), { message: 'giờ kết thúc phải sau giờ bắt đầu', path: ['end'] })
  .refine((s) => new Date(s.end).getTime() - new Date(s.start).getTime() <= MAX_SESSION_HOURS * 3600_000, {
    message: `buổi hỏi đáp dài quá ${MAX_SESSION_HOURS} giờ — kiểm tra lại giờ kết thúc`,
    path: ['end'],
  });

/**
 * One month's topic. `courseSlugs`, when given, is the catalogue: the course must exist in it.
 */
export function topicEntrySchema(courseSlugs?: ReadonlySet<string>) {
  return z
    .object({
      /** Slug of the featured course (content/courses/<slug>). */
      course: courseSlugs
        ? IdSchema.refine((s) => courseSlugs.has(s), { error: (i) => `khóa học "${String(i.input)}" không có trong content/courses` })
        : IdSchema,
      /** One or two sentences: why this topic now. */
      description: z.string().trim().min(10).max(400),
      session: SessionSchema,
      /** After the session: where to watch it again (optional). */
      recording: LinkSchema.optional(),
      /** After the session: what was said, in a few sentences. */
      summary: z.string().trim().min(10).max(2000).optional(),
    })
    .strict();
}
export type TopicEntry = z.infer<ReturnType<typeof topicEntrySchema>>;

/** The whole file: month → topic; each session must start in its own month. */
export function scheduleSchema(courseSlugs?: ReadonlySet<string>) {
  // Keys are checked here rather than by z.record, whose own message says only "Invalid key".
  return z.record(z.string(), topicEntrySchema(courseSlugs)).superRefine((s, ctx) => {
    for (const [month, t] of Object.entries(s)) {
      const key = MonthSchema.safeParse(month);
      if (!key.success) ctx.addIssue({ code: 'custom', path: [month], message: key.error.issues[0]!.message });
      else if (t.session.start.slice(0, 7) !== month) {
        ctx.addIssue({ code: 'custom', path: [month, 'session', 'start'], message: `buổi hỏi đáp phải diễn ra trong tháng ${month}` });
      }
    }
  });
}
