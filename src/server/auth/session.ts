/**
 * Sessions after Lucia's design (lucia-auth.com/sessions): the token is "<id>.<secret>", both random;
 * only SHA-256(secret) is stored; the hash is compared in constant time; expiry slides while used.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import * as repo from './session.repository.ts';

/** Sessions last 30 days after the last use. */
export const SESSION_DAYS = 30;
const DAY = 24 * 60 * 60 * 1000;

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

/** Creates a session for a user; returns the token to put in the cookie. */
export async function createSession(db: Kysely<Database>, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();
  const expiresAt = new Date(Date.now() + SESSION_DAYS * DAY);
  await repo.deleteExpiredSessions(db, userId);
  await repo.insertSession(db, { id, userId, secretHash: hashSecret(secret), expiresAt });
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
  if (found.expiresAt.getTime() <= now) {
    await repo.deleteSession(db, found.id);
    return undefined;
  }
  let expiresAt = found.expiresAt;
  let refreshed = false;
  // Sliding expiry: extend once less than half the lifetime remains.
  if (expiresAt.getTime() - now < (SESSION_DAYS / 2) * DAY) {
    expiresAt = new Date(now + SESSION_DAYS * DAY);
    await repo.updateSessionExpiry(db, found.id, expiresAt);
    refreshed = true;
  }
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
