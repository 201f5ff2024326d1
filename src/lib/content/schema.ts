/**
 * Content schemas: the single definition of what a course, a lesson and a quiz question look like.
 * Used by src/content.config.ts (build-time validation of the MDX collection) and by the server-side
 * catalogue loader (grading, content:check), so both agree by construction.
 */
import { z } from 'astro/zod';

/** Editions a course can have. URL segments are in `EDITION_SLUGS`. */
export const EDITIONS = ['citizen', 'member', 'official'] as const;
export type Edition = (typeof EDITIONS)[number];
export const EditionSchema = z.enum(EDITIONS);

/** Basic skills from the national programme that a course serves. */
export const SKILLS = ['dich-vu-cong', 'mua-sam', 'thanh-toan', 'tu-bao-ve', 'nen-tang-dia-phuong'] as const;
export type Skill = (typeof SKILLS)[number];

/** Stable identifiers: lowercase ASCII words joined by hyphens. */
export const IdSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'id chỉ gồm chữ thường không dấu, số và dấu gạch ngang');

/** One answer option or one step of an ordering question. */
export const OptionSchema = z.object({
  /** Stable within the question. */
  id: IdSchema,
  text: z.string().min(1),
});

/** A simulated SMS/Zalo/e-mail message or screen shown with a question. Never real data. */
export const MessageSchema = z.object({
  channel: z.enum(['sms', 'zalo', 'email', 'call', 'web']),
  /** The sender as displayed (a fictional name or number written 09xx xxx xxx). */
  from: z.string().min(1),
  time: z.string().optional(),
  text: z.string().min(1),
});

const questionBase = {
  /** Unique within the course; stored in attempts. */
  id: IdSchema,
  prompt: z.string().min(1),
  /** Shown only after the answer is submitted. */
  explanation: z.string().min(1),
  message: MessageSchema.optional(),
  /** Final-quiz pool only: restrict the question to some editions (default: all of the course's). */
  editions: z.array(EditionSchema).min(1).optional(),
};

/** A quiz question; `type` is the discriminator. */
export const QuestionSchema = z
  .discriminatedUnion('type', [
    z.object({ ...questionBase, type: z.literal('single'), options: z.array(OptionSchema).min(2).max(6), answer: IdSchema }),
    z.object({
      ...questionBase,
      type: z.literal('multiple'),
      options: z.array(OptionSchema).min(2).max(6),
      answer: z.array(IdSchema).min(1),
    }),
    z.object({ ...questionBase, type: z.literal('truefalse'), answer: z.boolean() }),
    /** Steps are written in the correct order and shown shuffled. */
    z.object({ ...questionBase, type: z.literal('order'), steps: z.array(OptionSchema).min(3).max(7) }),
  ])
  .superRefine((q, ctx) => {
    const ids = q.type === 'order' ? q.steps.map((s) => s.id) : q.type === 'truefalse' ? [] : q.options.map((o) => o.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: `câu ${q.id}: id phương án bị trùng` });
    const answers = q.type === 'single' ? [q.answer] : q.type === 'multiple' ? q.answer : [];
    for (const a of answers) {
      if (!ids.includes(a)) ctx.addIssue({ code: 'custom', message: `câu ${q.id}: đáp án "${a}" không có trong các phương án` });
    }
    if (q.type === 'multiple' && new Set(q.answer).size !== q.answer.length) {
      ctx.addIssue({ code: 'custom', message: `câu ${q.id}: đáp án bị trùng` });
    }
  });
export type Question = z.infer<typeof QuestionSchema>;
export type QuestionType = Question['type'];

/** Per-edition settings of a course. */
export const EditionSettingsSchema = z.object({
  /** Pass mark of the final quiz, percent. */
  passMark: z.number().int().min(1).max(100),
  /** Questions drawn from the pool per final-quiz attempt. */
  draw: z.number().int().min(1).max(50),
});

/** Frontmatter of content/courses/<slug>/course.md. */
export const CourseSchema = z.object({
  title: z.string().min(1),
  /** One sentence for the catalogue. */
  summary: z.string().min(1),
  /** Position in the catalogue. */
  order: z.number().int(),
  /** Content version, recorded on certificates. */
  version: z.number().int().min(1).default(1),
  skills: z.array(z.enum(SKILLS)).default([]),
  /**
   * One-page printable handout of the member teaching kit, left at households and on notice boards;
   * its QR code opens `lesson` (a citizen-edition lesson) at SITE_URL.
   */
  handout: z
    .object({
      title: z.string().min(1),
      /** Id of the citizen lesson the QR code opens. */
      lesson: IdSchema,
      /** What to do, in order (3–8 short lines). */
      steps: z.array(z.string().min(1)).min(3).max(8),
      /** What never to do (2–5 short lines). */
      warnings: z.array(z.string().min(1)).min(2).max(5),
    })
    .optional(),
  /** Only the editions the course has. */
  editions: z
    .object({ citizen: EditionSettingsSchema.optional(), member: EditionSettingsSchema.optional(), official: EditionSettingsSchema.optional() })
    .refine((e) => Object.values(e).some(Boolean), 'khóa học phải có ít nhất một phiên bản'),
});
export type CourseMeta = z.infer<typeof CourseSchema>;

/** Path segments used by course pages; a lesson id may not take one of them. */
export const RESERVED_LESSON_IDS = ['kiem-tra-cuoi', 'phieu-phat-tay', 'hoi-dap'];

/** Frontmatter of a micro-lesson (NN-slug.mdx). */
export const LessonSchema = z.object({
  /** Stable id used in URLs and saved progress; never change it once published. */
  id: IdSchema.refine((id) => !RESERVED_LESSON_IDS.includes(id), 'id này trùng với một đường dẫn của trang web'),
  title: z.string().min(1),
  description: z.string().min(1),
  /** Editions that contain the lesson; a shared lesson lists several. */
  editions: z.array(EditionSchema).min(1),
  /** The one-line summary of what to remember, shown at the end. */
  remember: z.string().min(1),
  /** Render with print styles (printable checklists and handouts). */
  printable: z.boolean().default(false),
  /** The short check after the lesson. */
  check: z.array(QuestionSchema).min(1).max(5),
});
export type LessonMeta = z.infer<typeof LessonSchema>;

/** content/courses/<slug>/final.yaml */
export const FinalQuizSchema = z.object({ questions: z.array(QuestionSchema).min(1) });

/** content/sources.yaml and content/courses/<slug>/sources.yaml */
export const SourcesSchema = z.object({
  official: z.array(z.object({ value: z.string(), what: z.string(), source: z.string().min(3) })).default([]),
  fictional: z.array(z.object({ value: z.string(), note: z.string().min(3) })).default([]),
});

/** Words read per minute used for reading time. */
export const WORDS_PER_MINUTE = 200;
