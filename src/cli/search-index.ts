/**
 * Builds the Pagefind search index of all lessons into <outDir>/client/pagefind after `astro build`.
 * Records are the lessons' own text from content/, folded (đ → d) so queries without diacritics match.
 */
import path from 'node:path';
import * as pagefind from 'pagefind';
import { EDITIONS } from '../lib/content/schema.ts';
import { EDITION_LABELS, paths } from '../lib/editions.ts';
import { foldVietnamese } from '../lib/search.ts';
import { contentDir, lessonBody, loadCatalog, plainText } from '../server/content/catalog.ts';

const outDir = path.resolve(process.env.ASTRO_OUT_DIR || 'dist', 'client', 'pagefind');
const root = contentDir();
const catalog = loadCatalog(root);
const { index } = await pagefind.createIndex({ forceLanguage: 'vi' });
if (!index) throw new Error('Pagefind không tạo được chỉ mục.');
let records = 0;
for (const course of catalog.courses) {
  const seen = new Set<string>();
  for (const e of EDITIONS) {
    const ed = course.editions[e];
    if (!ed) continue;
    for (const lesson of ed.lessons) {
      // A shared lesson is indexed once, under the first edition that has it (citizen first).
      if (seen.has(lesson.id)) continue;
      seen.add(lesson.id);
      const text = [lesson.title, lesson.description, plainText(lessonBody(root, lesson), e), lesson.remember].join('\n');
      await index.addCustomRecord({
        url: paths.lesson(course.slug, e, lesson.id),
        content: foldVietnamese(text),
        language: 'vi',
        meta: { title: lesson.title, course: course.title, edition: EDITION_LABELS[e], description: lesson.description },
      });
      records++;
    }
  }
}
await index.writeFiles({ outputPath: outDir });
await pagefind.close();
console.log(`Chỉ mục tìm kiếm: ${records} bài học → ${path.relative(process.cwd(), outDir)}`);
