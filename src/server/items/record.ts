/**
 * Recording a graded submission into the item-analysis counters, in the submission's own transaction:
 * one upsert per counter table, answers and options on one random shard (time buckets are not sharded).
 */
import { randomInt } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Edition, Question } from '../../lib/content/schema.ts';
import { questionVersion } from '../content/catalog.ts';
import type { Database, ItemSource } from '../db/schema.ts';
import { isCorrect, type Answer, type FormEntries } from '../learning/quiz.ts';
import * as repo from './items.repository.ts';
import { bucketOf, clientTimes, questionTimes } from './timing.ts';

/** Shards per counter row: enough that thousands answering one question at once rarely wait. */
export const SHARDS = 8;

/** The options an answer chose: option ids, 'true'/'false', or for ordering questions the steps put in their right place. */
export function chosenOptions(q: Question, a: Answer): string[] {
  if (a === null) return [];
  switch (q.type) {
    case 'single':
      return typeof a === 'string' ? [a] : [];
    case 'multiple':
      return Array.isArray(a) ? [...new Set(a)] : [];
    case 'truefalse':
      return typeof a === 'boolean' ? [String(a)] : [];
    case 'order':
      return Array.isArray(a) ? q.steps.filter((s, i) => a[i] === s.id).map((s) => s.id) : [];
  }
}

export interface ItemSubmission {
  course: string;
  edition: Edition;
  source: ItemSource;
  /** The questions by form position (field q<i+1> and t<i+1>); null where a drawn question no longer exists. */
  asked: (Question | null)[];
  /** Answers by question id, as parsed for grading. */
  answers: ReadonlyMap<string, Answer>;
  /** The whole form, for the browser-measured times t1…tn. */
  entries: FormEntries;
  /** Time since the form was issued (check token) or the attempt started, in ms. */
  elapsedMs: number;
}

/** Adds one graded submission to the counters. */
export async function recordItemAnswers(trx: Transaction<Database>, s: ItemSubmission, shard = randomInt(SHARDS)): Promise<void> {
  const times = questionTimes(clientTimes(s.entries, s.asked.length), s.elapsedMs);
  const stats = new Map<string, repo.StatRow>();
  const options = new Map<string, repo.OptionRow>();
  const buckets = new Map<string, repo.TimeRow>();
  const key = { course_slug: s.course, edition: s.edition, source: s.source };
  for (const [i, q] of s.asked.entries()) {
    if (!q || stats.has(q.id)) continue;
    const version = questionVersion(q);
    const a = s.answers.get(q.id) ?? null;
    const k = { ...key, question_id: q.id, version };
    stats.set(q.id, { ...k, shard, attempts: 1, correct: isCorrect(q, a) ? 1 : 0, answered: a === null ? 0 : 1 });
    for (const option of chosenOptions(q, a)) options.set(`${q.id}\u0000${option}`, { ...k, option_id: option, shard, chosen: 1 });
    const ms = times[i];
    if (ms !== undefined) buckets.set(q.id, { ...k, bucket: bucketOf(ms), n: 1 });
  }
  const byKey = <T extends repo.ItemKeyRow>(rows: Iterable<T>, extra: (r: T) => string = () => '') =>
    [...rows].sort((x, y) => (x.question_id + '\u0000' + extra(x) < y.question_id + '\u0000' + extra(y) ? -1 : 1));
  await repo.addCounts(
    trx,
    byKey(stats.values()),
    byKey(options.values(), (r) => r.option_id),
    byKey(buckets.values()),
  );
}
