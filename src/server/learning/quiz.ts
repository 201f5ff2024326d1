/**
 * Quiz rules without I/O: what a question looks like in the browser (no keys, no explanations, no
 * authored ids), the per-learner layout of a lesson check, parsing of submitted forms (tampering is
 * an error), grading, and drawing per attempt.
 *
 * Field names never carry anything authored: the question shown at position i is `q<i+1>`, its
 * choices are worth their display position (`0`, `1`, …), and an ordering step shown at position k
 * is the select `q<i+1>-<k>`. The server maps positions back through the attempt (final quiz) or
 * the sealed check token (lesson check).
 */
import { randomInt } from 'node:crypto';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase64urlNoPadding } from '@oslojs/encoding';
import type { Question } from '../../lib/content/schema.ts';
import type { DrawnQuestion, StoredResult } from '../db/schema.ts';

/** What the browser may see of a question before it is answered. */
export interface PublicQuestion {
  /** The opaque field name: `q` and the 1-based position in the form. */
  field: string;
  type: Question['type'];
  prompt: string;
  message?: Question['message'];
  /** Choices in display order; `key` is the display position, never the authored id. */
  choices: { key: string; text: string }[];
}

/** A normalised answer: option id(s), a boolean, step ids in the learner's order, or null (blank). */
export type Answer = string | string[] | boolean | null;

/** A question as asked: the question and its choice ids in display order. */
export interface AskedQuestion {
  q: Question;
  order: string[];
}

/** A submitted form did not match the questions asked (a client cannot produce this honestly). */
export class TamperedSubmissionError extends Error {}

/** Authored ids of a question's choices (options or steps). */
export function choiceIds(q: Question): string[] {
  if (q.type === 'truefalse') return ['true', 'false'];
  return q.type === 'order' ? q.steps.map((s) => s.id) : q.options.map((o) => o.id);
}

/** A random integer in [0, n): the default source of every shuffle. */
export type RandomInt = (n: number) => number;

function shuffle<T>(items: T[], rand: RandomInt): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rand(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Never shows ordering steps in their correct order (that would give the answer away). */
function notIdentity<T>(order: T[], authored: T[]): T[] {
  return order.every((id, i) => id === authored[i]) ? [...order.slice(1), order[0]!] : order;
}

/**
 * Random display order of a question's choices: options and steps shuffled, ordering steps never
 * in their correct order, true/false always "Đúng" then "Sai".
 */
export function randomOrder(q: Question, rand: RandomInt = randomInt): string[] {
  const ids = choiceIds(q);
  if (q.type === 'truefalse') return ids;
  const order = shuffle(ids, rand);
  return q.type === 'order' ? notIdentity(order, ids) : order;
}

/** Draws `count` questions from a pool at random, each with its display order. */
export function drawQuestions(pool: Question[], count: number): DrawnQuestion[] {
  return shuffle(pool, randomInt)
    .slice(0, count)
    .map((q) => ({ id: q.id, order: randomOrder(q) }));
}

/**
 * How one learner sees a lesson check, as indices into the authored content: `order[i]` is the
 * authored index of the question shown at position i, `options[i]` the authored indices of its
 * choices in display order. Indices, not ids, so the sealed token stays small.
 */
export interface CheckLayout {
  order: number[];
  options: number[][];
}

/** A fresh random layout of a lesson check: questions and their choices shuffled. */
export function layOutCheck(questions: Question[], rand: RandomInt = randomInt): CheckLayout {
  const order = shuffle(
    questions.map((_, i) => i),
    rand,
  );
  return {
    order,
    options: order.map((qi) => {
      const q = questions[qi]!;
      const ids = choiceIds(q);
      return randomOrder(q, rand).map((id) => ids.indexOf(id));
    }),
  };
}

function isPermutation(xs: unknown, n: number): xs is number[] {
  return Array.isArray(xs) && xs.length === n && new Set(xs).size === n && xs.every((x) => Number.isInteger(x) && x >= 0 && x < n);
}

/** The questions as asked under a layout, or undefined when the layout does not fit the questions. */
export function askedFromLayout(questions: Question[], layout: CheckLayout): AskedQuestion[] | undefined {
  if (!isPermutation(layout.order, questions.length) || !Array.isArray(layout.options) || layout.options.length !== questions.length) return undefined;
  const asked: AskedQuestion[] = [];
  for (const [i, qi] of layout.order.entries()) {
    const q = questions[qi]!;
    const ids = choiceIds(q);
    const perm = layout.options[i];
    if (!isPermutation(perm, ids.length)) return undefined;
    asked.push({ q, order: perm.map((k) => ids[k]!) });
  }
  return asked;
}

/**
 * The content version of a lesson check: a fingerprint of what grading and the layout depend on
 * (question ids and types, choice ids, keys). Rewording a prompt or an explanation keeps it.
 */
export function checkVersion(questions: Question[]): string {
  const shape = questions.map((q) => [q.id, q.type, choiceIds(q), q.type === 'order' ? null : q.answer]);
  return encodeBase64urlNoPadding(sha256(new TextEncoder().encode(JSON.stringify(shape))).slice(0, 12));
}

/** The field name of the question shown at 0-based position `index`. */
export function fieldName(index: number): string {
  return `q${index + 1}`;
}

/** The public view of a question shown at `index` in a given display order. */
export function presentQuestion(q: Question, order: string[], index: number): PublicQuestion {
  const text = new Map<string, string>(
    q.type === 'truefalse'
      ? [
          ['true', 'Đúng'],
          ['false', 'Sai'],
        ]
      : (q.type === 'order' ? q.steps : q.options).map((o) => [o.id, o.text]),
  );
  return {
    field: fieldName(index),
    type: q.type,
    prompt: q.prompt,
    ...(q.message ? { message: q.message } : {}),
    choices: order.map((id, i) => ({ key: String(i), text: text.get(id) ?? '' })),
  };
}

/** Form entries as received: every value of every field name. */
export type FormEntries = Map<string, string[]>;

const FIELD = /^q([1-9][0-9]{0,2})(?:-([0-9]{1,2}))?$/;

/**
 * Parses the answers to the questions asked, `asked[i]` being shown as field `q<i+1>` (null: a
 * question of the attempt that no longer exists; its fields are ignored). Blank answers are
 * allowed (null). Fields of questions not asked, repeated single answers, unknown choices or
 * malformed positions throw TamperedSubmissionError. Fields not starting with "q" are not answers.
 * Returns answers keyed by question id.
 */
export function parseAnswers(entries: FormEntries, asked: (AskedQuestion | null)[]): Map<string, Answer> {
  const raw = new Map<number, { plain: string[]; positions: Map<number, string> }>();
  for (const [name, values] of entries) {
    if (!name.startsWith('q')) continue;
    const m = FIELD.exec(name);
    const index = m ? Number(m[1]) - 1 : -1;
    if (!m || index >= asked.length) throw new TamperedSubmissionError('Có câu trả lời cho câu hỏi không có trong bài.');
    if (asked[index] === null) continue;
    const slot = raw.get(index) ?? { plain: [], positions: new Map<number, string>() };
    raw.set(index, slot);
    if (m[2] === undefined) slot.plain.push(...values);
    else {
      if (values.length !== 1) throw new TamperedSubmissionError('Một bước được gửi nhiều lần.');
      slot.positions.set(Number(m[2]), values[0]!);
    }
  }

  const answers = new Map<string, Answer>();
  for (const [index, a] of asked.entries()) {
    if (!a) continue;
    const { q, order } = a;
    const slot = raw.get(index);
    const keyToId = (key: string): string => {
      if (!/^\d{1,2}$/.test(key) || Number(key) >= order.length) throw new TamperedSubmissionError('Có phương án trả lời không hợp lệ.');
      return order[Number(key)]!;
    };
    if (!slot) {
      answers.set(q.id, null);
      continue;
    }
    if (q.type === 'order') {
      if (slot.plain.length) throw new TamperedSubmissionError('Câu sắp xếp được gửi sai dạng.');
      const chosen: (string | null)[] = order.map(() => null);
      for (const [key, pos] of slot.positions) {
        const id = keyToId(String(key));
        if (pos === '') continue;
        if (!/^\d{1,2}$/.test(pos) || Number(pos) < 1 || Number(pos) > order.length) {
          throw new TamperedSubmissionError('Có thứ tự bước không hợp lệ.');
        }
        chosen[order.indexOf(id)] = pos;
      }
      if (chosen.every((p) => p === null)) {
        answers.set(q.id, null);
        continue;
      }
      // The learner's sequence: steps sorted by the position they picked; an unplaced step or two
      // steps in one position make the answer wrong, not invalid.
      const complete = chosen.every((p) => p !== null) && new Set(chosen).size === chosen.length;
      const seq = complete
        ? order.map((id, i) => ({ id, pos: Number(chosen[i]) })).sort((x, y) => x.pos - y.pos).map((x) => x.id)
        : [];
      answers.set(q.id, seq);
      continue;
    }
    if (slot.positions.size) throw new TamperedSubmissionError('Câu hỏi được gửi sai dạng.');
    const values = slot.plain.filter((v) => v !== '');
    if (q.type === 'multiple') {
      if (new Set(values).size !== values.length) throw new TamperedSubmissionError('Một phương án được gửi nhiều lần.');
      answers.set(q.id, values.length ? values.map(keyToId).sort() : null);
      continue;
    }
    if (values.length > 1) throw new TamperedSubmissionError('Câu hỏi một lựa chọn nhận nhiều hơn một câu trả lời.');
    if (values.length === 0) {
      answers.set(q.id, null);
      continue;
    }
    const id = keyToId(values[0]!);
    answers.set(q.id, q.type === 'truefalse' ? id === 'true' : id);
  }
  return answers;
}

/** Whether an answer is correct. Blank is wrong. */
export function isCorrect(q: Question, a: Answer): boolean {
  if (a === null) return false;
  switch (q.type) {
    case 'single':
      return a === q.answer;
    case 'truefalse':
      return a === q.answer;
    case 'multiple': {
      const want = [...q.answer].sort();
      return Array.isArray(a) && a.length === want.length && a.every((x, i) => x === want[i]);
    }
    case 'order':
      return Array.isArray(a) && a.length === q.steps.length && a.every((x, i) => x === q.steps[i]!.id);
  }
}

/** Grades answers question by question. */
export function grade(asked: Question[], answers: Map<string, Answer>): StoredResult[] {
  return asked.map((q) => {
    const a = answers.get(q.id) ?? null;
    return { questionId: q.id, correct: isCorrect(q, a), answered: a !== null };
  });
}

/** A lesson check is passed with at least two thirds of its questions right. */
export function checkPassed(results: StoredResult[]): boolean {
  const right = results.filter((r) => r.correct).length;
  return right >= Math.ceil((results.length * 2) / 3);
}

/** Score as a whole percentage. */
export function percent(score: number, total: number): number {
  return total === 0 ? 0 : Math.round((score * 100) / total);
}

/**
 * One side of a graded question in words, for a result page: option texts, a true/false statement
 * ("Nhận định này đúng/sai", never a bare "Sai" that reads like a verdict), or ordering steps in sequence.
 */
export type AnswerWords =
  | { kind: 'options'; texts: string[] }
  | { kind: 'statement'; text: string }
  | { kind: 'steps'; texts: string[] }
  /** An ordering question with steps left unplaced or two steps on one number. */
  | { kind: 'incomplete' }
  | { kind: 'blank' };

const statement = (value: boolean): AnswerWords => ({ kind: 'statement', text: value ? 'Nhận định này đúng.' : 'Nhận định này sai.' });

/** What the learner answered, in words (only their own choices). */
export function chosenWords(q: Question, a: Answer): AnswerWords {
  if (a === null || a === undefined) return { kind: 'blank' };
  switch (q.type) {
    case 'truefalse':
      return typeof a === 'boolean' ? statement(a) : { kind: 'blank' };
    case 'single':
      return { kind: 'options', texts: q.options.filter((o) => o.id === a).map((o) => o.text) };
    case 'multiple':
      return { kind: 'options', texts: q.options.filter((o) => Array.isArray(a) && a.includes(o.id)).map((o) => o.text) };
    case 'order': {
      if (!Array.isArray(a) || a.length !== q.steps.length) return { kind: 'incomplete' };
      const text = new Map(q.steps.map((s) => [s.id, s.text]));
      return { kind: 'steps', texts: a.map((id) => text.get(id) ?? '') };
    }
  }
}

/** The key of a lesson-check question in words (lesson checks may reveal it after submission). */
export function correctWords(q: Question): AnswerWords {
  switch (q.type) {
    case 'truefalse':
      return statement(q.answer);
    case 'single':
      return { kind: 'options', texts: q.options.filter((o) => o.id === q.answer).map((o) => o.text) };
    case 'multiple':
      return { kind: 'options', texts: q.options.filter((o) => q.answer.includes(o.id)).map((o) => o.text) };
    case 'order':
      return { kind: 'steps', texts: q.steps.map((s) => s.text) };
  }
}

/**
 * The explanation without a leading verdict that only repeats the key ("Sai. Kẻ gian…" after
 * "Nhận định này sai.", "Lừa. …" after the option "Lừa"), so a result never reads
 * "Đáp án đúng: Sai / Giải thích: Sai.".
 */
export function explanationBody(q: Question): string {
  const keys = q.type === 'truefalse' ? [q.answer ? 'Đúng' : 'Sai'] : q.type === 'single' ? q.options.filter((o) => o.id === q.answer).map((o) => o.text) : [];
  for (const key of keys) {
    if (key.length > 20) continue;
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`^\\s*[«“"]?${escaped}[»”"]?\\s*[.,:;!–—-]+\\s*`, 'iu').exec(q.explanation);
    if (m && m[0].length < q.explanation.length) {
      const rest = q.explanation.slice(m[0].length);
      return rest.charAt(0).toLocaleUpperCase('vi') + rest.slice(1);
    }
  }
  return q.explanation;
}
