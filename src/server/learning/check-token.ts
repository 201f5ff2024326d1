/**
 * The sealed token a lesson-check form carries: which course, edition and lesson it belongs to,
 * the check's content version, the question order and option permutation this learner was shown,
 * and when it was issued. Lesson checks keep no database row until they are submitted (they are
 * meant to be answered offline later), so the server trusts only what it sealed itself.
 *
 * Sealed, not merely signed: it is a JWE (`dir`, `A256CBC-HS512`: AES-256-CBC with an
 * HMAC-SHA-512 tag) under a key derived from FORM_SECRET. The HMAC makes any change detectable;
 * the encryption hides the permutation, which for an ordering question *is* the answer.
 */
import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { z } from 'astro/zod';
import { EDITIONS, type Edition } from '../../lib/content/schema.ts';
import { formSecret } from '../form-secret.ts';
import type { CheckLayout } from './quiz.ts';

/** What a check token says. */
export interface CheckTokenClaims extends CheckLayout {
  course: string;
  edition: Edition;
  lesson: string;
  /** The check's content version when the token was issued (see `checkVersion`). */
  version: string;
  /** Issue time, whole seconds since the epoch. */
  issuedAt: number;
}

const Index = z.number().int().min(0).max(99);
const PayloadSchema = z.object({
  c: z.string().max(80),
  e: z.enum(EDITIONS),
  l: z.string().max(80),
  v: z.string().max(40),
  o: z.array(Index).max(50),
  p: z.array(z.array(Index).max(10)).max(50),
  iat: z.number().int().nonnegative(),
});

const keys = new Map<string, Uint8Array>();

/** The 512-bit content key for this secret (HKDF, so the secret is never used raw). */
function keyFor(secret: string): Uint8Array {
  let key = keys.get(secret);
  if (!key) {
    key = new Uint8Array(hkdfSync('sha256', secret, 'hocso', 'lesson-check-token v1', 64));
    keys.set(secret, key);
  }
  return key;
}

/** Seals the claims into a compact JWE, safe to put in a form field. */
export async function sealCheckToken(claims: CheckTokenClaims, secret = formSecret()): Promise<string> {
  const payload = { c: claims.course, e: claims.edition, l: claims.lesson, v: claims.version, o: claims.order, p: claims.options, iat: claims.issuedAt };
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256CBC-HS512' })
    .encrypt(keyFor(secret));
}

/** Opens a token this server sealed; undefined when it is malformed, altered or sealed with another secret. */
export async function openCheckToken(token: string, secret = formSecret()): Promise<CheckTokenClaims | undefined> {
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(token, keyFor(secret), { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256CBC-HS512'] }));
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    return undefined;
  }
  const r = PayloadSchema.safeParse(json);
  if (!r.success) return undefined;
  const p = r.data;
  return { course: p.c, edition: p.e, lesson: p.l, version: p.v, order: p.o, options: p.p, issuedAt: p.iat };
}
