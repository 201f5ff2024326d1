/**
 * Monthly snapshots of the counters. A month closes on the first write (any household counter change,
 * in its transaction) or read (reports, scorecards) in the next month: every team's household
 * counters and every unit's member counters are copied, set-based, into the snapshot tables, so last
 * month's stock figures (households, coverage, members done) stay exact for "change from last month".
 * Visits need no snapshot: help_month_counter already keeps them per month.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { todayVn } from './fields.ts';
import * as repo from './snapshots.repository.ts';

/** The first day of the month before the current one (Vietnam time): the month to close now. */
export function monthToClose(now = new Date()): string {
  const [y, m] = todayVn(now).split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 10);
}

/** The last month this process knows is closed and committed (saves a statement per write). */
let knownClosed: string | undefined;

/** Closes last month inside a writing transaction, if nobody has yet. */
export async function closeMonthIn(trx: Transaction<Database>, now = new Date()): Promise<void> {
  const month = monthToClose(now);
  if (knownClosed === month) return;
  // Claimed by someone else (committed): remember it. Claimed here: only known once this commits.
  if (!(await repo.closeMonth(trx, month))) knownClosed = month;
}

/** Closes last month in a transaction of its own (before reads that compare with it). */
export async function ensureMonthClosed(db: Kysely<Database>, now = new Date()): Promise<void> {
  const month = monthToClose(now);
  if (knownClosed === month) return;
  await db.transaction().execute((trx) => repo.closeMonth(trx, month));
  knownClosed = month;
}
