/**
 * Rate limits kept in the database (so any number of stateless app servers share them).
 * Fixed windows: a blocked client waits for the window to end — never a permanent lock-out.
 *
 * Every guard takes its hit BEFORE the work it guards, in one statement that counts and checks at once
 * (`takeHit`), so N parallel requests can never all pass. Limits that should count failures only
 * (sign-in, codes, lookups) give the hit back when the attempt succeeds (`guardAttempt`).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import * as repo from './rate-limit.repository.ts';

export interface Limit {
  /** Maximum hits per window. */
  max: number;
  windowSeconds: number;
  /**
   * Past `max`, instead of refusing until the window ends, take one hit at a time with a growing
   * pause between them (baseSeconds · 2^k, at most maxSeconds). Used where a refusal would hurt an
   * innocent owner (the per-number sign-in limit): they wait seconds, not the whole window.
   */
  backoff?: { baseSeconds: number; maxSeconds: number };
}

/** Limits used across the site. */
export const LIMITS = {
  /** Failed sign-ins for one number from one client: the strict limit that stops a guesser. */
  loginPerPhoneClient: { max: 5, windowSeconds: 15 * 60 },
  /**
   * Failed sign-ins for one number from all clients together: bounds a guesser spread over many
   * addresses. Far above one person's typos; past it, a short backoff instead of a lock-out, so a
   * flood from others delays the owner by at most a few minutes and never locks them out.
   */
  loginPerPhone: { max: 50, windowSeconds: 24 * 60 * 60, backoff: { baseSeconds: 1, maxSeconds: 5 * 60 } },
  /** Failed sign-ins from one client across numbers (failures only: carrier NAT shares addresses). */
  loginPerClient: { max: 30, windowSeconds: 15 * 60 },
  registerPerClient: { max: 10, windowSeconds: 60 * 60 },
  /** Wrong activation/recovery codes for one number from one client. */
  activatePerPhoneClient: { max: 5, windowSeconds: 15 * 60 },
  /** Wrong codes for one number from all clients (8 characters of 31: guessing is hopeless anyway). */
  activatePerPhone: { max: 50, windowSeconds: 24 * 60 * 60, backoff: { baseSeconds: 1, maxSeconds: 5 * 60 } },
  /** Wrong codes from one client across numbers. */
  activatePerClient: { max: 30, windowSeconds: 15 * 60 },
  /**
   * Stored lesson checks, final-quiz answers and guest "done" marks per account (or guest cookie):
   * a person answers a check in tens of seconds, so 30 a minute never stops a human, only a script.
   */
  submitPerAccount: { max: 30, windowSeconds: 60 },
  /** The same per client address: higher, since a class behind one carrier address shares it. */
  submitPerClient: { max: 120, windowSeconds: 60 },
  /** Unknown certificate codes per client: enough for typing mistakes, far too few for guessing. */
  certificateMissPerClient: { max: 20, windowSeconds: 15 * 60 },
  /** Unknown private-calendar tokens per client (240-bit tokens: this only stops scanners). */
  calendarMissPerClient: { max: 20, windowSeconds: 15 * 60 },
  questionPerUser: { max: 5, windowSeconds: 60 * 60 },
  /** Questions from one client address across accounts (a class may ask together). */
  questionPerClient: { max: 60, windowSeconds: 60 * 60 },
  // Six-digit check-in codes: few guesses per window, so guessing one is hopeless.
  checkInPerUser: { max: 10, windowSeconds: 10 * 60 },
  /** Wrong household link codes (6 digits, live for 10 minutes) per account and per client. */
  householdLinkPerUser: { max: 10, windowSeconds: 15 * 60 },
  householdLinkPerClient: { max: 30, windowSeconds: 15 * 60 },
  /** Link codes a member shows (each replaces the last). */
  householdLinkCodesPerMember: { max: 30, windowSeconds: 60 * 60 },
  /**
   * Help visits a member records, and households a member adds one by one. A visit follows minutes of
   * help at a doorstep or a meeting, so 60 an hour is far above a real day's pace, even when a day's
   * visits queued offline are sent together; it stops a script inflating a team's figures.
   */
  visitsPerMember: { max: 60, windowSeconds: 60 * 60 },
  householdsPerMember: { max: 60, windowSeconds: 60 * 60 },
} satisfies Record<string, Limit>;

export interface LimitResult {
  allowed: boolean;
  /** Seconds until the window ends (when not allowed). */
  retryAfter: number;
}

/** A request refused by a rate limit: HTTP 429 with a Vietnamese message and the wait for Retry-After. */
export class RateLimitError extends Error {
  readonly status = 429;
  readonly retryAfter: number;
  constructor(message: string, retryAfter: number) {
    super(message);
    this.retryAfter = retryAfter;
  }
}

function maybePrune(db: Kysely<Database>): Promise<void> {
  // Old windows are harmless (they restart on the next hit); prune now and then to keep the table small.
  return Math.random() < 0.01 ? repo.pruneOld(db) : Promise.resolve();
}

/**
 * Counts a hit for `key` and says whether it is still within the limit. Atomic: one upsert counts and
 * returns the count, so parallel calls see distinct counts. Refused hits count too.
 */
export async function consume(db: Kysely<Database>, key: string, limit: Limit): Promise<LimitResult> {
  const { hits, windowStart } = await repo.hitWindow(db, key, limit.windowSeconds);
  if (hits === 1) await maybePrune(db);
  const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + limit.windowSeconds * 1000 - Date.now()) / 1000));
  return { allowed: hits <= limit.max, retryAfter };
}

/** One limit to check: the key it counts under and the limit. */
export interface LimitCheck {
  key: string;
  limit: Limit;
  /**
   * What a successful `guardAttempt` does with its hit: `keep` it (default), `refund` it (only failures
   * count), or `reset` the key (success proves the key's owner; forget their earlier failures).
   */
  onSuccess?: 'keep' | 'refund' | 'reset';
}

/** Hits taken by `take`, to give back later. */
export interface Taken {
  allowed: true;
  hits: { check: LimitCheck; windowStart: string }[];
}

/**
 * Takes one hit under every check, in order, or none: when one refuses, the hits already taken are
 * given back and the wait of the refusing check is returned. Put backoff limits last: a backoff
 * cannot be undone by a refund.
 */
export async function take(db: Kysely<Database>, checks: readonly LimitCheck[]): Promise<Taken | { allowed: false; retryAfter: number }> {
  const hits: Taken['hits'] = [];
  for (const check of checks) {
    const windowStart = await repo.takeHit(db, check.key, check.limit);
    if (windowStart === undefined) {
      await refund(db, hits);
      return { allowed: false, retryAfter: await repo.secondsUntilFree(db, check.key, check.limit) };
    }
    hits.push({ check, windowStart });
  }
  await maybePrune(db);
  return { allowed: true, hits };
}

/** Gives back hits taken by `take`. */
export async function refund(db: Kysely<Database>, hits: Taken['hits']): Promise<void> {
  for (const h of hits) await repo.refundHit(db, h.check.key, h.windowStart);
}

/**
 * Takes a hit under every check or throws RateLimitError with `message(wait)`. For work that always
 * counts (storing a submission), called before the work so a refused request stores nothing.
 */
export async function enforce(db: Kysely<Database>, checks: readonly LimitCheck[], message: (wait: string) => string): Promise<void> {
  const r = await take(db, checks);
  if (!r.allowed) throw new RateLimitError(message(waitText(r.retryAfter)), r.retryAfter);
}

/**
 * Runs an attempt that only counts when it fails (a password, a code, a lookup). The hits are taken
 * first — so of N parallel attempts at most the limit get to try — and given back or reset per
 * check's `onSuccess` when `succeeded(result)`; also given back when the attempt throws.
 */
export async function guardAttempt<T>(
  db: Kysely<Database>,
  checks: readonly LimitCheck[],
  attempt: () => Promise<T>,
  succeeded: (result: T) => boolean,
): Promise<{ limited: true; retryAfter: number } | { limited: false; result: T }> {
  const taken = await take(db, checks);
  if (!taken.allowed) return { limited: true, retryAfter: taken.retryAfter };
  let result: T;
  try {
    result = await attempt();
  } catch (err) {
    await refund(db, taken.hits);
    throw err;
  }
  if (succeeded(result)) {
    for (const h of taken.hits) {
      if (h.check.onSuccess === 'refund') await repo.refundHit(db, h.check.key, h.windowStart);
      else if (h.check.onSuccess === 'reset') await repo.clearKey(db, h.check.key);
    }
  }
  return { limited: false, result };
}

/**
 * Whether `key` is over its limit now, without counting a hit. Only for display: checking here and
 * counting later is not atomic, so never use it to guard anything (use `take`/`guardAttempt`).
 */
export async function blocked(db: Kysely<Database>, key: string, limit: Limit): Promise<LimitResult> {
  const w = await repo.readWindow(db, key);
  if (!w) return { allowed: true, retryAfter: 0 };
  const retryAfter = Math.ceil((w.windowStart.getTime() + limit.windowSeconds * 1000 - Date.now()) / 1000);
  if (retryAfter <= 0) return { allowed: true, retryAfter: 0 };
  return { allowed: w.hits <= limit.max, retryAfter };
}

/**
 * Whether `take` would still accept a hit for `key` now, without counting: one read. `take` stops
 * counting at the limit, so a key is refused once its hits reach `limit.max`.
 */
export async function takeWouldAllow(db: Kysely<Database>, key: string, limit: Limit): Promise<LimitResult> {
  const w = await repo.readWindow(db, key);
  if (!w) return { allowed: true, retryAfter: 0 };
  const retryAfter = Math.ceil((w.windowStart.getTime() + limit.windowSeconds * 1000 - Date.now()) / 1000);
  if (retryAfter <= 0) return { allowed: true, retryAfter: 0 };
  return { allowed: w.hits < limit.max, retryAfter };
}

/**
 * Failure-only variant of `blocked` (kept for callers written before `guardAttempt`). Not atomic
 * with the later count either: guard attempts with `guardAttempt` instead.
 * @deprecated use `guardAttempt`
 */
export async function failuresAllowed(db: Kysely<Database>, key: string, limit: Limit): Promise<LimitResult> {
  const w = await blocked(db, key, limit);
  const r = await repo.readWindow(db, key);
  if (!r || w.retryAfter <= 0) return { allowed: true, retryAfter: 0 };
  return { allowed: r.hits < limit.max, retryAfter: w.retryAfter };
}

/** Resets a key. */
export function reset(db: Kysely<Database>, key: string): Promise<void> {
  return repo.clearKey(db, key);
}

/** "15 phút" style wording of a wait. */
export function waitText(seconds: number): string {
  return seconds >= 60 ? `${Math.ceil(seconds / 60)} phút` : `${seconds} giây`;
}
