/**
 * npm run content:check [-- --json] — validates content/ and summarises it.
 * With --json prints exactly one JSON object; exits non-zero on invalid content.
 * Also validates the monthly topic schedule (content/schedule.yaml) against the catalogue, and the
 * help-visit tasks (content/help-tasks.yaml).
 * `--courses a,b` measures the quiz cues over those courses only (for authors working on a few).
 * Over the whole catalogue the measurable quiz targets (QUIZ_TARGETS) are enforced: an unmet one
 * fails the check, named in Vietnamese (and in the JSON's `error`).
 */
import { EDITIONS } from '../lib/content/schema.ts';
import { ContentError, contentDir, loadCatalog } from '../server/content/catalog.ts';
import { loadSchedule } from '../server/schedule/schedule.ts';
import { loadHelpTasks } from '../server/content/help-tasks.ts';
import { loadScorecard } from '../server/content/scorecard.ts';
import { QUIZ_TARGETS, quizMetrics, type QuizMetrics } from '../server/content/quiz-metrics.ts';

const json = process.argv.includes('--json');

/** The unmet quiz targets, each as one Vietnamese sentence with its figures. */
function unmetTargets(q: QuizMetrics): string[] {
  const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
  const out: string[] = [];
  if (!q.met.longestCorrect)
    out.push(`đáp án đúng là phương án dài nhất ở ${pct(q.longestCorrectShare)} câu một lựa chọn (tối đa ${pct(QUIZ_TARGETS.longestCorrectMax)})`);
  if (!q.met.positions)
    out.push(`một vị trí giữ ${pct(q.positionMaxShare)} đáp án đúng của các câu 3 phương án (tối đa ${pct(QUIZ_TARGETS.positionMax)})`);
  if (!q.met.trueShare)
    out.push(`câu đúng/sai có đáp án “đúng” chiếm ${pct(q.trueShare)} (cần ${pct(QUIZ_TARGETS.trueMin)}–${pct(QUIZ_TARGETS.trueMax)})`);
  if (!q.met.noRepeats) out.push(`câu hỏi lặp nguyên văn giữa bài kiểm tra nhanh và đề cuối khóa: ${q.repeatedBetweenCheckAndFinal.join('; ')}`);
  return out;
}
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
  const scorecard = loadScorecard(contentDir()).criteria.map((c) => c.metric);
  const measured = only ? catalog.courses.filter((c) => only.has(c.slug)) : catalog.courses;
  const quizzes = quizMetrics({ ...catalog, courses: measured });
  // Targets hold over the whole catalogue; a --courses subset is only measured.
  const unmet = only ? [] : unmetTargets(quizzes);
  const error = unmet.length ? `Câu hỏi chưa đạt chỉ tiêu: ${unmet.join('; ')}.` : undefined;
  if (json) process.stdout.write(JSON.stringify({ courses, schedule, helpTasks, scorecard, quizzes, ...(error ? { error } : {}) }) + '\n');
  else {
    for (const c of courses) console.log(`${c.slug} — ${c.title}: ${JSON.stringify(c.editions)}`);
    console.log(`Lịch chuyên đề: ${schedule.months} tháng (${schedule.first} → ${schedule.last})`);
    console.log(`Việc hỗ trợ hộ gia đình: ${helpTasks}`);
    console.log(`Tiêu chí đánh giá tổ: ${scorecard.join(', ')}`);
    console.log(`Câu hỏi: ${JSON.stringify({ ...quizzes, repeatedBetweenCheckAndFinal: quizzes.repeatedBetweenCheckAndFinal.length })}`);
    if (error) console.error(error);
  }
  if (error) process.exitCode = 1;
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  const file = err instanceof ContentError ? err.file : undefined;
  if (json) process.stdout.write(JSON.stringify({ error: message, ...(file ? { file } : {}) }) + '\n');
  else console.error(`Nội dung không hợp lệ: ${message}`);
  process.exitCode = 1;
}
