/** The monthly topic schedule: its schema, the loader naming the file, the real file, content:check. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { scheduleSchema } from '../../src/lib/content/schedule-schema.ts';
import { ContentError, loadCatalog } from '../../src/server/content/catalog.ts';
import { loadSchedule, monthOf, nextSession, sessionPhase } from '../../src/server/schedule/schedule.ts';

const run = promisify(execFile);
const FIXTURE = path.resolve('tests/fixtures/content');
const REAL = path.resolve('content');
const slugs = new Set(['khoa-thu-nghiem']);

const entry = (over: Record<string, unknown> = {}, session: Record<string, unknown> = {}) => ({
  course: 'khoa-thu-nghiem',
  description: 'Mô tả đủ dài của chuyên đề.',
  session: { start: '2026-11-28T19:30:00+07:00', end: '2026-11-28T21:00:00+07:00', place: 'Nhà văn hóa thôn', ...session },
  ...over,
});
const parse = (data: unknown) => scheduleSchema(slugs).safeParse(data);
const messages = (data: unknown) => {
  const r = parse(data);
  return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
};

function copyFixture(schedule: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-schedule-'));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'schedule.yaml'), schedule);
  return dir;
}

describe('schedule schema', () => {
  it('accepts a well-formed month', () => {
    expect(parse({ '2026-11': entry() }).success).toBe(true);
    expect(parse({ '2026-11': entry({ recording: '/lich/2026-11', summary: 'Tóm tắt buổi hỏi đáp đã diễn ra.' }) }).success).toBe(true);
  });

  it.each([
    ['an unknown course', { '2026-11': entry({ course: 'khong-co' }) }, /khóa học "khong-co" không có/],
    ['a time without the +07:00 offset', { '2026-11': entry({}, { start: '2026-11-28T12:30:00Z' }) }, /session\.start: .*giờ Việt Nam/],
    ['a day that does not exist', { '2026-02': entry({}, { start: '2026-02-30T19:30:00+07:00', end: '2026-02-30T21:00:00+07:00' }) }, /không tồn tại/],
    ['an end before the start', { '2026-11': entry({}, { end: '2026-11-28T18:00:00+07:00' }) }, /session\.end: giờ kết thúc phải sau/],
    ['a session longer than 4 hours', { '2026-11': entry({}, { end: '2026-11-28T23:59:00+07:00' }) }, /dài quá 4 giờ/],
    ['a session outside its month', { '2026-12': entry() }, /2026-12\.session\.start: buổi hỏi đáp phải diễn ra trong tháng 2026-12/],
    ['a bad month key', { '2026-13': entry() }, /YYYY-MM/],
    ['an unknown field (typo)', { '2026-11': entry({ recordng: '/x' }) }, /recordng/],
    ['a plain-http link', { '2026-11': entry({}, { link: 'http://example.com' }) }, /https/],
    ['a missing place', { '2026-11': entry({}, { place: undefined }) }, /session\.place/],
    ['an unquoted time (parsed as a date by YAML)', { '2026-11': entry({}, { start: new Date('2026-11-28T12:30:00Z') }) }, /ngoặc kép/],
  ])('refuses %s', (_, data, message) => {
    expect(messages(data)).toMatch(message);
  });
});

describe('schedule loader', () => {
  it('loads the fixture schedule in month order, joined to the catalogue', () => {
    const s = loadSchedule(FIXTURE, loadCatalog(FIXTURE));
    expect(s.topics.map((t) => t.month)).toEqual(['2026-09', '2026-11', '2027-01']);
    const nov = s.byMonth.get('2026-11')!;
    expect(nov.course.title).toBe('Khóa thử nghiệm');
    expect(nov.session.start.toISOString()).toBe('2026-11-28T12:30:00.000Z');
  });

  it('names the file when an entry is bad', () => {
    const dir = copyFixture(YAML.stringify({ '2026-11': entry({ course: 'khong-co' }) }));
    expect(() => loadSchedule(dir, loadCatalog(dir))).toThrow(ContentError);
    try {
      loadSchedule(dir, loadCatalog(dir));
    } catch (err) {
      expect((err as ContentError).file).toBe('schedule.yaml');
      expect((err as Error).message).toMatch(/^schedule\.yaml: 2026-11\.course: khóa học "khong-co"/);
    }
  });

  it('names the file when the YAML is broken or missing', () => {
    const broken = copyFixture('"2026-11":\n  course: a: b\n');
    expect(() => loadSchedule(broken, loadCatalog(broken))).toThrow(/^schedule\.yaml: YAML không hợp lệ/);
    fs.rmSync(path.join(broken, 'schedule.yaml'));
    expect(() => loadSchedule(broken, loadCatalog(broken))).toThrow(/^schedule\.yaml: thiếu tệp/);
  });

  it('tells Vietnam months, phases and the next session by the instant', () => {
    const s = loadSchedule(FIXTURE, loadCatalog(FIXTURE));
    // 00:30 on 1 December in Vietnam is still 30 November in UTC.
    expect(monthOf(new Date('2026-11-30T17:30:00Z'))).toBe('2026-12');
    expect(monthOf(new Date('2026-11-30T16:59:00Z'))).toBe('2026-11');
    const nov = s.byMonth.get('2026-11')!;
    expect(sessionPhase(nov, new Date('2026-11-28T12:29:59Z'))).toBe('upcoming');
    expect(sessionPhase(nov, new Date('2026-11-28T12:30:00Z'))).toBe('live');
    expect(sessionPhase(nov, new Date('2026-11-28T14:00:00Z'))).toBe('past');
    expect(nextSession(s, new Date('2026-11-22T08:00:00Z'))?.month).toBe('2026-11');
    expect(nextSession(s, new Date('2026-11-28T13:00:00Z'))?.month).toBe('2026-11');
    expect(nextSession(s, new Date('2026-11-28T14:00:00Z'))?.month).toBe('2027-01');
    expect(nextSession(s, new Date('2027-02-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('the national schedule (content/schedule.yaml)', () => {
  const schedule = loadSchedule(REAL, loadCatalog(REAL));

  it('has a topic for every month from November 2026 through December 2027', () => {
    const expected: string[] = [];
    for (let y = 2026, m = 11; y < 2028; m === 12 ? ((y += 1), (m = 1)) : (m += 1)) expected.push(`${y}-${String(m).padStart(2, '0')}`);
    expect(expected).toHaveLength(14);
    for (const month of expected) expect(schedule.byMonth.has(month), month).toBe(true);
  });

  it('invents no real addresses: every link is a path on this site', () => {
    for (const t of schedule.topics) {
      for (const link of [t.session.link, t.recording].filter(Boolean)) expect(link, t.month).toMatch(/^\//);
      expect(t.session.place + t.description).not.toMatch(/https?:\/\//);
    }
  });
});

describe('content:check validates the schedule too', () => {
  const cli = (env: Record<string, string>) =>
    run('npm', ['run', '--silent', 'content:check', '--', '--json'], { env: { ...process.env, ...env } }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );

  it('summarises the real schedule', async () => {
    const { code, stdout } = await cli({});
    expect(code).toBe(0);
    expect(JSON.parse(stdout).schedule).toMatchObject({ first: '2026-11' });
    expect(JSON.parse(stdout).schedule.months).toBeGreaterThanOrEqual(14);
  });

  it('exits non-zero naming schedule.yaml for a bad entry', async () => {
    const dir = copyFixture(YAML.stringify({ '2026-11': entry({}, { end: '2026-11-28T18:00:00+07:00' }) }));
    const { code, stdout } = await cli({ CONTENT_DIR: dir });
    expect(code).not.toBe(0);
    const out = JSON.parse(stdout);
    expect(out.file).toBe('schedule.yaml');
    expect(out.error).toMatch(/giờ kết thúc phải sau giờ bắt đầu/);
  });
});
