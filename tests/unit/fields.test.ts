import { describe, expect, it } from 'vitest';
import { DisplayNameSchema, formatPhone, NextPathSchema, normalizePhone, PhoneSchema, visibleLength } from '../../src/lib/fields.ts';
import { QuestionTextSchema } from '../../src/lib/questions.ts';
import { TeamNameSchema } from '../../src/server/teams/team-changes.ts';
import { readRosterFile } from '../../src/server/teams/roster-file.ts';
import { HouseholdLabelSchema, HouseholdNoteSchema, PersonSchema } from '../../src/server/households/fields.ts';

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

describe('visible text: bidi controls and invisible characters', () => {
  const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'];
  const ZERO_WIDTH = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u2061', '\u2062', '\u2063', '\u2064', '\u00AD', '\u3164', '\u115F', '\u2800', '\u034F'];

  it.each(BIDI.map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, c]))('refuses %s in a name, a question and a team name', (_, c) => {
    for (const schema of [DisplayNameSchema, QuestionTextSchema, TeamNameSchema]) {
      const r = schema.safeParse(`Nguyễn ${c}Văn An hỏi về mật khẩu`.slice(0, 40));
      expect(r.success).toBe(false);
      if (!r.success) expect(r.error.issues[0]!.message).toMatch(/ký tự điều khiển/);
    }
  });

  it.each(BIDI.map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, c]))('refuses %s in the household texts: label, note, person helped', (_, c) => {
    for (const schema of [HouseholdLabelSchema, HouseholdNoteSchema, PersonSchema]) expect(schema.safeParse(`Hộ bác ${c}Tư xóm 3`).success).toBe(false);
  });

  it('refuses household labels and people helped made only of zero-width characters, or hiding one', () => {
    for (const c of ZERO_WIDTH) {
      for (const schema of [HouseholdLabelSchema, PersonSchema]) expect(schema.safeParse(c.repeat(20)).success, `U+${c.codePointAt(0)!.toString(16)}`).toBe(false);
      // An optional note is refused, or trimmed to nothing (U+FEFF is white space to trim): never stored invisible.
      const note = HouseholdNoteSchema.safeParse(c.repeat(20));
      if (note.success) expect(note.data, `U+${c.codePointAt(0)!.toString(16)}`).toBeNull();
    }
    expect(HouseholdLabelSchema.safeParse('Hộ bác​ Tư').success).toBe(false);
    expect(PersonSchema.safeParse('bà⁠Tư').success).toBe(false);
    expect(HouseholdLabelSchema.parse('Hộ bác Tư, xóm 3')).toBe('Hộ bác Tư, xóm 3');
  });

  it('refuses the right-to-left override that would print a reversed name on a certificate', () => {
    const r = DisplayNameSchema.safeParse('Nguyễn \u202Egnuh\u202C Thị');
    expect(r.success).toBe(false);
  });

  it.each(ZERO_WIDTH.map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, c]))('refuses input made only of %s', (_, c) => {
    for (const schema of [DisplayNameSchema, QuestionTextSchema, TeamNameSchema]) {
      const r = schema.safeParse(c.repeat(20));
      expect(r.success, `${schema === DisplayNameSchema ? 'name' : 'other'}`).toBe(false);
    }
  });

  it('refuses a question of 20 zero-width spaces, and zero-width padding to reach the minimum', () => {
    const only = QuestionTextSchema.safeParse('\u200B'.repeat(20));
    expect(only.success).toBe(false);
    if (!only.success) expect(only.error.issues[0]!.message).toMatch(/ký tự ẩn/);
    const padded = QuestionTextSchema.safeParse('Sao?' + '\u200B'.repeat(20));
    expect(padded.success).toBe(false);
    if (!padded.success) expect(padded.error.issues[0]!.message).toMatch(/ít nhất 10/);
  });

  it('refuses a zero-width character hidden inside a name or team name', () => {
    expect(DisplayNameSchema.safeParse('Nguyễn\u200B Văn An').success).toBe(false);
    expect(DisplayNameSchema.safeParse('Nguyễn Văn\u2060An').success).toBe(false);
    expect(TeamNameSchema.safeParse('Tổ\u200D số 1').success).toBe(false);
  });

  it('keeps ordinary Vietnamese text, line breaks in questions and emoji joiners in free text', () => {
    expect(DisplayNameSchema.parse('  Đặng Thị Ưu  ')).toBe('Đặng Thị Ưu');
    expect(TeamNameSchema.parse('Tổ CNSCĐ số 5')).toBe('Tổ CNSCĐ số 5');
    expect(QuestionTextSchema.parse('Làm sao nhận biết\r\ntrang giả mạo?')).toBe('Làm sao nhận biết\ntrang giả mạo?');
    // A family emoji is joined with U+200D: fine inside a question that has visible text.
    expect(QuestionTextSchema.safeParse('Cả nhà 👨\u200D👩\u200D👧 dùng chung một điện thoại được không?').success).toBe(true);
  });

  it('counts what a reader sees', () => {
    expect(visibleLength('\u200B\u200B a \uFEFF')).toBe(1);
    expect(visibleLength('Hoa')).toBe(3);
  });

  it('flags bad names in roster import rows', async () => {
    const csv = [
      'Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò',
      'Ngô \u202EmâT,0919000001,Thôn 1,Tổ 1,Thành viên',
      '\u200B\u200B\u200B,0919000002,Thôn 1,Tổ 1,Thành viên',
      'Mai Thị Hạnh,0919000003,Thôn\u202E 1,Tổ 1,Thành viên',
      'Lê Văn Tư,0919000004,Thôn 1,Tổ 1,Thành viên',
    ].join('\r\n');
    const rows = await readRosterFile(new TextEncoder().encode(csv), 'ds.csv');
    expect(rows.map((r) => r.errors.length > 0)).toEqual([true, true, true, false]);
    expect(rows[0]!.errors.join(' ')).toMatch(/ký tự điều khiển/);
    expect(rows[1]!.errors.join(' ')).toMatch(/ký tự ẩn|Thiếu họ và tên/);
  });
});

describe('household labels that a spreadsheet would run', () => {
  it('refuses =, @, +x and -x at the start, as the import does, with one Vietnamese message', () => {
    for (const bad of ['=HYPERLINK("http://x","Hộ bác Tư")', '@SUM(A1)', '+cmd|calc', '-Hộ Tư', '  =1+1']) {
      const r = HouseholdLabelSchema.safeParse(bad);
      expect(r.success, bad).toBe(false);
      expect(r.error!.issues.map((i) => i.message), bad).toEqual([expect.stringContaining('bảng tính sẽ hiểu là công thức')]);
    }
    for (const ok of ['Hộ bác Tư, xóm 3', 'Hộ 5 - xóm Đông', 'Nhà số 12 = nhà bác Ba']) expect(HouseholdLabelSchema.parse(ok)).toBe(ok);
  });
});
