/**
 * Item analysis for authors: per question of a course (lesson checks and the final pool), over one
 * edition or all, the attempts, the share correct and blank, the share choosing each option, the
 * median time, and flags. Figures belong to the question's current version (`questionVersion`);
 * figures of earlier versions are only totalled. Read from the counters only, never from raw
 * submissions: three primary-key range reads per course (options and times of current versions only).
 */
import type { Kysely } from 'kysely';
import { EDITIONS, type Edition, type Question } from '../../lib/content/schema.ts';
import { EDITION_LABELS } from '../../lib/editions.ts';
import { getCatalog, questionVersion, type Course, type Lesson } from '../content/catalog.ts';
import type { Database, ItemSource } from '../db/schema.ts';
import { LearningError } from '../learning/learning.ts';
import { columnsOf, fromArray, type ExportTable } from '../teams/export.ts';
import * as repo from './items.repository.ts';
import { medianFromBuckets, type Median } from './timing.ts';

/** Below this many attempts a question gets no flag: its shares say too little yet. */
export const MIN_ATTEMPTS_FOR_FLAGS = 30;
/** “Quá dễ” above this share correct, “Quá khó” below that one. */
export const EASY_ABOVE = 0.95;
export const HARD_BELOW = 0.3;

export type Flag = 'easy' | 'hard' | 'unchosen';
export const FLAG_LABELS: Record<Flag, string> = { easy: 'Quá dễ', hard: 'Quá khó', unchosen: 'Phương án không ai chọn' };
export const TYPE_LABELS: Record<Question['type'], string> = {
  single: 'Một lựa chọn',
  multiple: 'Nhiều lựa chọn',
  truefalse: 'Đúng/Sai',
  order: 'Sắp xếp thứ tự',
};
export const SOURCE_LABELS: Record<ItemSource, string> = { check: 'Kiểm tra bài học', final: 'Kiểm tra cuối khóa' };

export interface OptionFigure {
  id: string;
  text: string;
  /** The key (single/multiple/true-false); for ordering questions every step is shown as its place. */
  correct: boolean;
  /** Times chosen (ordering questions: put in its right place). */
  chosen: number;
  /** chosen ÷ attempts, or null without attempts. */
  share: number | null;
}

export interface ItemFigures {
  attempts: number;
  correct: number;
  answered: number;
  correctShare: number | null;
  blankShare: number | null;
  /** Answers with a time. */
  timed: number;
  median: Median | undefined;
}

export interface ItemRow {
  question: Question;
  version: string;
  source: ItemSource;
  /** The lesson of a lesson-check question. */
  lesson?: Pick<Lesson, 'id' | 'title'>;
  figures: ItemFigures;
  options: OptionFigure[];
  flags: Flag[];
  /** Totals of earlier versions of this question, when there are any. */
  older?: { versions: number; attempts: number; correct: number; correctShare: number | null };
}

export interface ItemAnalysis {
  course: Course;
  /** The edition filtered on, or undefined for all of the course's editions. */
  edition: Edition | undefined;
  rows: ItemRow[];
  flagged: number;
}

/** The courses and editions one can filter on. */
export function analysisChoices(): { slug: string; title: string; editions: Edition[] }[] {
  return getCatalog().courses.map((c) => ({ slug: c.slug, title: c.title, editions: EDITIONS.filter((e) => c.editions[e]) }));
}

/** The questions of a course (edition) in reading order: lesson checks lesson by lesson, then the final pool. */
export function analysedQuestions(course: Course, edition: Edition | undefined): { q: Question; source: ItemSource; lesson?: Lesson }[] {
  const editions = edition ? [edition] : EDITIONS.filter((e) => course.editions[e]);
  const lessons = [...new Set(editions.flatMap((e) => course.editions[e]?.lessons ?? []))].sort((a, b) => a.file.localeCompare(b.file));
  const inFinal = new Set(editions.flatMap((e) => course.editions[e]?.finalPool ?? []).map((q) => q.id));
  return [
    ...lessons.flatMap((lesson) => lesson.check.map((q) => ({ q, source: 'check' as const, lesson }))),
    ...[...course.questions.values()].filter((q) => inFinal.has(q.id)).map((q) => ({ q, source: 'final' as const })),
  ];
}

function optionList(q: Question): { id: string; text: string; correct: boolean }[] {
  switch (q.type) {
    case 'single':
      return q.options.map((o) => ({ id: o.id, text: o.text, correct: o.id === q.answer }));
    case 'multiple':
      return q.options.map((o) => ({ id: o.id, text: o.text, correct: q.answer.includes(o.id) }));
    case 'truefalse':
      return [
        { id: 'true', text: 'Đúng', correct: q.answer },
        { id: 'false', text: 'Sai', correct: !q.answer },
      ];
    case 'order':
      return q.steps.map((s) => ({ id: s.id, text: s.text, correct: true }));
  }
}

const share = (n: number, d: number) => (d > 0 ? n / d : null);

/** The flags of a question's figures. */
export function flagsOf(q: Question, f: ItemFigures, options: OptionFigure[]): Flag[] {
  if (f.attempts < MIN_ATTEMPTS_FOR_FLAGS || f.correctShare === null) return [];
  const flags: Flag[] = [];
  if (f.correctShare > EASY_ABOVE) flags.push('easy');
  if (f.correctShare < HARD_BELOW) flags.push('hard');
  // Only choices can be left unchosen; true/false is covered by the two flags above, and a step of
  // an ordering question is always placed somewhere.
  if ((q.type === 'single' || q.type === 'multiple') && options.some((o) => o.chosen === 0)) flags.push('unchosen');
  return flags;
}

/**
 * The item analysis of a course, over one edition or all of them. A course or edition that does not
 * exist is a 404 (LearningError).
 */
export async function itemAnalysis(db: Kysely<Database>, courseSlug: string, edition: Edition | undefined, course = getCatalog().bySlug.get(courseSlug)): Promise<ItemAnalysis> {
  if (!course) throw new LearningError(404, 'Không tìm thấy khóa học này.');
  if (edition && !course.editions[edition]) throw new LearningError(404, 'Khóa học này không có phiên bản đã chọn.');
  const questions = analysedQuestions(course, edition);
  // Options and times only of the current versions; earlier versions are only totalled.
  const current = [...new Set(questions.map(({ q }) => questionVersion(q)))];
  const [stats, options, times] = await Promise.all([
    repo.statSums(db, course.slug, edition),
    repo.optionSums(db, course.slug, edition, current),
    repo.timeSums(db, course.slug, edition, current),
  ]);
  const k = (source: string, id: string, version: string) => `${source}\u0000${id}\u0000${version}`;
  const statBy = new Map(stats.map((s) => [k(s.source, s.question_id, s.version), s]));
  const chosenBy = new Map(options.map((o) => [`${k(o.source, o.question_id, o.version)}\u0000${o.option_id}`, Number(o.chosen)]));
  const bucketsBy = new Map<string, Map<number, number>>();
  for (const t of times) {
    const key = k(t.source, t.question_id, t.version);
    const m = bucketsBy.get(key) ?? new Map<number, number>();
    m.set(Number(t.bucket), Number(t.n));
    bucketsBy.set(key, m);
  }

  const rows = questions.map(({ q, source, lesson }): ItemRow => {
    const version = questionVersion(q);
    const key = k(source, q.id, version);
    const s = statBy.get(key);
    const attempts = Number(s?.attempts ?? 0);
    const correct = Number(s?.correct ?? 0);
    const answered = Number(s?.answered ?? 0);
    const buckets = bucketsBy.get(key) ?? new Map<number, number>();
    const figures: ItemFigures = {
      attempts,
      correct,
      answered,
      correctShare: share(correct, attempts),
      blankShare: share(attempts - answered, attempts),
      timed: [...buckets.values()].reduce((x, n) => x + n, 0),
      median: medianFromBuckets(buckets),
    };
    const opts = optionList(q).map((o) => {
      const chosen = chosenBy.get(`${key}\u0000${o.id}`) ?? 0;
      return { ...o, chosen, share: share(chosen, attempts) };
    });
    const earlier = stats.filter((x) => x.source === source && x.question_id === q.id && x.version !== version);
    const olderAttempts = earlier.reduce((x, r) => x + Number(r.attempts), 0);
    const olderCorrect = earlier.reduce((x, r) => x + Number(r.correct), 0);
    return {
      question: q,
      version,
      source,
      ...(lesson ? { lesson: { id: lesson.id, title: lesson.title } } : {}),
      figures,
      options: opts,
      flags: flagsOf(q, figures, opts),
      ...(earlier.length ? { older: { versions: earlier.length, attempts: olderAttempts, correct: olderCorrect, correctShare: share(olderCorrect, olderAttempts) } } : {}),
    };
  });
  return { course, edition, rows, flagged: rows.filter((r) => r.flags.length).length };
}

/** A share as a whole percentage ("—" without attempts). */
export function percentLabel(s: number | null): string {
  return s === null ? '—' : `${Math.round(s * 100)}%`;
}

/** A median time in words: “≈ 14 giây”, “≈ 1 phút 20 giây”, “≥ 10 phút”, “—” when nothing was timed. */
export function medianLabel(m: Median | undefined): string {
  if (!m) return '—';
  if (m.atLeast) return '≥ 10 phút';
  const s = Math.round(m.ms / 1000);
  if (s < 1) return '< 1 giây';
  if (s < 60) return `≈ ${s} giây`;
  const min = Math.floor(s / 60);
  const rest = s % 60;
  return rest ? `≈ ${min} phút ${rest} giây` : `≈ ${min} phút`;
}

/** The analysis as a table for CSV: one row per option of each question, the question's figures repeated. */
export function itemAnalysisTable(a: ItemAnalysis): ExportTable {
  const headers = [
    'Khóa học',
    'Phiên bản khóa học',
    'Nguồn',
    'Bài học',
    'Mã câu hỏi',
    'Phiên bản câu hỏi',
    'Loại câu hỏi',
    'Câu hỏi',
    'Lượt trả lời',
    'Tỉ lệ đúng (%)',
    'Tỉ lệ bỏ trống (%)',
    'Lượt có thời gian',
    'Thời gian trung vị (giây)',
    'Cờ',
    'Phương án',
    'Là đáp án đúng',
    'Tỉ lệ chọn (%)',
    'Lượt trả lời các phiên bản cũ',
  ];
  const pctCell = (s: number | null) => (s === null ? '' : (Math.round(s * 1000) / 10).toFixed(1));
  const medianCell = (m: Median | undefined) => (!m ? '' : m.atLeast ? '≥ 600' : String(Math.round(m.ms / 1000)));
  const rows = a.rows.flatMap((r) =>
    r.options.map((o) => [
      a.course.title,
      a.edition ? EDITION_LABELS[a.edition] : 'Tất cả',
      SOURCE_LABELS[r.source],
      r.lesson?.title ?? '',
      r.question.id,
      r.version,
      TYPE_LABELS[r.question.type],
      r.question.prompt,
      String(r.figures.attempts),
      pctCell(r.figures.correctShare),
      pctCell(r.figures.blankShare),
      String(r.figures.timed),
      medianCell(r.figures.median),
      r.flags.map((f) => FLAG_LABELS[f]).join('; '),
      o.text,
      r.question.type === 'order' ? 'Đặt đúng vị trí' : o.correct ? 'Có' : 'Không',
      pctCell(o.share),
      String(r.older?.attempts ?? 0),
    ]),
  );
  return {
    name: `phan-tich-cau-hoi-${a.course.slug}${a.edition ? `-${a.edition}` : ''}`,
    sheet: 'Phân tích câu hỏi',
    title: `Phân tích câu hỏi — ${a.course.title}`,
    columns: columnsOf(headers),
    rows: fromArray(rows),
  };
}
