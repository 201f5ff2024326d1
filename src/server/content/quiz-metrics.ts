/**
 * Test-taking cues measured over the whole catalogue (issue: quizzes that measure the skill): how often
 * the correct option is the strictly longest, how the correct position is spread among 3-option
 * questions, the share of true/false answers that are "true", and questions repeated verbatim between a
 * lesson check and a final pool. Pure: takes the loaded catalogue, returns numbers.
 */
import type { Question } from '../../lib/content/schema.ts';
import type { Catalog } from './catalog.ts';

/** Targets the content is held to. */
export const QUIZ_TARGETS = {
  /** Share of single-choice questions (≥ 3 options) whose correct option is the strictly longest. */
  longestCorrectMax: 0.35,
  /** Largest share of correct answers any one position may hold among 3-option questions. */
  positionMax: 0.45,
  /** Share of true/false questions whose answer is "true". */
  trueMin: 0.35,
  trueMax: 0.65,
} as const;

/** The measured cues, with the questions behind each count. */
export interface QuizMetrics {
  questions: number;
  singleChoice3Plus: number;
  longestCorrect: number;
  longestCorrectShare: number;
  threeOption: number;
  /** Correct answers per position (0-based) among 3-option single-choice questions. */
  positions: number[];
  positionMaxShare: number;
  trueFalse: number;
  trueAnswers: number;
  trueShare: number;
  /** "course: prompt" of questions asked word for word in a lesson check and in the final pool. */
  repeatedBetweenCheckAndFinal: string[];
  /** Which targets are met. */
  met: { longestCorrect: boolean; positions: boolean; trueShare: boolean; noRepeats: boolean };
}

const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
const share = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 1000) / 1000);

/** Measures the cues over every lesson check and final pool of the catalogue (each question once). */
export function quizMetrics(catalog: Catalog): QuizMetrics {
  const all: Question[] = [];
  const repeated: string[] = [];
  for (const course of catalog.courses) {
    all.push(...course.questions.values());
    const checkPrompts = new Set<string>();
    const finalPrompts = new Set<string>();
    for (const ed of Object.values(course.editions)) {
      if (!ed) continue;
      for (const l of ed.lessons) for (const q of l.check) checkPrompts.add(norm(q.prompt));
      for (const q of ed.finalPool) finalPrompts.add(norm(q.prompt));
    }
    for (const p of finalPrompts) if (checkPrompts.has(p)) repeated.push(`${course.slug}: ${p.slice(0, 80)}`);
  }
  let single3 = 0;
  let longest = 0;
  let three = 0;
  const positions = [0, 0, 0];
  let tf = 0;
  let trues = 0;
  for (const q of all) {
    if (q.type === 'single' && q.options.length >= 3) {
      single3++;
      const lengths = q.options.map((o) => [...o.text.normalize('NFC')].length);
      const correct = q.options.findIndex((o) => o.id === q.answer);
      if (lengths.every((len, i) => i === correct || len < lengths[correct]!)) longest++;
      if (q.options.length === 3) {
        three++;
        positions[correct]!++;
      }
    } else if (q.type === 'truefalse') {
      tf++;
      if (q.answer) trues++;
    }
  }
  const longestCorrectShare = share(longest, single3);
  const positionMaxShare = share(Math.max(...positions), three);
  const trueShare = share(trues, tf);
  return {
    questions: all.length,
    singleChoice3Plus: single3,
    longestCorrect: longest,
    longestCorrectShare,
    threeOption: three,
    positions,
    positionMaxShare,
    trueFalse: tf,
    trueAnswers: trues,
    trueShare,
    repeatedBetweenCheckAndFinal: repeated,
    met: {
      longestCorrect: longestCorrectShare <= QUIZ_TARGETS.longestCorrectMax,
      positions: positionMaxShare <= QUIZ_TARGETS.positionMax,
      trueShare: trueShare >= QUIZ_TARGETS.trueMin && trueShare <= QUIZ_TARGETS.trueMax,
      noRepeats: repeated.length === 0,
    },
  };
}
