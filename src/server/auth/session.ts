/**
 * Sessions after Lucia's design (lucia-auth.com/sessions): the token is "<id>.<secret>", both random;
 * only SHA-256(secret) is stored; the hash is compared in constant time. Two lifetimes: an idle expiry
 * that slides while the session is used, and an absolute end 30 days after sign-in that nothing
 * extends, so a stolen or forgotten cookie stops working within a month.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { describeDevice } from './device.ts';
import * as repo from './session.repository.ts';

/** A session ends after 14 days without use… */
export const SESSION_IDLE_DAYS = 14;
/** …and 30 days after sign-in at the latest, however much it is used. */
export const SESSION_MAX_DAYS = 30;
const DAY = 24 * 60 * 60 * 1000;
/** Last-seen times are kept to within 5 minutes, so most requests write nothing. */
const LAST_SEEN_STEP = 5 * 60 * 1000;

export type { SessionSummary } from './session.repository.ts';

export type SessionUser = repo.SessionWithUser['user'];
export interface ValidSession {
  id: string;
  expiresAt: Date;
  /** True when the expiry moved and the cookie must be re-sent. */
  refreshed: boolean;
}

/** 120 bits of randomness in 24 base32 characters. */
export function generateSecureRandomString(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  return encodeBase32LowerCaseNoPadding(bytes);
}

function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

/** Hex SHA-256 of any token (guest tokens, codes). */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** The moment a session started at `createdAt` ends, whatever its use. */
export function absoluteEnd(createdAt: Date): Date {
  return new Date(createdAt.getTime() + SESSION_MAX_DAYS * DAY);
}

/**
 * Creates a session for a user; returns the token to put in the cookie. `userAgent` is reduced to a
 * short device summary for the session list; the header itself is not kept.
 */
export async function createSession(
  db: Kysely<Database>,
  userId: string,
  userAgent?: string | null,
): Promise<{ token: string; expiresAt: Date }> {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();
  const expiresAt = new Date(Date.now() + SESSION_IDLE_DAYS * DAY);
  await repo.deleteExpiredSessions(db, userId, new Date(Date.now() - SESSION_MAX_DAYS * DAY));
  await repo.insertSession(db, { id, userId, secretHash: hashSecret(secret), expiresAt, device: describeDevice(userAgent) ?? null });
  return { token: `${id}.${secret}`, expiresAt };
}

/** Validates a cookie token; returns the session and user, or undefined. */
export async function validateSessionToken(
  db: Kysely<Database>,
  token: string,
): Promise<{ session: ValidSession; user: SessionUser; attention: boolean } | undefined> {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[a-z2-7]{24}$/.test(parts[0]!) || !/^[a-z2-7]{24}$/.test(parts[1]!)) return undefined;
  const found = await repo.findSessionWithUser(db, parts[0]!);
  if (!found) return undefined;
  if (!constantTimeEqual(hashSecret(parts[1]!), found.secretHash)) return undefined;
  const now = Date.now();
  const end = absoluteEnd(found.createdAt).getTime();
  if (found.expiresAt.getTime() <= now || end <= now) {
    await repo.deleteSession(db, found.id);
    return undefined;
  }
  let expiresAt = found.expiresAt;
  let refreshed = false;
  const change: { expiresAt?: Date; lastSeenAt?: Date } = {};
  // Sliding idle expiry: extend once less than half of it remains, never past the absolute end.
  if (expiresAt.getTime() - now < (SESSION_IDLE_DAYS / 2) * DAY) {
    const next = new Date(Math.min(now + SESSION_IDLE_DAYS * DAY, end));
    if (next.getTime() > expiresAt.getTime()) {
      expiresAt = next;
      change.expiresAt = next;
      refreshed = true;
    }
  }
  if (now - found.lastSeenAt.getTime() >= LAST_SEEN_STEP) change.lastSeenAt = new Date(now);
  if (change.expiresAt || change.lastSeenAt) await repo.touchSession(db, found.id, change);
  return { session: { id: found.id, expiresAt, refreshed }, user: found.user, attention: found.attention };
}

/**
 * Ends every session of a user except `exceptSessionId` (the device making the change, if any):
 * after a password change or recovery, nobody else stays signed in. Returns how many ended.
 */
export async function deleteUserSessions(db: Kysely<Database>, userId: string, exceptSessionId?: string): Promise<number> {
  return repo.deleteUserSessions(db, userId, exceptSessionId);
}

/** Deletes a session (sign-out). */
export async function invalidateSession(db: Kysely<Database>, sessionId: string): Promise<void> {
  await repo.deleteSession(db, sessionId);
}

/**
 * Ends one session of `userId`. Returns false when no such session belongs to them, so an id taken
 * from someone else's list (or made up) changes nothing and is answered like an unknown one.
 */
export async function endOwnSession(db: Kysely<Database>, userId: string, sessionId: string): Promise<boolean> {
  return repo.deleteOwnSession(db, userId, sessionId);
}

/** A person's live sessions for the session list, most recently used first. */
export function listUserSessions(db: Kysely<Database>, userId: string): Promise<repo.SessionSummary[]> {
  return repo.listSessions(db, userId, new Date(Date.now() - SESSION_MAX_DAYS * DAY));
}

/** The shape of a session id in forms (the first half of a token). */
export const SESSION_ID_PATTERN = /^[a-z2-7]{24}$/;
