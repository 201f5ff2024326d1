/**
 * npm run content:check [-- --json] — validates content/ and summarises it.
 * With --json prints exactly one JSON object; exits non-zero on invalid content.
 * Also validates the monthly topic schedule (content/schedule.yaml) against the catalogue, and the
 * help-visit tasks (content/help-tasks.yaml).
 * `--courses a,b` measures the quiz cues over those courses only (for authors working on a few).
 */
import { EDITIONS } from '../lib/content/schema.ts';
import { ContentError, contentDir, loadCatalog } from '../server/content/catalog.ts';
import { loadSchedule } from '../server/schedule/schedule.ts';
import { loadHelpTasks } from '../server/content/help-tasks.ts';
import { quizMetrics } from '../server/content/quiz-metrics.ts';

const json = process.argv.includes('--json');
const coursesArg = process.argv.indexOf('--courses');
const only = coursesArg > 0 ? new Set((process.argv[coursesArg + 1] ?? '').split(',').filter(Boolean)) : null;
try {
  const catalog = loadCatalog(contentDir());
  const courses = catalog.courses.map((c) => ({
    slug: c.slug,
    title: c.title,
    editions: Object.fromEntries(
      EDITIONS.filter((e) => c.editions[e]).map((e) => {
        const ed = c.editions[e]!;
        return [e, { lessons: ed.lessons.length, questions: ed.lessons.reduce((n, l) => n + l.check.length, 0), finalQuestions: ed.finalPool.length }];
      }),
    ),
  }));
  const topics = loadSchedule(contentDir(), catalog).topics;
  const schedule = { months: topics.length, first: topics[0]?.month ?? null, last: topics.at(-1)?.month ?? null };
  const helpTasks = loadHelpTasks(contentDir()).tasks.length;
  const measured = only ? catalog.courses.filter((c) => only.has(c.slug)) : catalog.courses;
  const quizzes = quizMetrics({ ...catalog, courses: measured });
  if (json) process.stdout.write(JSON.stringify({ courses, schedule, helpTasks, quizzes }) + '\n');
  else {
    for (const c of courses) console.log(`${c.slug} — ${c.title}: ${JSON.stringify(c.editions)}`);
    console.log(`Lịch chuyên đề: ${schedule.months} tháng (${schedule.first} → ${schedule.last})`);
    console.log(`Việc hỗ trợ hộ gia đình: ${helpTasks}`);
    console.log(`Câu hỏi: ${JSON.stringify({ ...quizzes, repeatedBetweenCheckAndFinal: quizzes.repeatedBetweenCheckAndFinal.length })}`);
  }
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  const file = err instanceof ContentError ? err.file : undefined;
  if (json) process.stdout.write(JSON.stringify({ error: message, ...(file ? { file } : {}) }) + '\n');
  else console.error(`Nội dung không hợp lệ: ${message}`);
  process.exitCode = 1;
}
