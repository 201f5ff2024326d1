/**
 * Content collections: courses and their micro-lessons under the top-level content/ folder.
 * Schemas come from src/lib/content/schema.ts (documented there) so the build and the server-side
 * catalogue validate the same way; bad frontmatter fails the build naming the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defineCollection } from 'astro:content';
import { file, glob } from 'astro/loaders';
import YAML from 'yaml';
import { CourseSchema, LessonSchema } from './lib/content/schema.ts';
import { topicEntrySchema } from './lib/content/schedule-schema.ts';

/** The content folder (CONTENT_DIR, default ./content); tests build a fixture catalogue. */
const base = path.relative(process.cwd(), path.resolve(process.env.CONTENT_DIR || './content', 'courses')) || '.';

/** content/courses/<slug>/course.md; id = course slug. */
const courses = defineCollection({
  loader: glob({ pattern: '*/course.md', base, generateId: ({ entry }) => path.dirname(entry) }),
  schema: CourseSchema,
});

/** content/courses/<slug>/NN-name.mdx; id = "<course slug>/<lesson id>" (stable, not the file name). */
const lessons = defineCollection({
  loader: glob({
    pattern: '*/[0-9]*.mdx',
    base,
    generateId: ({ entry, data }) => `${path.dirname(entry)}/${String(data.id)}`,
  }),
  schema: LessonSchema,
});

/** Course folders, so a schedule entry naming a course that does not exist fails the build. */
const courseSlugs = new Set(fs.existsSync(base) ? fs.readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : []);

const scheduleFile = path.join(path.dirname(base), 'schedule.yaml');
// Astro's file() loader only logs unreadable YAML; a broken schedule must fail the build, naming the file.
try {
  YAML.parse(fs.readFileSync(scheduleFile, 'utf8'));
} catch (err) {
  throw new Error(`${scheduleFile}: lịch chuyên đề không đọc được: ${(err as Error).message}`);
}

/** content/schedule.yaml: month ("2026-11") → topic and Q&A session; id = the month. */
const schedule = defineCollection({
  loader: file(scheduleFile),
  schema: topicEntrySchema(courseSlugs),
});

export const collections = { courses, lessons, schedule };
