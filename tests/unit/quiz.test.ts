import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuestionSchema, type Question } from '../../src/lib/content/schema.ts';
import { openCheckToken, sealCheckToken, type CheckTokenClaims } from '../../src/server/learning/check-token.ts';
import {
  askedFromLayout,
  checkVersion,
  choiceIds,
  drawQuestions,
  grade,
  layOutCheck,
  parseAnswers,
  presentQuestion,
  randomOrder,
  TamperedSubmissionError,
  type Answer,
  type AskedQuestion,
  type CheckLayout,
  type FormEntries,
} from '../../src/server/learning/quiz.ts';

const q = <T extends Question['type']>(data: { type: T } & Record<string, unknown>) => QuestionSchema.parse(data) as Extract<Question, { type: T }>;
const single = q({ id: 's1', type: 'single', prompt: 'P', explanation: 'E', options: [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }, { id: 'c', text: 'C' }], answer: 'b' });
const multi = q({ id: 'm1', type: 'multiple', prompt: 'P', explanation: 'E', options: [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }, { id: 'c', text: 'C' }, { id: 'd', text: 'D' }], answer: ['a', 'c'] });
const tf = q({ id: 't1', type: 'truefalse', prompt: 'P', explanation: 'E', answer: false });
const order = q({ id: 'o1', type: 'order', prompt: 'P', explanation: 'E', steps: [{ id: 'x1', text: 'Một' }, { id: 'x2', text: 'Hai' }, { id: 'x3', text: 'Ba' }, { id: 'x4', text: 'Bốn' }] });
const ALL = [single, multi, tf, order];

const entries = (o: Record<string, string | string[]>): FormEntries => new Map(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
/** The questions shown in authored order with authored choice order (the identity layout). */
const identity = (qs: Question[]): AskedQuestion[] => qs.map((x) => ({ q: x, order: choiceIds(x) }));

/** The form a browser posts for semantic answers (authored ids) under a layout. */
function formFor(asked: AskedQuestion[], answers: Map<string, Answer>): FormEntries {
  const out: FormEntries = new Map();
  const add = (k: string, v: string) => out.set(k, [...(out.get(k) ?? []), v]);
  for (const [i, { q: x, order: ord }] of asked.entries()) {
    const a = answers.get(x.id) ?? null;
    const name = `q${i + 1}`;
    if (a === null) continue;
    if (x.type === 'order') ord.forEach((id, k) => add(`${name}-${k}`, String((a as string[]).indexOf(id) + 1)));
    else if (x.type === 'multiple') for (const id of a as string[]) add(name, String(ord.indexOf(id)));
    else add(name, String(ord.indexOf(typeof a === 'boolean' ? String(a) : (a as string))));
  }
  return out;
}

/** Any answer a learner can give to `x`, in authored ids (multiple choice sorted, as the parser returns it). */
function answerArb(x: Question): fc.Arbitrary<Answer> {
  switch (x.type) {
    case 'single':
      return fc.option(fc.constantFrom(...choiceIds(x)), { nil: null });
    case 'truefalse':
      return fc.option(fc.boolean(), { nil: null });
    case 'multiple':
      return fc.subarray(choiceIds(x)).map((s) => (s.length ? [...s].sort() : null));
    case 'order':
      return fc.option(fc.shuffledSubarray(choiceIds(x), { minLength: x.steps.length, maxLength: x.steps.length }), { nil: null });
  }
}

const permutation = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });
/** Any layout of the questions: every question order and every option permutation. */
const layoutArb = (qs: Question[]): fc.Arbitrary<CheckLayout> =>
  permutation(qs.length).chain((ord) => fc.tuple(...ord.map((qi) => permutation(choiceIds(qs[qi]!).length))).map((options) => ({ order: ord, options })));

describe('public view', () => {
  it('carries no key, explanation or authored ids, and names fields by position', () => {
    for (const [i, x] of ALL.entries()) {
      const p = presentQuestion(x, randomOrder(x), i);
      const json = JSON.stringify(p);
      expect(json).not.toContain('explanation');
      expect(json).not.toContain('"answer"');
      expect(json).not.toContain(`"${x.id}"`);
      expect(p.field).toBe(`q${i + 1}`);
      expect(p.choices.every((c) => /^\d+$/.test(c.key))).toBe(true);
      expect(json).not.toMatch(/"(a|b|c|d|x[1-4]|true|false)"/);
    }
  });

  it('never shows ordering steps in their correct order', () => {
    for (let i = 0; i < 200; i++) expect(randomOrder(order)).not.toEqual(['x1', 'x2', 'x3', 'x4']);
    for (let i = 0; i < 200; i++) {
      const asked = askedFromLayout(ALL, layOutCheck(ALL))!;
      expect(asked.find((a) => a.q.id === 'o1')!.order).not.toEqual(['x1', 'x2', 'x3', 'x4']);
      expect(asked.find((a) => a.q.id === 't1')!.order).toEqual(['true', 'false']); // Đúng, then Sai
    }
  });

  it('lays a check out differently across requests', () => {
    const seen = new Set(Array.from({ length: 30 }, () => JSON.stringify(layOutCheck(ALL))));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('draws the requested number of distinct questions', () => {
    const pool = Array.from({ length: 15 }, (_, i) => ({ ...single, id: `q${i}` }));
    const d = drawQuestions(pool, 10);
    expect(d).toHaveLength(10);
    expect(new Set(d.map((x) => x.id)).size).toBe(10);
  });
});

describe('layouts', () => {
  it('grading does not depend on the layout: answers mapped back grade identically under any permutation', () => {
    const answersArb = fc.tuple(...ALL.map(answerArb)).map((as) => new Map(ALL.map((x, i) => [x.id, as[i]!] as [string, Answer])));
    fc.assert(
      fc.property(layoutArb(ALL), layoutArb(ALL), answersArb, (la, lb, answers) => {
        const expected = grade(ALL, answers);
        const asIdentity = parseAnswers(formFor(identity(ALL), answers), identity(ALL));
        expect(asIdentity).toEqual(answers);
        for (const layout of [la, lb]) {
          const asked = askedFromLayout(ALL, layout)!;
          const parsed = parseAnswers(formFor(asked, answers), asked);
          expect(parsed).toEqual(answers);
          expect(grade(ALL, parsed)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('fresh layouts always fit their questions', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), (seeds) => {
        let k = 0;
        const layout = layOutCheck(ALL, (n) => seeds[k++ % seeds.length]! % n);
        expect(askedFromLayout(ALL, layout)).toBeDefined();
      }),
    );
  });

  it.each([
    ['a question order that is not a permutation', { order: [0, 0, 1, 2], options: [[0, 1, 2], [0, 1, 2, 3], [0, 1], [0, 1, 2, 3]] }],
    ['too few questions', { order: [0, 1, 2], options: [[0, 1, 2], [0, 1, 2, 3], [0, 1]] }],
    ['an option permutation of the wrong length', { order: [0, 1, 2, 3], options: [[0, 1], [0, 1, 2, 3], [0, 1], [0, 1, 2, 3]] }],
    ['an index out of range', { order: [0, 1, 2, 3], options: [[0, 1, 5], [0, 1, 2, 3], [0, 1], [0, 1, 2, 3]] }],
  ])('refuses a layout with %s', (_, layout) => {
    expect(askedFromLayout(ALL, layout)).toBeUndefined();
  });

  it('versions a check by what grading depends on', () => {
    const v = checkVersion(ALL);
    expect(checkVersion([{ ...single, explanation: 'Giải thích mới' }, multi, tf, order])).toBe(v);
    expect(checkVersion([{ ...single, answer: 'c' }, multi, tf, order])).not.toBe(v);
    expect(checkVersion([multi, single, tf, order])).not.toBe(v);
    expect(checkVersion([single, multi, tf, { ...order, steps: [...order.steps].reverse() }])).not.toBe(v);
  });
});

describe('check tokens', () => {
  const secret = 'unit-test-form-secret-0123456789abcdefgh';
  const claims: CheckTokenClaims = { course: 'khoa-a', edition: 'citizen', lesson: 'bai-b', version: checkVersion(ALL), issuedAt: 1_800_000_000, order: [3, 1, 0, 2], options: [[2, 0, 3, 1], [0, 3, 1, 2], [2, 1, 0], [0, 1]] };

  it('round-trips, and hides the layout and every id', async () => {
    const token = await sealCheckToken(claims, secret);
    expect(await openCheckToken(token, secret)).toEqual(claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}$/);
    const decoded = token
      .split('.')
      .map((p) => Buffer.from(p, 'base64url').toString('latin1'))
      .join(' ');
    for (const s of ['khoa-a', 'bai-b', '3,1,0,2', 'iat', claims.version]) expect(decoded).not.toContain(s);
    // Two seals of the same claims differ (fresh IV), so tokens say nothing by comparison either.
    expect(await sealCheckToken(claims, secret)).not.toBe(token);
  });

  it('refuses altered tokens and tokens of another secret', async () => {
    const token = await sealCheckToken(claims, secret);
    const parts = token.split('.');
    for (let i = 0; i < parts.length; i++) {
      if (!parts[i]) continue;
      const altered = [...parts];
      altered[i] = (parts[i]![0] === 'A' ? 'B' : 'A') + parts[i]!.slice(1);
      expect(await openCheckToken(altered.join('.'), secret), `part ${i}`).toBeUndefined();
    }
    expect(await openCheckToken(token, 'another-secret-0123456789abcdefghijklmn')).toBeUndefined();
    for (const junk of ['', 'abc', 'a.b.c.d.e', token + 'x']) expect(await openCheckToken(junk, secret)).toBeUndefined();
  });
});

describe('parsing and grading', () => {
  const a = identity(ALL);
  it('grades every type, blank counts as wrong', () => {
    // Position for each displayed step: its index in the correct order + 1.
    const positions = Object.fromEntries(order.steps.map((s, k) => [`q4-${k}`, String(k + 1)]));
    const answers = parseAnswers(entries({ q1: '1', q2: ['0', '2'], q3: '1', ...positions }), a);
    expect(grade(ALL, answers).map((r) => r.correct)).toEqual([true, true, true, true]);

    const blank = parseAnswers(entries({}), a);
    expect(grade(ALL, blank)).toEqual([
      { questionId: 's1', correct: false, answered: false },
      { questionId: 'm1', correct: false, answered: false },
      { questionId: 't1', correct: false, answered: false },
      { questionId: 'o1', correct: false, answered: false },
    ]);
  });

  it('counts partial multiple choice and duplicate positions as wrong, not invalid', () => {
    const ans = parseAnswers(entries({ q2: ['0'], 'q4-0': '1', 'q4-1': '1', 'q4-2': '2', 'q4-3': '3' }), a);
    expect(grade([multi, order], ans).map((r) => r.correct)).toEqual([false, false]);
  });

  it('ignores the fields of a question removed since the draw, and keeps the others in place', () => {
    const withGap = [a[0]!, null, a[2]!, a[3]!];
    const ans = parseAnswers(entries({ q1: '1', q2: '0', q3: '1' }), withGap);
    expect(ans.get('s1')).toBe('b');
    expect(ans.has('m1')).toBe(false);
    expect(ans.get('t1')).toBe(false);
  });

  it.each([
    ['an answer for a question not asked', { q5: '0' }],
    ['a field named after a question id', { 'q-s1': '0' }],
    ['two answers to a single-choice question', { q1: ['0', '1'] }],
    ['an option that does not exist', { q1: '7' }],
    ['a non-numeric option', { q1: 'b' }],
    ['a repeated option in multiple choice', { q2: ['0', '0'] }],
    ['a position out of range', { 'q4-0': '9' }],
    ['a position that is not a number', { 'q4-0': 'một' }],
    ['an ordering field on a choice question', { 'q1-0': '1' }],
    ['a plain field on an ordering question', { q4: '1' }],
    ['a malformed field name', { Q1: '0', q01: '0' }],
    ['position zero', { q0: '0' }],
  ])('refuses %s', (_, form) => {
    expect(() => parseAnswers(entries(form as Record<string, string | string[]>), a)).toThrow(TamperedSubmissionError);
  });

  it('ignores fields that are not answers', () => {
    expect(() => parseAnswers(entries({ attempt: 'x', token: 'y', q1: '0' }), identity([single]))).not.toThrow();
  });
});
