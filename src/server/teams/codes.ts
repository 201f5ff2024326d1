/** Activation codes: random, hashed at rest, single-use, expiring. */
import type { Kysely, Transaction } from 'kysely';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { Database } from '../db/schema.ts';
import * as repo from './teams.repository.ts';
import { sealSlipCode } from './slip-seal.ts';

/** Unambiguous alphabet: no 0/O, 1/I/L. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** Activation codes last 14 days, recovery codes 3. */
export const CODE_DAYS = { activation: 14, recovery: 3 } as const;

/** A random 8-character code. */
export function generateCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  // 256 % 31 bias is ~1%; acceptable for single-use, expiring, rate-limited codes.
  return Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

export function hashCode(code: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(code.toUpperCase().replace(/[\s-]/g, ''))));
}

/**
 * Issues a code and returns it in clear. It replaces the person's earlier unused code of that kind.
 * Activation codes are also kept sealed, so their slips can be reprinted with the same code.
 */
export async function issueCode(
  trx: Kysely<Database> | Transaction<Database>,
  userId: string,
  kind: 'activation' | 'recovery',
  issuedBy: string | null,
): Promise<{ code: string; expiresAt: Date }> {
  const code = generateCode();
  const expiresAt = new Date(Date.now() + CODE_DAYS[kind] * 24 * 3600 * 1000);
  const sealed = kind === 'activation' ? await sealSlipCode(userId, code) : null;
  await repo.insertCode(trx, { userId, kind, hash: hashCode(code), expiresAt, issuedBy, sealed });
  return { code, expiresAt };
}

// Recovery codes and redeeming codes live in src/server/recovery/recovery.ts.
