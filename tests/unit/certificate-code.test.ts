import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, CODE_LENGTH, formatCode, generateCode, parseCode } from '../../src/server/certificates/code.ts';

describe('verification codes', () => {
  it('use 10 characters of an alphabet without I, L, O, U: 50 random bits', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(CODE_ALPHABET).not.toMatch(/[ILOU]/);
    expect(CODE_LENGTH * Math.log2(CODE_ALPHABET.length)).toBeGreaterThanOrEqual(40);
    for (let i = 0; i < 200; i++) expect(generateCode()).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
  });

  it('are spread evenly over the alphabet in every position', () => {
    const N = 16_000;
    const codes = Array.from({ length: N }, generateCode);
    expect(new Set(codes).size).toBe(N);
    for (let pos = 0; pos < CODE_LENGTH; pos++) {
      const counts = new Map<string, number>();
      for (const c of codes) counts.set(c[pos]!, (counts.get(c[pos]!) ?? 0) + 1);
      expect(counts.size).toBe(32);
      // Expected 500 per character; a biased generator (e.g. one character never drawn) fails this.
      for (const n of counts.values()) {
        expect(n).toBeGreaterThan(380);
        expect(n).toBeLessThan(620);
      }
    }
  });

  it('are read case-insensitively, with hyphens and spaces, and O/I/L read as 0/1', () => {
    expect(parseCode('HS4VN-2026D')).toBe('HS4VN2026D');
    expect(parseCode(' hs4vn 2026d ')).toBe('HS4VN2026D');
    expect(parseCode('hs4vn-2o26d')).toBe('HS4VN2026D');
    expect(parseCode('A1B1C-11111')).toBe(parseCode('aIbLc-iLlIi'));
    expect(formatCode('HS4VN2026D')).toBe('HS4VN-2026D');
  });

  it('refuses anything that cannot be a code', () => {
    for (const bad of ['', 'HS4VN', 'HS4VN-2026DD', 'HS4VN-2026U', 'HS4VN/2026D', 'x'.repeat(41), '<script>', 'HS4VN-2026Đ']) {
      expect(parseCode(bad), bad).toBeUndefined();
    }
  });
});
