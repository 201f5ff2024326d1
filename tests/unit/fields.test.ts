import { describe, expect, it } from 'vitest';
import { DisplayNameSchema, formatPhone, NextPathSchema, normalizePhone, PhoneSchema } from '../../src/lib/fields.ts';

describe('phone numbers', () => {
  it.each([
    ['0912345678', '+84912345678'],
    ['0912 345 678', '+84912345678'],
    ['0912.345.678', '+84912345678'],
    ['+84 912 345 678', '+84912345678'],
    ['84912345678', '+84912345678'],
    ['+84-3-2345-6789', '+84323456789'],
    ['0587654321', '+84587654321'],
    ['0787654321', '+84787654321'],
    ['0887654321', '+84887654321'],
  ])('normalises %s', (input, want) => {
    expect(normalizePhone(input)).toBe(want);
  });

  it.each(['0112345678', '0212345678', '0412345678', '0612345678', '091234567', '09123456789', 'abc', '', '+1 912 345 678'])(
    'refuses %s with a Vietnamese message',
    (input) => {
      const r = PhoneSchema.safeParse(input);
      expect(r.success).toBe(false);
      if (!r.success) expect(r.error.issues[0]!.message).toMatch(/Số điện thoại/);
    },
  );

  it('formats for display', () => {
    expect(formatPhone('+84912345678')).toBe('0912 345 678');
  });
});

describe('display names', () => {
  it('keeps diacritics in NFC and collapses spaces', () => {
    const decomposed = 'Nguye\u0302\u0303n  Thi\u0323 Hu\u031bo\u031b\u0300ng';
    const r = DisplayNameSchema.parse(`  ${decomposed} `);
    expect(r).toBe('Nguyễn Thị Hường'.normalize('NFC'));
    expect(r).toBe(r.normalize('NFC'));
  });
  it('refuses markup and empty names', () => {
    expect(DisplayNameSchema.safeParse('<script>').success).toBe(false);
    expect(DisplayNameSchema.safeParse(' ').success).toBe(false);
    expect(DisplayNameSchema.safeParse('x'.repeat(81)).success).toBe(false);
  });
});

describe('return paths', () => {
  it('only allows local paths', () => {
    expect(NextPathSchema.parse('/khoa-hoc/a?b=1')).toBe('/khoa-hoc/a?b=1');
    expect(NextPathSchema.parse('//evil.example/x')).toBe('/');
    expect(NextPathSchema.parse('https://evil.example')).toBe('/');
    expect(NextPathSchema.parse('/\\evil.example')).toBe('/');
    expect(NextPathSchema.parse(undefined)).toBe('/');
  });
});
