import { describe, expect, it } from 'vitest';
import { hashPassword, isCommonPassword, verifyPassword } from '../../src/server/auth/password.ts';

describe('passwords', () => {
  it.each(['123456789', 'password1', 'qwertyuiop', 'matkhau123', 'MatKhau123', 'anhyeuem123', 'iloveyou'])('refuses the common password %s', async (p) => {
    expect(await isCommonPassword(p)).toBe(true);
  });

  it('accepts an uncommon passphrase', async () => {
    expect(await isCommonPassword('vườn nhà có ba cây bưởi')).toBe(false);
  });

  it('hashes with argon2id at OWASP parameters and verifies', async () => {
    const h = await hashPassword('vườn nhà có ba cây bưởi');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(h, 'vườn nhà có ba cây bưởi')).toBe(true);
    // NFD input verifies too: diacritics are normalised before hashing.
    expect(await verifyPassword(h, 'vườn nhà có ba cây bưởi'.normalize('NFD'))).toBe(true);
    expect(await verifyPassword(h, 'vuon nha co ba cay buoi')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('allows long passwords', async () => {
    const long = 'một câu rất dài '.repeat(8);
    expect(long.length).toBeGreaterThan(64);
    expect(await verifyPassword(await hashPassword(long), long)).toBe(true);
  });
});
