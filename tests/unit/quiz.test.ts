import { describe, expect, it } from 'vitest';
import { QuestionSchema, type Question } from '../../src/lib/content/schema.ts';
import {
  checkOrder,
  drawQuestions,
  grade,
  parseAnswers,
  presentQuestion,
  randomOrder,
  TamperedSubmissionError,
  type FormEntries,
} from '../../src/server/learning/quiz.ts';

const q = (data: unknown) => QuestionSchema.parse(data);
const single = q({ id: 's1', type: 'single', prompt: 'P', explanation: 'E', options: [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }, { id: 'c', text: 'C' }], answer: 'b' });
const multi = q({ id: 'm1', type: 'multiple', prompt: 'P', explanation: 'E', options: [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }, { id: 'c', text: 'C' }], answer: ['a', 'c'] });
const tf = q({ id: 't1', type: 'truefalse', prompt: 'P', explanation: 'E', answer: false });
const order = q({ id: 'o1', type: 'order', prompt: 'P', explanation: 'E', steps: [{ id: 'x1', text: 'Một' }, { id: 'x2', text: 'Hai' }, { id: 'x3', text: 'Ba' }, { id: 'x4', text: 'Bốn' }] });

const entries = (o: Record<string, string | string[]>): FormEntries => new Map(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
const asked = (qs: Question[], orderOf: (q: Question) => string[] = checkOrder) => qs.map((x) => ({ q: x, order: orderOf(x) }));

describe('public view', () => {
  it('carries no key, explanation or authored ids', () => {
    for (const x of [single, multi, tf, order]) {
      const p = presentQuestion(x, randomOrder(x));
      const json = JSON.stringify(p);
      expect(json).not.toContain('explanation');
      expect(json).not.toContain('"answer"');
      expect(p.choices.every((c) => /^\d+$/.test(c.key))).toBe(true);
    }
    expect(JSON.stringify(presentQuestion(order, checkOrder(order)))).not.toMatch(/x[1-4]/);
  });

  it('never shows ordering steps in their correct order', () => {
    for (let i = 0; i < 200; i++) expect(randomOrder(order)).not.toEqual(['x1', 'x2', 'x3', 'x4']);
    expect(checkOrder(order)).not.toEqual(['x1', 'x2', 'x3', 'x4']);
    expect(checkOrder(order)).toEqual(checkOrder(order)); // deterministic for prerendered pages
  });

  it('draws the requested number of distinct questions', () => {
    const pool = Array.from({ length: 15 }, (_, i) => ({ ...single, id: `q${i}` }));
    const d = drawQuestions(pool, 10);
    expect(d).toHaveLength(10);
    expect(new Set(d.map((x) => x.id)).size).toBe(10);
  });
});

describe('parsing and grading', () => {
  it('grades every type, blank counts as wrong', () => {
    const a = asked([single, multi, tf, order]);
    const ord = a[3]!.order;
    // Position for each displayed step: its index in the correct order + 1.
    const positions = Object.fromEntries(ord.map((id, k) => [`q-o1--${k}`, String(['x1', 'x2', 'x3', 'x4'].indexOf(id) + 1)]));
    const answers = parseAnswers(entries({ 'q-s1': '1', 'q-m1': ['0', '2'], 'q-t1': '1', ...positions }), a);
    expect(grade([single, multi, tf, order], answers).map((r) => r.correct)).toEqual([true, true, true, true]);

    const blank = parseAnswers(entries({}), a);
    expect(grade([single, multi, tf, order], blank)).toEqual([
      { questionId: 's1', correct: false, answered: false },
      { questionId: 'm1', correct: false, answered: false },
      { questionId: 't1', correct: false, answered: false },
      { questionId: 'o1', correct: false, answered: false },
    ]);
  });

  it('counts partial multiple choice and duplicate positions as wrong, not invalid', () => {
    const a = asked([multi, order]);
    const ans = parseAnswers(entries({ 'q-m1': ['0'], 'q-o1--0': '1', 'q-o1--1': '1', 'q-o1--2': '2', 'q-o1--3': '3' }), a);
    expect(grade([multi, order], ans).map((r) => r.correct)).toEqual([false, false]);
  });

  it.each([
    ['an answer for a question not asked', { 'q-zz': '0' }],
    ['two answers to a single-choice question', { 'q-s1': ['0', '1'] }],
    ['an option that does not exist', { 'q-s1': '7' }],
    ['a non-numeric option', { 'q-s1': 'b' }],
    ['a repeated option in multiple choice', { 'q-m1': ['0', '0'] }],
    ['a position out of range', { 'q-o1--0': '9' }],
    ['a position that is not a number', { 'q-o1--0': 'một' }],
    ['an ordering field on a choice question', { 'q-s1--0': '1' }],
    ['a plain field on an ordering question', { 'q-o1': '1' }],
    ['a malformed field name', { 'q-S1': '0' }],
  ])('refuses %s', (_, form) => {
    expect(() => parseAnswers(entries(form as Record<string, string | string[]>), asked([single, multi, tf, order]))).toThrow(TamperedSubmissionError);
  });

  it('ignores fields that are not answers', () => {
    expect(() => parseAnswers(entries({ attempt: 'x', 'q-s1': '0' }), asked([single]))).not.toThrow();
  });
});
