/**
 * Content collections: courses and their micro-lessons under the top-level content/ folder.
 * Schemas come from src/lib/content/schema.ts (documented there) so the build and the server-side
 * catalogue validate the same way; bad frontmatter fails the build naming the file.
 */
import path from 'node:path';
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { CourseSchema, LessonSchema } from './lib/content/schema.ts';

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

export const collections = { courses, lessons };
