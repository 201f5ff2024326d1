/**
 * Activation codes are checked by their SHA-256 hash, but a commune official reprints slips (a slip
 * lost, a printer jam, the list handed out over several days), and a reprint must show the same code.
 * So the clear code of an activation code is also kept sealed: a compact JWE (`dir`, `A256GCM`) under
 * a key derived with HKDF from FORM_SECRET, separate from the lesson-check key. The plaintext names
 * the person, so a sealed value copied onto another person's row does not open. It is cleared when
 * the code is used or replaced. Recovery and in-person codes are never sealed: they are shown once.
 */
import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { formSecret } from '../form-secret.ts';

const keys = new Map<string, Uint8Array>();

function keyFor(secret: string): Uint8Array {
  let key = keys.get(secret);
  if (!key) {
    key = new Uint8Array(hkdfSync('sha256', secret, 'hocso', 'activation-slip-code v1', 32));
    keys.set(secret, key);
  }
  return key;
}

/** Seals a clear code for one person. */
export async function sealSlipCode(userId: string, code: string, secret = formSecret()): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify({ u: userId, c: code })))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .encrypt(keyFor(secret));
}

/** The clear code, or undefined when the value is altered, sealed under another secret or for someone else. */
export async function openSlipCode(userId: string, sealed: string, secret = formSecret()): Promise<string | undefined> {
  try {
    const { plaintext } = await compactDecrypt(sealed, keyFor(secret), { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
    const p = JSON.parse(new TextDecoder().decode(plaintext)) as { u?: unknown; c?: unknown };
    return p.u === userId && typeof p.c === 'string' && /^[A-Z0-9]{8}$/.test(p.c) ? p.c : undefined;
  } catch {
    return undefined;
  }
}
