/**
 * Verification codes: 10 characters of Crockford's base32 (0-9 and A-Z without I, L, O, U), i.e.
 * 50 random bits, shown as XXXXX-XXXXX. Input is case-insensitive and tolerates hyphens and spaces,
 * and reads O as 0 and I/L as 1, as Crockford's decoding does, so a code read aloud or retyped from
 * paper still works.
 */
import { randomBytes } from 'node:crypto';

/** Crockford's base32 alphabet (no I, L, O, U). */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Characters in a code: 10 × 5 bits = 50 bits of randomness. */
export const CODE_LENGTH = 10;
const CODE = /^[0-9A-HJKMNP-TV-Z]{10}$/;

/** A new random code in stored form (upper-case, no hyphen). */
export function generateCode(): string {
  // 32 divides 256, so taking each byte modulo 32 keeps every character equally likely.
  const bytes = randomBytes(CODE_LENGTH);
  let out = '';
  for (const b of bytes) out += CODE_ALPHABET[b % 32];
  return out;
}

/** The stored form of a typed code, or undefined when it cannot be one. */
export function parseCode(input: string): string | undefined {
  if (input.length > 40) return undefined;
  const s = input
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return CODE.test(s) ? s : undefined;
}

/** XXXXX-XXXXX, for people. */
export function formatCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}
