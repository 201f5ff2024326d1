/**
 * The one module that reads course content for the server: course metadata, lessons (frontmatter
 * and word counts), quiz keys and final-quiz pools, validated with the same zod schemas the Astro
 * build uses. Answer keys live only here and in graders; pages get public views (see quiz/present.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'astro/zod';
import {
  CourseSchema,
  EDITIONS,
  FinalQuizSchema,
  LessonSchema,
  SourcesSchema,
  WORDS_PER_MINUTE,
  type CourseMeta,
  type Edition,
  type LessonMeta,
  type Question,
} from '../../lib/content/schema.ts';

export interface Lesson extends LessonMeta {
  courseSlug: string;
  /** File path relative to the content folder. */
  file: string;
  /** Words read per edition (member-only blocks count only in the member edition). */
  words: Partial<Record<Edition, number>>;
  /** Reading time in whole minutes per edition. */
  minutes: Partial<Record<Edition, number>>;
}

export interface CourseEdition {
  edition: Edition;
  passMark: number;
  draw: number;
  lessons: Lesson[];
  finalPool: Question[];
}

export interface Course extends Omit<CourseMeta, 'editions'> {
  slug: string;
  intro: string;
  editions: Partial<Record<Edition, CourseEdition>>;
  /** Every question of the course (lesson checks and final pool) by id. */
  questions: Map<string, Question>;
}

export interface Catalog {
  courses: Course[];
  bySlug: Map<string, Course>;
  sources: z.infer<typeof SourcesSchema>;
}

/** Invalid content, with the offending file named. */
export class ContentError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.file = file;
  }
}

const FRONTMATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

function splitFrontmatter(text: string, file: string): { data: unknown; body: string } {
  const m = FRONTMATTER.exec(text);
  if (!m) throw new ContentError(file, 'thiếu phần frontmatter (---)');
  try {
    return { data: YAML.parse(m[1] ?? ''), body: m[2] ?? '' };
  } catch (err) {
    throw new ContentError(file, `YAML không hợp lệ: ${(err as Error).message}`);
  }
}

function parseWith<T extends z.ZodType>(schema: T, data: unknown, file: string): z.infer<T> {
  const r = schema.safeParse(data);
  if (!r.success) {
    const detail = r.error.issues.map((i) => `${i.path.join('.') || '(gốc)'}: ${i.message}`).join('; ');
    throw new ContentError(file, detail);
  }
  return r.data;
}

/** The text a reader reads in an MDX body for an edition: tags and Markdown marks removed. */
export function plainText(mdxBody: string, edition: Edition): string {
  let text = mdxBody;
  if (edition !== 'member') text = text.replace(/<MemberOnly>[\s\S]*?<\/MemberOnly>/g, ' ');
  return text
    .replace(/^(import|export)\s.*$/gm, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/[#*_>|`[\]()-]+/g, ' ');
}

/** Counts the words a reader reads in an MDX body (member-only blocks count only for members). */
export function countWords(mdxBody: string, edition: Edition): number {
  return plainText(mdxBody, edition)
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** The MDX body of a lesson file (frontmatter removed). */
export function lessonBody(root: string, lesson: Lesson): string {
  return splitFrontmatter(fs.readFileSync(path.join(root, lesson.file), 'utf8'), lesson.file).body;
}

function readYamlFile(file: string, rel: string): unknown {
  try {
    return YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ContentError(rel, `YAML không hợp lệ: ${(err as Error).message}`);
  }
}

function loadCourse(root: string, slug: string): Course {
  const dir = path.join(root, 'courses', slug);
  const rel = (f: string) => path.relative(root, path.join(dir, f));
  const courseFile = path.join(dir, 'course.md');
  if (!fs.existsSync(courseFile)) throw new ContentError(rel('course.md'), 'thiếu tệp course.md');
  const { data, body } = splitFrontmatter(fs.readFileSync(courseFile, 'utf8'), rel('course.md'));
  const meta = parseWith(CourseSchema, data, rel('course.md'));
  const courseEditions = EDITIONS.filter((e) => meta.editions[e]);

  const questions = new Map<string, Question>();
  const addQuestion = (q: Question, file: string) => {
    if (questions.has(q.id)) throw new ContentError(file, `id câu hỏi "${q.id}" bị trùng trong khóa học`);
    questions.set(q.id, q);
  };

  const lessons: Lesson[] = [];
  const lessonIds = new Set<string>();
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.mdx')).sort();
  for (const f of files) {
    if (!/^\d{2,3}-[a-z0-9-]+\.mdx$/.test(f)) throw new ContentError(rel(f), 'tên tệp bài học phải có dạng NN-ten-bai.mdx');
    const parsed = splitFrontmatter(fs.readFileSync(path.join(dir, f), 'utf8'), rel(f));
    const lm = parseWith(LessonSchema, parsed.data, rel(f));
    if (lessonIds.has(lm.id)) throw new ContentError(rel(f), `id bài học "${lm.id}" bị trùng`);
    lessonIds.add(lm.id);
    for (const e of lm.editions) {
      if (!meta.editions[e]) throw new ContentError(rel(f), `phiên bản "${e}" không có trong course.md`);
    }
    for (const q of lm.check) {
      if (q.editions) throw new ContentError(rel(f), `câu ${q.id}: "editions" chỉ dùng trong final.yaml`);
      addQuestion(q, rel(f));
    }
    const words: Lesson['words'] = {};
    const minutes: Lesson['minutes'] = {};
    for (const e of lm.editions) {
      words[e] = countWords(parsed.body, e);
      minutes[e] = Math.max(1, Math.round(words[e] / WORDS_PER_MINUTE));
    }
    lessons.push({ ...lm, courseSlug: slug, file: rel(f), words, minutes });
  }

  const finalFile = path.join(dir, 'final.yaml');
  if (!fs.existsSync(finalFile)) throw new ContentError(rel('final.yaml'), 'thiếu tệp final.yaml (bài kiểm tra cuối khóa)');
  const final = parseWith(FinalQuizSchema, readYamlFile(finalFile, rel('final.yaml')), rel('final.yaml'));
  for (const q of final.questions) addQuestion(q, rel('final.yaml'));

  const editions: Course['editions'] = {};
  for (const e of courseEditions) {
    const settings = meta.editions[e]!;
    const edLessons = lessons.filter((l) => l.editions.includes(e));
    const pool = final.questions.filter((q) => !q.editions || q.editions.includes(e));
    if (edLessons.length === 0) throw new ContentError(rel('course.md'), `phiên bản "${e}" không có bài học nào`);
    if (pool.length < settings.draw) {
      throw new ContentError(rel('final.yaml'), `phiên bản "${e}" cần ít nhất ${settings.draw} câu trong ngân hàng câu hỏi, hiện có ${pool.length}`);
    }
    editions[e] = { edition: e, passMark: settings.passMark, draw: settings.draw, lessons: edLessons, finalPool: pool };
  }
  if (meta.handout && !editions.citizen?.lessons.some((l) => l.id === meta.handout!.lesson)) {
    throw new ContentError(rel('course.md'), `handout.lesson "${meta.handout.lesson}" không phải bài học của phiên bản người dân`);
  }
  return { ...meta, slug, intro: body.trim(), editions, questions };
}

/** Reads and validates the whole content folder. Throws ContentError naming the file. */
export function loadCatalog(root: string): Catalog {
  const coursesDir = path.join(root, 'courses');
  const slugs = fs
    .readdirSync(coursesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const courses = slugs.map((s) => loadCourse(root, s)).sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug));
  const sourcesFile = path.join(root, 'sources.yaml');
  const sources = fs.existsSync(sourcesFile)
    ? parseWith(SourcesSchema, readYamlFile(sourcesFile, 'sources.yaml'), 'sources.yaml')
    : { official: [], fictional: [] };
  for (const s of slugs) {
    const f = path.join(coursesDir, s, 'sources.yaml');
    if (!fs.existsSync(f)) continue;
    const extra = parseWith(SourcesSchema, readYamlFile(f, path.relative(root, f)), path.relative(root, f));
    sources.official.push(...extra.official);
    sources.fictional.push(...extra.fictional);
  }
  return { courses, bySlug: new Map(courses.map((c) => [c.slug, c])), sources };
}

/** Content folder for this process (CONTENT_DIR, default ./content). */
export function contentDir(): string {
  return path.resolve(process.env.CONTENT_DIR || 'content');
}

let cached: Catalog | undefined;

/** The catalogue of this process, loaded once. */
export function getCatalog(): Catalog {
  cached ??= loadCatalog(contentDir());
  return cached;
}

/** Finds a course edition, or undefined when the course or edition does not exist. */
export function findEdition(slug: string, edition: Edition): { course: Course; ed: CourseEdition } | undefined {
  const course = getCatalog().bySlug.get(slug);
  const ed = course?.editions[edition];
  return course && ed ? { course, ed } : undefined;
}

const versions = new WeakMap<Question, string>();

/**
 * A question's version for item analysis: the first 12 hex digits of SHA-256 over a canonical JSON
 * of what a learner answers (type, prompt, the message shown with it, options or steps with their
 * ids and text, the key). Any rewrite of those starts fresh figures; the explanation, shown only
 * afterwards, and the editions list do not count.
 */
export function questionVersion(q: Question): string {
  let v = versions.get(q);
  if (!v) {
    const choices = q.type === 'truefalse' ? null : (q.type === 'order' ? q.steps : q.options).map((o) => [o.id, o.text]);
    const message = q.message ? [q.message.channel, q.message.from, q.message.time ?? null, q.message.text] : null;
    const answer = q.type === 'order' ? null : q.type === 'multiple' ? [...q.answer].sort() : q.answer;
    const canonical = JSON.stringify([q.id, q.type, q.prompt, message, choices, answer]);
    v = createHash('sha256').update(canonical).digest('hex').slice(0, 12);
    versions.set(q, v);
  }
  return v;
}
