/** The iCalendar writer: folding, escaping, CRLF, time zone — checked by a standard parser (ical.js). */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { buildCalendar, escapeText, foldLine, unfold } from '../../src/server/schedule/ical.ts';

const octets = (s: string) => Buffer.byteLength(s, 'utf8');
const LONG_VI =
  'SUMMARY:Hỏi đáp chuyên đề tháng 11/2026: Sử dụng trình duyệt an toàn — nhận biết đường link giả mạo, ' +
  'không cài ứng dụng lạ, giữ bí mật mã OTP; người dân, thành viên Tổ công nghệ số cộng đồng cùng tham gia 👵🏽📱';

/** Splits the encoded bytes at CRLF and decodes each physical line strictly: any split character throws. */
function physicalLines(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      lines.push(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i)));
      start = i + 2;
    }
  }
  if (start < bytes.length) lines.push(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start)));
  return lines;
}

describe('folding', () => {
  it('keeps every physical line within 75 octets without splitting a UTF-8 character', () => {
    const folded = foldLine(LONG_VI);
    expect(octets(LONG_VI)).toBeGreaterThan(200);
    const lines = physicalLines(folded);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(octets(l)).toBeLessThanOrEqual(75);
    for (const l of lines.slice(1)) expect(l.startsWith(' ')).toBe(true);
    expect(unfold(folded)).toBe(LONG_VI);
  });

  it('round-trips many mixed strings exactly (ASCII, Vietnamese with combining marks, emoji)', () => {
    const alphabet = ['a', ' ', ';', ',', 'ư', 'ệ', 'Đ', 'ẫ', 'e\u0301', '€', '😀', '👩‍👩‍👧', '\\'];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 300; n++) {
      let s = 'DESCRIPTION:';
      const len = Math.floor(rand() * 200);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const folded = foldLine(s);
      for (const l of physicalLines(folded)) expect(octets(l)).toBeLessThanOrEqual(75);
      expect(unfold(folded)).toBe(s);
    }
  });

  it('leaves short lines alone', () => {
    expect(foldLine('VERSION:2.0')).toBe('VERSION:2.0');
    const exactly75 = 'X:' + 'a'.repeat(73);
    expect(foldLine(exactly75)).toBe(exactly75);
    expect(foldLine(exactly75 + 'b')).toBe(exactly75 + '\r\n b');
  });
});

describe('escaping', () => {
  it('escapes backslash, semicolon, comma and line breaks', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
  });
});

describe('a whole calendar', () => {
  const now = new Date('2026-11-22T08:15:00Z');
  const summary = 'Hỏi đáp chuyên đề tháng 11/2026: Sử dụng trình duyệt an toàn';
  const description = 'Dòng một; có dấu phẩy, chấm phẩy và gạch ngược \\.\nDòng hai: “ngoặc kép” — gạch dài. ' + 'Thêm chữ cho dài. '.repeat(8);
  const text = buildCalendar({
    name: 'Học Số — Lịch hỏi đáp',
    now,
    events: [
      { uid: 'chuyen-de-2026-11@hocso.test', start: new Date('2026-11-28T12:30:00Z'), end: new Date('2026-11-28T14:00:00Z'), summary, description, location: 'Nhà văn hóa thôn Đông, xã Yên Thành' },
      { uid: 'han-khoa@hocso.test', date: '2026-12-31', summary: 'Hạn hoàn thành khóa học: Thanh toán trực tuyến' },
    ],
  });

  it('ends every line with CRLF and never a bare LF', () => {
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const l of physicalLines(text)) expect(octets(l)).toBeLessThanOrEqual(75);
  });

  it('parses with ical.js: Vietnamese text, UID, DTSTAMP and the Asia/Ho_Chi_Minh zone survive', () => {
    const cal = new ICAL.Component(ICAL.parse(text));
    const tz = cal.getFirstSubcomponent('vtimezone')!;
    expect(tz.getFirstPropertyValue('tzid')).toBe('Asia/Ho_Chi_Minh');
    ICAL.TimezoneService.register(tz);
    expect(cal.getFirstPropertyValue('x-wr-calname')).toBe('Học Số — Lịch hỏi đáp');
    const [session, due] = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(session!.uid).toBe('chuyen-de-2026-11@hocso.test');
    expect(session!.summary).toBe(summary);
    expect(session!.description).toBe(description);
    expect(session!.location).toBe('Nhà văn hóa thôn Đông, xã Yên Thành');
    expect(session!.component.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Asia/Ho_Chi_Minh');
    expect(session!.startDate.zone!.tzid).toBe('Asia/Ho_Chi_Minh');
    expect(session!.startDate.toString()).toBe('2026-11-28T19:30:00');
    expect(session!.startDate.toJSDate().toISOString()).toBe('2026-11-28T12:30:00.000Z');
    expect(session!.endDate.toJSDate().toISOString()).toBe('2026-11-28T14:00:00.000Z');
    const stamp = session!.component.getFirstPropertyValue('dtstamp') as ICAL.Time;
    expect(stamp.toJSDate().toISOString()).toBe('2026-11-22T08:15:00.000Z');
    expect(due!.summary).toBe('Hạn hoàn thành khóa học: Thanh toán trực tuyến');
    expect(due!.startDate.isDate).toBe(true);
    expect(due!.startDate.toString()).toBe('2026-12-31');
  });
});
