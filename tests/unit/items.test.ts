/** Item analysis without a database: question versions, time buckets and medians, time clipping, flags, chosen options. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuestionSchema, type Question } from '../../src/lib/content/schema.ts';
import { questionVersion } from '../../src/server/content/catalog.ts';
import { flagsOf, medianLabel, type ItemFigures } from '../../src/server/items/analysis.ts';
import { chosenOptions } from '../../src/server/items/record.ts';
import { bucketOf, clientTimes, lowerBound, MAX_MS, medianFromBuckets, OVERFLOW_BUCKET, questionTimes, TIME_STEPS } from '../../src/server/items/timing.ts';

const single = QuestionSchema.parse({
  id: 'q-single',
  type: 'single',
  prompt: 'Tin nhắn này là gì?',
  options: [
    { id: 'lua', text: 'Lừa đảo' },
    { id: 'that', text: 'Tin thật' },
    { id: 'khong-biet', text: 'Không biết' },
  ],
  answer: 'lua',
  explanation: 'Vì ngân hàng không bao giờ xin mã OTP.',
}) as Question;

describe('question versions', () => {
  it('change with what a learner answers, not with the explanation or the editions list', () => {
    const v = questionVersion(single);
    expect(v).toMatch(/^[0-9a-f]{12}$/);
    expect(questionVersion({ ...single })).toBe(v); // same content, another object
    expect(questionVersion({ ...single, explanation: 'Giải thích khác.' })).toBe(v);
    expect(questionVersion({ ...single, editions: ['member'] })).toBe(v);
    expect(questionVersion({ ...single, prompt: 'Tin nhắn này là gì vậy?' })).not.toBe(v);
    expect(questionVersion({ ...single, answer: 'that' } as Question)).not.toBe(v);
    const options = single.type === 'single' ? single.options : [];
    expect(questionVersion({ ...single, options: [options[0]!, { id: 'that', text: 'Tin nhắn thật' }, options[2]!] } as Question)).not.toBe(v);
    expect(questionVersion({ ...single, message: { channel: 'sms', from: 'Ngân hàng', text: 'Mã OTP của bạn' } })).not.toBe(v);
  });
});

describe('time buckets', () => {
  it('are contiguous, ordered and log-spaced from 1 s to 10 min', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(999)).toBe(0);
    expect(bucketOf(1000)).toBe(1);
    expect(bucketOf(MAX_MS - 1)).toBe(TIME_STEPS);
    expect(bucketOf(MAX_MS)).toBe(OVERFLOW_BUCKET);
    expect(bucketOf(86_400_000)).toBe(OVERFLOW_BUCKET);
    expect(lowerBound(TIME_STEPS + 1)).toBe(MAX_MS);
    for (let b = 1; b <= TIME_STEPS; b++) {
      expect(bucketOf(lowerBound(b)), `lower bound of ${b}`).toBe(b);
      expect(lowerBound(b + 1) / lowerBound(b)).toBeCloseTo(600 ** (1 / TIME_STEPS), 9);
    }
  });

  it('put every time in the bucket whose bounds hold it', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2 * MAX_MS, noNaN: true }), (ms) => {
        const b = bucketOf(ms);
        expect(ms).toBeGreaterThanOrEqual(lowerBound(b));
        if (b < OVERFLOW_BUCKET) expect(ms).toBeLessThan(lowerBound(b + 1));
      }),
    );
  });

  it('give a median inside the bucket that holds the true median', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: MAX_MS - 1 }), { minLength: 1, maxLength: 200 }), (times) => {
        const counts = new Map<number, number>();
        for (const t of times) counts.set(bucketOf(t), (counts.get(bucketOf(t)) ?? 0) + 1);
        const sorted = [...times].sort((x, y) => x - y);
        const lo = sorted[Math.ceil(sorted.length / 2) - 1]!;
        const hi = sorted[Math.floor(sorted.length / 2)]!;
        const m = medianFromBuckets(counts)!;
        expect(m.atLeast).toBe(false);
        expect(m.ms).toBeGreaterThanOrEqual(lowerBound(bucketOf(lo)) - 1e-6);
        expect(m.ms).toBeLessThanOrEqual(lowerBound(bucketOf(hi) + 1) + 1e-6);
      }),
    );
  });

  it('say “10 minutes or more” when most answers took that long, and nothing when none was timed', () => {
    expect(medianFromBuckets(new Map([[3, 1], [OVERFLOW_BUCKET, 2]]))).toEqual({ ms: MAX_MS, atLeast: true });
    expect(medianFromBuckets(new Map())).toBeUndefined();
    expect(medianLabel(undefined)).toBe('—');
    expect(medianLabel({ ms: MAX_MS, atLeast: true })).toBe('≥ 10 phút');
    expect(medianLabel({ ms: 14_200, atLeast: false })).toBe('≈ 14 giây');
    expect(medianLabel({ ms: 80_000, atLeast: false })).toBe('≈ 1 phút 20 giây');
  });
});

describe('time per question from a submitted form', () => {
  const form = (pairs: [string, string][]) => new Map(pairs.map(([k, v]) => [k, [v]]));

  it('reads t1…tn as whole milliseconds and drops anything else', () => {
    expect(clientTimes(form([['t1', '1500'], ['t2', 'abc'], ['t3', '-5'], ['t4', '']]), 4)).toEqual([1500, undefined, undefined, undefined]);
    expect(clientTimes(form([['t9', '1']]), 2)).toEqual([undefined, undefined]);
  });

  it('clips measured times to the elapsed time and scales them down when together they exceed it', () => {
    expect(questionTimes([4000, 6000], 20_000)).toEqual([4000, 6000]);
    expect(questionTimes([10_000_000, undefined], 20_000)).toEqual([20_000, undefined]);
    // 30 s is first clipped to 20 s; 20 s + 10 s then shrink to the 20 s that passed.
    const scaled = questionTimes([30_000, 10_000], 20_000);
    expect(scaled[0]).toBeCloseTo(40_000 / 3);
    expect(scaled[1]).toBeCloseTo(20_000 / 3);
    // Whatever the browser claims, the total never exceeds what really passed.
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 1e9 }), { nil: undefined }), { maxLength: 50 }), fc.integer({ min: -1e6, max: 1e8 }), (measured, elapsed) => {
        const out = questionTimes(measured, elapsed);
        expect(out).toHaveLength(measured.length);
        expect(out.reduce<number>((s, t) => s + (t ?? 0), 0)).toBeLessThanOrEqual(Math.max(0, elapsed) + 1e-6);
      }),
    );
  });

  it('splits the elapsed time evenly without JavaScript, unless the form stayed open too long', () => {
    expect(questionTimes([undefined, undefined], 40_000)).toEqual([20_000, 20_000]);
    // 0 is the script saying it measured nothing: the script ran, so nothing is split.
    expect(questionTimes([0, 0], 40_000)).toEqual([undefined, undefined]);
    expect(clientTimes(new Map([['t1', ['0']], ['t2', ['']]]), 2)).toEqual([0, undefined]);
    expect(questionTimes([undefined, undefined], 3 * 60 * 60 * 1000)).toEqual([undefined, undefined]);
    expect(questionTimes([undefined], -5000)).toEqual([undefined]);
  });
});

describe('flags and chosen options', () => {
  const figures = (attempts: number, correct: number): ItemFigures => ({ attempts, correct, answered: attempts, correctShare: correct / attempts, blankShare: 0, timed: 0, median: undefined });
  const options = (chosen: number[]) => chosen.map((c, i) => ({ id: `o${i}`, text: `Phương án ${i}`, correct: i === 0, chosen: c, share: null }));

  it('flag only with enough attempts, at the stated thresholds', () => {
    expect(flagsOf(single, figures(29, 29), options([29, 0, 0]))).toEqual([]);
    expect(flagsOf(single, figures(100, 96), options([96, 4, 0]))).toEqual(['easy', 'unchosen']);
    expect(flagsOf(single, figures(100, 95), options([95, 3, 2]))).toEqual([]);
    expect(flagsOf(single, figures(100, 29), options([29, 40, 31]))).toEqual(['hard']);
    expect(flagsOf(single, figures(100, 30), options([30, 40, 30]))).toEqual([]);
    const tf = QuestionSchema.parse({ id: 'tf', type: 'truefalse', prompt: 'Đúng không?', answer: true, explanation: 'Vì thế.' }) as Question;
    expect(flagsOf(tf, figures(100, 100), options([100, 0]))).toEqual(['easy']);
  });

  it('count options chosen, true/false as text, and ordering steps put in their right place', () => {
    expect(chosenOptions(single, 'that')).toEqual(['that']);
    expect(chosenOptions(single, null)).toEqual([]);
    const order = QuestionSchema.parse({
      id: 'o',
      type: 'order',
      prompt: 'Sắp xếp',
      steps: [
        { id: 'a', text: 'A' },
        { id: 'b', text: 'B' },
        { id: 'c', text: 'C' },
      ],
      explanation: 'Vì thế.',
    }) as Question;
    expect(chosenOptions(order, ['a', 'c', 'b'])).toEqual(['a']);
    expect(chosenOptions(order, [])).toEqual([]);
    const tf = QuestionSchema.parse({ id: 'tf', type: 'truefalse', prompt: 'Đúng không?', answer: false, explanation: 'Vì thế.' }) as Question;
    expect(chosenOptions(tf, false)).toEqual(['false']);
  });
});
