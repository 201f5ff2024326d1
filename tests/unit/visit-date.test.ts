/** A visit's date: today in Vietnam by default, never in the future, a real calendar date. */
import { describe, expect, it } from 'vitest';
import { todayVn, visitDateSchema } from '../../src/server/households/fields.ts';

const msg = (r: ReturnType<ReturnType<typeof visitDateSchema>['safeParse']>) => (r.success ? null : r.error.issues[0]!.message);

describe('visit date', () => {
  it('today is the Vietnam date (UTC+7), also just after midnight there', () => {
    expect(todayVn(new Date('2026-12-06T16:59:59Z'))).toBe('2026-12-06');
    expect(todayVn(new Date('2026-12-06T17:00:00Z'))).toBe('2026-12-07');
  });

  it('accepts today and earlier days; refuses tomorrow, impossible dates and other shapes with Vietnamese messages', () => {
    const s = visitDateSchema(new Date('2026-12-06T17:30:00Z')); // 00:30 on 7/12 in Vietnam
    expect(s.safeParse('2026-12-07').success).toBe(true);
    expect(s.safeParse('2026-11-30').success).toBe(true);
    expect(msg(s.safeParse('2026-12-08'))).toBe('Ngày hỗ trợ không thể ở tương lai.');
    expect(msg(s.safeParse('2026-02-30'))).toBe('Ngày này không có trên lịch.');
    expect(msg(s.safeParse('07/12/2026'))).toMatch(/năm-tháng-ngày/);
    expect(msg(s.safeParse('2019-12-31'))).toMatch(/quá xa/);
  });
});
