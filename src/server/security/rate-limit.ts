/**
 * Rate limits kept in the database (so any number of stateless app servers share them).
 * Fixed windows: a blocked client waits for the window to end — never a permanent lock-out.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import * as repo from './rate-limit.repository.ts';

export interface Limit {
  /** Maximum hits per window. */
  max: number;
  windowSeconds: number;
}

/** Limits used across the site. */
export const LIMITS = {
  loginPerPhone: { max: 5, windowSeconds: 15 * 60 },
  loginPerClient: { max: 30, windowSeconds: 15 * 60 },
  registerPerClient: { max: 10, windowSeconds: 60 * 60 },
  submitPerClient: { max: 120, windowSeconds: 10 * 60 },
  /** Unknown certificate codes per client: enough for typing mistakes, far too few for guessing. */
  certificateMissPerClient: { max: 20, windowSeconds: 15 * 60 },
  questionPerUser: { max: 5, windowSeconds: 60 * 60 },
  // Six-digit check-in codes: few guesses per window, so guessing one is hopeless.
  checkInPerUser: { max: 10, windowSeconds: 10 * 60 },
} satisfies Record<string, Limit>;

export interface LimitResult {
  allowed: boolean;
  /** Seconds until the window ends (when not allowed). */
  retryAfter: number;
}

/** Counts a hit for `key` and says whether it is still within the limit. */
export async function consume(db: Kysely<Database>, key: string, limit: Limit): Promise<LimitResult> {
  const { hits, windowStart } = await repo.hitWindow(db, key, limit.windowSeconds);
  if (hits === 1 && Math.random() < 0.01) await repo.pruneOld(db);
  const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + limit.windowSeconds * 1000 - Date.now()) / 1000));
  return { allowed: hits <= limit.max, retryAfter };
}

/** Whether `key` is over its limit now, without counting a hit. */
export async function blocked(db: Kysely<Database>, key: string, limit: Limit): Promise<LimitResult> {
  const w = await repo.readWindow(db, key);
  if (!w) return { allowed: true, retryAfter: 0 };
  const retryAfter = Math.ceil((w.windowStart.getTime() + limit.windowSeconds * 1000 - Date.now()) / 1000);
  if (retryAfter <= 0) return { allowed: true, retryAfter: 0 };
  return { allowed: w.hits <= limit.max, retryAfter };
}

/**
 * Whether another attempt may be made when only failures are counted (`consume` after each failure):
 * refused once `limit.max` failures fall in the current window.
 */
export async function failuresAllowed(db: Kysely<Database>, key: string, limit: Limit): Promise<LimitResult> {
  const w = await repo.readWindow(db, key);
  if (!w) return { allowed: true, retryAfter: 0 };
  const retryAfter = Math.ceil((w.windowStart.getTime() + limit.windowSeconds * 1000 - Date.now()) / 1000);
  if (retryAfter <= 0) return { allowed: true, retryAfter: 0 };
  return { allowed: w.hits < limit.max, retryAfter };
}

/** Resets a key. */
export function reset(db: Kysely<Database>, key: string): Promise<void> {
  return repo.clearKey(db, key);
}

/** "15 phút" style wording of a wait. */
export function waitText(seconds: number): string {
  return seconds >= 60 ? `${Math.ceil(seconds / 60)} phút` : `${seconds} giây`;
}
