/**
 * Time per question without keeping each time: answers are counted in log-spaced buckets, and the
 * median is read back from the counts. Also how a submission's times are worked out: measured in the
 * browser (hidden fields t1…tn, milliseconds) but never trusted beyond the time that really passed
 * since the form was issued, or that time split evenly when the browser ran no script.
 */
import type { FormEntries } from '../learning/quiz.ts';

/** Buckets 1…STEPS are log-spaced between 1 s and 10 min; 0 is under 1 s, OVERFLOW 10 min or more. */
export const TIME_STEPS = 24;
export const OVERFLOW_BUCKET = TIME_STEPS + 1;
const MIN_MS = 1_000;
export const MAX_MS = 600_000;
const RATIO = (MAX_MS / MIN_MS) ** (1 / TIME_STEPS);

/** The bucket of a time in milliseconds. */
export function bucketOf(ms: number): number {
  if (!(ms >= MIN_MS)) return 0;
  if (ms >= MAX_MS) return OVERFLOW_BUCKET;
  const b = Math.floor(Math.log(ms / MIN_MS) / Math.log(RATIO)) + 1;
  // Guard the float edges: the bucket's own bounds decide.
  if (ms < lowerBound(b)) return b - 1;
  if (ms >= lowerBound(b + 1)) return Math.min(b + 1, TIME_STEPS);
  return b;
}

/** The smallest time (ms) in bucket b. */
export function lowerBound(b: number): number {
  if (b <= 0) return 0;
  if (b >= OVERFLOW_BUCKET) return MAX_MS;
  return MIN_MS * RATIO ** (b - 1);
}

/** The median time as read from bucket counts. `atLeast`: it lies in the open-ended last bucket. */
export interface Median {
  ms: number;
  atLeast: boolean;
}

/**
 * The median of the times counted in `counts` (bucket → count), interpolated inside its bucket
 * (linearly in the first one, geometrically in the log-spaced ones). Undefined when nothing was timed.
 */
export function medianFromBuckets(counts: ReadonlyMap<number, number>): Median | undefined {
  const total = [...counts.values()].reduce((s, n) => s + n, 0);
  if (total <= 0) return undefined;
  const half = total / 2;
  let below = 0;
  for (const b of [...counts.keys()].sort((x, y) => x - y)) {
    const n = counts.get(b)!;
    if (n <= 0) continue;
    if (below + n >= half) {
      if (b >= OVERFLOW_BUCKET) return { ms: MAX_MS, atLeast: true };
      const f = (half - below) / n;
      const lo = lowerBound(b);
      const hi = lowerBound(b + 1);
      return { ms: b === 0 ? hi * f : lo * (hi / lo) ** f, atLeast: false };
    }
    below += n;
  }
  return undefined;
}

/**
 * Browser-measured times of the n questions of a form (fields t1…tn, whole ms), undefined where blank
 * or malformed. The script sends 0 for a question it could not time, so all-blank means no script ran.
 */
export function clientTimes(entries: FormEntries, n: number): (number | undefined)[] {
  return Array.from({ length: n }, (_, i) => {
    const v = entries.get(`t${i + 1}`)?.[0];
    return v !== undefined && /^[0-9]{1,9}$/.test(v) ? Number(v) : undefined;
  });
}

/**
 * The time to record for each question, from what the browser measured and the time that really
 * passed since the form was issued (`elapsedMs`):
 * - with measurements, each is clipped to the elapsed time, and if together they exceed it they are
 *   scaled down to fit; questions without one stay untimed;
 * - without any (no JavaScript), the elapsed time is split evenly, unless that gives more than
 *   10 minutes a question: a form left open for hours says nothing about any one question.
 */
export function questionTimes(measured: (number | undefined)[], elapsedMs: number): (number | undefined)[] {
  const elapsed = Math.max(0, elapsedMs);
  if (elapsed === 0 || measured.length === 0) return measured.map(() => undefined);
  if (measured.every((t) => t === undefined)) {
    const each = elapsed / measured.length;
    return measured.map(() => (each > MAX_MS ? undefined : each));
  }
  // The script ran: questions it measured nothing for (0) stay untimed.
  const clipped = measured.map((t) => (t === undefined || t <= 0 ? undefined : Math.min(t, elapsed)));
  const sum = clipped.reduce<number>((s, t) => s + (t ?? 0), 0);
  const scale = sum > elapsed ? elapsed / sum : 1;
  return clipped.map((t) => (t === undefined ? undefined : t * scale));
}
