/** Monthly topic services on a real database: questions, moderation, FAQ, calendar tokens, check-in. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
process.env.CHECKIN_SECRET = 'test-secret-for-check-in-codes-0123456789';
import ICAL from 'ical.js';
import { hashToken } from '../../src/server/auth/session.ts';
import type { Database, Role } from '../../src/server/db/schema.ts';
import { getSchedule } from '../../src/server/schedule/schedule.ts';
import { calendarTokenCreatedAt, issueCalendarToken, privateFeed, publicFeed, revokeCalendarToken } from '../../src/server/schedule/feeds.ts';
import { attendanceCount, checkIn, codeFor, CODE_STEP_SECONDS, hostCode, stepOf } from '../../src/server/topics/checkin.ts';
import { TopicError } from '../../src/server/topics/errors.ts';
import { RateLimitError } from '../../src/server/security/rate-limit.ts';
import { askQuestion, courseFaq, moderateQuestion, myQuestions, publicQuestions } from '../../src/server/topics/questions.ts';
import { createTestDb } from '../setup/db.ts';

let db: Kysely<Database>;
let n = 0;
beforeAll(async () => {
  db = (await createTestDb()).db;
});

async function newUser(role: Role = 'learner', name = 'Người học'): Promise<{ id: string; role: Role }> {
  n++;
  const row = await db
    .insertInto('user')
    .values({ phone: `+8491400${String(n).padStart(4, '0')}`, display_name: `${name} ${n}`, password_hash: null, role })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, role };
}

/** Before the fixture's November session (Vietnam: Sunday 22/11/2026 15:00). */
const BEFORE = new Date('2026-11-22T08:00:00Z');
const START = new Date('2026-11-28T12:30:00Z');
const END = new Date('2026-11-28T14:00:00Z');
const at = (base: Date, minutes: number) => new Date(base.getTime() + minutes * 60_000);

async function rejects(p: Promise<unknown>, status: number, message?: RegExp) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  // Rate limits answer with RateLimitError (429 with a wait for Retry-After), every other refusal with TopicError.
  expect(err instanceof TopicError || err instanceof RateLimitError, 'expected a TopicError or RateLimitError').toBe(true);
  expect((err as TopicError).status).toBe(status);
  if (message) expect((err as TopicError).message).toMatch(message);
}

describe('asking questions', () => {
  it('stores plain text as typed: NFC, trimmed, CRLF as LF', async () => {
    const u = await newUser();
    const decomposed = '  Làm sao nhận biết trang web gia\u0309 mạo?\r\nCảm ơn.  ';
    await askQuestion(db, { client: 'test-client', userId: u.id, month: '2026-11', text: decomposed }, BEFORE);
    const [q] = await myQuestions(db, u.id, '2026-11');
    expect(q!.text).toBe('Làm sao nhận biết trang web giả mạo?\nCảm ơn.');
    expect(q!.text.normalize('NFC')).toBe(q!.text);
    expect(q!.status).toBe('pending');
    expect(q!.course_slug).toBe('khoa-thu-nghiem');
  });

  it.each([
    ['too short', 'Tại sao?', 400, /ít nhất 10/],
    ['too long', 'a'.repeat(501), 400, /tối đa 500/],
    ['missing', undefined, 400, /ít nhất 10|Hãy nhập/],
    ['a control character', 'Câu hỏi có ký tự \u0007 chuông', 400, /điều khiển/],
    ['a bidirectional override', 'Câu hỏi có \u202Eđảo chiều chữ', 400, /điều khiển/],
    ['a bidirectional isolate', 'Câu hỏi có \u2067ký tự cô lập\u2069 ở giữa', 400, /điều khiển/],
    ['20 zero-width spaces', '\u200B'.repeat(20), 400, /ký tự ẩn/],
    ['padded with zero-width spaces', 'Sao?' + '\uFEFF\u2060'.repeat(10), 400, /ít nhất 10/],
  ])('refuses a question that is %s and saves nothing', async (_, text, status, message) => {
    const u = await newUser();
    await rejects(askQuestion(db, { client: 'test-client', userId: u.id, month: '2026-11', text }, BEFORE), status, message);
    expect(await myQuestions(db, u.id, '2026-11')).toHaveLength(0);
  });

  it('counts characters, not UTF-16 units (500 emoji fit)', async () => {
    const u = await newUser();
    await askQuestion(db, { client: 'test-client', userId: u.id, month: '2026-11', text: '📱'.repeat(500) }, BEFORE);
    expect((await myQuestions(db, u.id, '2026-11'))[0]!.text).toHaveLength(1000);
  });

  it('refuses unknown months and sessions that are over', async () => {
    const u = await newUser();
    await rejects(askQuestion(db, { client: 'test-client', userId: u.id, month: '2026-10', text: 'Một câu hỏi đủ dài.' }, BEFORE), 404);
    await rejects(askQuestion(db, { client: 'test-client', userId: u.id, month: '2026-09', text: 'Một câu hỏi đủ dài.' }, BEFORE), 409, /đã kết thúc/);
    await rejects(askQuestion(db, { client: 'test-client', userId: u.id, month: '2026-11', text: 'Một câu hỏi đủ dài.' }, END), 409);
  });

  it('limits each learner to 5 questions an hour', async () => {
    const u = await newUser();
    for (let i = 0; i < 5; i++) await askQuestion(db, { client: 'test-client', userId: u.id, month: '2026-11', text: `Câu hỏi số ${i} đủ dài` }, BEFORE);
    await rejects(askQuestion(db, { client: 'test-client', userId: u.id, month: '2026-11', text: 'Câu hỏi thứ sáu đủ dài' }, BEFORE), 429, /thử lại sau/);
    expect(await myQuestions(db, u.id, '2026-11')).toHaveLength(5);
  });
});

describe('moderation and the FAQ', () => {
  it('lets only moderators and admins moderate', async () => {
    const asker = await newUser();
    const id = await askQuestion(db, { client: 'test-client', userId: asker.id, month: '2026-11', text: 'Câu hỏi cần được duyệt.' }, BEFORE);
    for (const role of ['learner', 'member', 'leader', 'official'] as Role[]) {
      const u = await newUser(role);
      await rejects(moderateQuestion(db, u, { id, action: 'approve' }), 403);
    }
    expect((await myQuestions(db, asker.id, '2026-11'))[0]!.status).toBe('pending');
    const admin = await newUser('admin');
    expect(await moderateQuestion(db, admin, { id, action: 'approve' })).toBe('approve');
  });

  it('approves, hides and answers; answers become the course FAQ; each asker sees only their own', async () => {
    const mod = await newUser('moderator', 'Điều phối');
    const a = await newUser();
    const b = await newUser();
    const qa = await askQuestion(db, { client: 'test-client', userId: a.id, month: '2026-11', text: 'Câu hỏi của người A về bài học.' }, BEFORE);
    const qb = await askQuestion(db, { client: 'test-client', userId: b.id, month: '2026-11', text: 'Câu hỏi của người B bị ẩn đi.' }, BEFORE);
    expect((await myQuestions(db, a.id, '2026-11')).map((q) => q.id)).toEqual([qa]);
    expect((await myQuestions(db, b.id, '2026-11')).map((q) => q.id)).toEqual([qb]);

    await moderateQuestion(db, mod, { id: qa, action: 'approve' });
    await moderateQuestion(db, mod, { id: qb, action: 'hide' });
    let shown = await publicQuestions(db, '2026-11');
    expect(shown.approved.map((q) => q.id)).toContain(qa);
    expect([...shown.approved, ...shown.answered].map((q) => q.id)).not.toContain(qb);

    await moderateQuestion(db, mod, { id: qa, action: 'answer', answer: '  Trả lời: hãy xem bài 2.\r\n' });
    shown = await publicQuestions(db, '2026-11');
    expect(shown.answered.find((q) => q.id === qa)?.answer).toBe('Trả lời: hãy xem bài 2.');
    expect((await courseFaq(db, 'khoa-thu-nghiem')).map((q) => q.id)).toContain(qa);
    expect((await courseFaq(db, 'khoa-thu-nghiem')).map((q) => q.id)).not.toContain(qb);
    expect((await myQuestions(db, a.id, '2026-11'))[0]!.status).toBe('answered');
    const row = await db.selectFrom('topic_question').select(['answered_by', 'answered_at']).where('id', '=', qa).executeTakeFirstOrThrow();
    expect(row.answered_by).toBe(mod.id);
    expect(row.answered_at).not.toBeNull();
  });

  it('refuses bad moderation input with 4xx and changes nothing', async () => {
    const mod = await newUser('moderator');
    const u = await newUser();
    const id = await askQuestion(db, { client: 'test-client', userId: u.id, month: '2026-11', text: 'Câu hỏi để thử thao tác sai.' }, BEFORE);
    await rejects(moderateQuestion(db, mod, { id: 'không-phải-id', action: 'approve' }), 400);
    await rejects(moderateQuestion(db, mod, { id: '00000000-0000-4000-8000-000000000000', action: 'approve' }), 404);
    await rejects(moderateQuestion(db, mod, { id, action: 'delete' }), 400);
    await rejects(moderateQuestion(db, mod, { id, action: 'answer', answer: '  ' }), 400);
    await rejects(moderateQuestion(db, mod, { id, action: 'answer', answer: 'Có ký tự \u0000 rỗng' }), 400);
    expect((await myQuestions(db, u.id, '2026-11'))[0]!.status).toBe('pending');
  });
});

describe('private calendar tokens', () => {
  it('stores only the hash; regenerating or revoking stops the old URL', async () => {
    const u = await newUser('member', 'Nguyễn Thị Hương');
    const token = await issueCalendarToken(db, u.id);
    expect(token).toMatch(/^[a-z2-7]{48}$/);
    const row = await db.selectFrom('calendar_token').selectAll().where('user_id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);

    const feed = await privateFeed(db, token, BEFORE);
    const cal = new ICAL.Component(ICAL.parse(feed!));
    expect(cal.getFirstPropertyValue('x-wr-calname')).toMatch(/^Học Số — Lịch của Nguyễn Thị Hương \d+$/);
    expect(cal.getAllSubcomponents('vevent')).toHaveLength(getSchedule().topics.length);

    const second = await issueCalendarToken(db, u.id);
    expect(await privateFeed(db, token, BEFORE)).toBeUndefined();
    expect(await privateFeed(db, second, BEFORE)).toBeDefined();
    await revokeCalendarToken(db, u.id);
    expect(await privateFeed(db, second, BEFORE)).toBeUndefined();
    expect(await calendarTokenCreatedAt(db, u.id)).toBeUndefined();
    for (const bad of ['', 'x', second.toUpperCase(), `${second}'--`]) expect(await privateFeed(db, bad)).toBeUndefined();
  });

  it('the public feed lists every session with Vietnamese summaries', () => {
    const cal = new ICAL.Component(ICAL.parse(publicFeed(BEFORE)));
    const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.map((e) => e.summary)).toEqual([
      'Hỏi đáp chuyên đề tháng 9/2026: Khóa thử nghiệm',
      'Hỏi đáp chuyên đề tháng 11/2026: Khóa thử nghiệm',
      'Hỏi đáp chuyên đề tháng 1/2027: Khóa thử nghiệm',
    ]);
    expect(events[1]!.location).toBe('Trực tuyến — đường link gửi qua nhóm Zalo của thôn');
    expect(events[1]!.description).toContain('có dấu phẩy, chấm phẩy; và dấu \\ gạch ngược.');
    expect(events[0]!.description).toContain('Tóm tắt: Buổi hỏi đáp đã trả lời');
    expect(new Set(events.map((e) => e.uid)).size).toBe(3);
  });
});

describe('check-in', () => {
  const codeAt = (d: Date) => codeFor(process.env.CHECKIN_SECRET!, '2026-11', stepOf(d));

  it('opens 15 minutes before the start and closes 15 minutes after the end', async () => {
    const u = await newUser('member');
    const code = codeAt(at(START, -16));
    await rejects(checkIn(db, { userId: u.id, month: '2026-11', code }, at(START, -16)), 409, /Chưa đến giờ/);
    await rejects(checkIn(db, { userId: u.id, month: '2026-11', code: codeAt(at(END, 15)) }, at(END, 15)), 409, /đã kết thúc/);
    expect(hostCode('2026-11', at(START, -16))).toBeUndefined();
    expect(hostCode('2026-11', at(END, 15))).toBeUndefined();
    const shown = hostCode('2026-11', at(START, -15))!;
    expect(shown.code).toMatch(/^\d{6}$/);
    const r = await checkIn(db, { userId: u.id, month: '2026-11', code: shown.code }, at(START, -15));
    expect(r.recorded).toBe(true);
  });

  it('rotates the code every 5 minutes and accepts the current and the previous one only', async () => {
    const t = at(START, 10);
    const code = hostCode('2026-11', t)!.code;
    const later = (steps: number) => new Date(t.getTime() + steps * CODE_STEP_SECONDS * 1000);
    expect(hostCode('2026-11', later(1))!.code).not.toBe(code);
    expect(codeFor(process.env.CHECKIN_SECRET!, '2027-01', stepOf(t))).not.toBe(code);
    const a = await newUser('member');
    const b = await newUser('member');
    const c = await newUser('member');
    expect((await checkIn(db, { userId: a.id, month: '2026-11', code }, t)).recorded).toBe(true);
    expect((await checkIn(db, { userId: b.id, month: '2026-11', code }, later(1))).recorded).toBe(true);
    await rejects(checkIn(db, { userId: c.id, month: '2026-11', code }, later(2)), 400, /không đúng hoặc đã hết hạn/);
  });

  it('records each person once, even when the form is sent many times at once', async () => {
    const u = await newUser('member');
    const t = at(START, 30);
    const code = hostCode('2026-11', t)!.code;
    const before = await attendanceCount(db, '2026-11');
    const results = await Promise.all(Array.from({ length: 5 }, () => checkIn(db, { userId: u.id, month: '2026-11', code }, t)));
    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    expect(new Set(results.map((r) => r.at.getTime())).size).toBe(1);
    expect(await attendanceCount(db, '2026-11')).toBe(before + 1);
    expect(await attendanceCount(db, '2026-11', [u.id])).toBe(1);
    expect(await attendanceCount(db, '2026-11', [])).toBe(0);
  });

  it('refuses wrong and malformed codes, then rate-limits guessing', async () => {
    const u = await newUser('member');
    const t = at(START, 40);
    const right = hostCode('2026-11', t)!.code;
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    await rejects(checkIn(db, { userId: u.id, month: '2026-11', code: '12ab56' }, t), 400, /6 chữ số/);
    await rejects(checkIn(db, { userId: u.id, month: '2026-11', code: undefined }, t), 400);
    await rejects(checkIn(db, { userId: u.id, month: '2099-01', code: right }, t), 404);
    for (let i = 0; i < 10; i++) await rejects(checkIn(db, { userId: u.id, month: '2026-11', code: wrong }, t), 400);
    await rejects(checkIn(db, { userId: u.id, month: '2026-11', code: right }, t), 429);
    expect(await attendanceCount(db, '2026-11', [u.id])).toBe(0);
  });
});
