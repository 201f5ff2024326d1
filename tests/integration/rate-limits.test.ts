/**
 * Rate limits on a real database, under parallel requests: every count is exact because the limits
 * take their hit in one statement before the work they guard. No test depends on timing: where time
 * must pass, the stored window is moved into the past.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
import { authenticate } from '../../src/server/auth/account.ts';
import { hashPassword } from '../../src/server/auth/password.ts';
import { verifyCertificate } from '../../src/server/certificates/certificates.ts';
import { getCatalog } from '../../src/server/content/catalog.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { markLessonDone, openLessonCheck, startFinalQuiz, submitFinalQuiz, submitLessonCheck } from '../../src/server/learning/learning.ts';
import { issueCalendarToken, lookupPrivateFeed } from '../../src/server/schedule/feeds.ts';
import { LIMITS, RateLimitError, take } from '../../src/server/security/rate-limit.ts';
import { issueCode } from '../../src/server/teams/codes.ts';
import { redeemCodeLimited as redeemCode } from '../../src/server/recovery/recovery.ts';
import { askQuestion } from '../../src/server/topics/questions.ts';
import { checkAnswers, formOf } from '../setup/answers.ts';
import { createTestDb } from '../setup/db.ts';

let db: Kysely<Database>;
beforeAll(async () => {
  db = (await createTestDb()).db;
});

const PASSWORD = 'vườn nhà có ba cây bưởi';
const WRONG = 'không phải mật khẩu';
let n = 0;

let passwordHash: Promise<string> | undefined;

/** A learner with PASSWORD (hashed once for the file: argon2 is slow on purpose). */
async function newUser(): Promise<{ id: string; phone: string }> {
  n++;
  const phone = `+8491470${String(n).padStart(4, '0')}`;
  passwordHash ??= hashPassword(PASSWORD);
  const row = await db.insertInto('user').values({ phone, display_name: `Người thử ${n}`, password_hash: await passwordHash }).returning('id').executeTakeFirstOrThrow();
  return { id: row.id, phone };
}

/** Statuses of settled results, counted: { 401: 5, 429: 25 }. */
function tally(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

const statusOf = (r: { ok: boolean; status?: number }) => (r.ok ? 200 : r.status!);

/** Pretends `seconds` have passed for one key's window and backoff (instead of waiting). */
async function age(key: string, seconds: number): Promise<void> {
  await db
    .updateTable('rate_limit')
    .set({
      window_start: sql`window_start - make_interval(secs => ${seconds}::float8)`,
      blocked_until: sql`blocked_until - make_interval(secs => ${seconds}::float8)`,
    })
    .where('key', '=', key)
    .execute();
}

async function hitsOf(key: string): Promise<number | undefined> {
  return (await db.selectFrom('rate_limit').select('hits').where('key', '=', key).executeTakeFirst())?.hits;
}

describe('the primitive', () => {
  it('takes at most max of many parallel hits, and refused hits change nothing', async () => {
    const limit = { max: 7, windowSeconds: 60 };
    const rs = await Promise.all(Array.from({ length: 30 }, () => take(db, [{ key: 'prim:a', limit }])));
    expect(rs.filter((r) => r.allowed)).toHaveLength(7);
    expect(await hitsOf('prim:a')).toBe(7);
    for (const r of rs) if (!r.allowed) expect(r.retryAfter).toBeGreaterThan(0);
  });

  it('takes all checks or none: a refusal by a later check gives the earlier hits back', async () => {
    const a = { key: 'prim:b1', limit: { max: 10, windowSeconds: 60 } };
    const b = { key: 'prim:b2', limit: { max: 3, windowSeconds: 60 } };
    const rs = await Promise.all(Array.from({ length: 12 }, () => take(db, [a, b])));
    expect(rs.filter((r) => r.allowed)).toHaveLength(3);
    expect(await hitsOf('prim:b1')).toBe(3);
  });

  it('starts a new window once the old one has ended', async () => {
    const limit = { max: 2, windowSeconds: 60 };
    for (let i = 0; i < 2; i++) expect((await take(db, [{ key: 'prim:c', limit }])).allowed).toBe(true);
    expect((await take(db, [{ key: 'prim:c', limit }])).allowed).toBe(false);
    await age('prim:c', 61);
    expect((await take(db, [{ key: 'prim:c', limit }])).allowed).toBe(true);
    expect(await hitsOf('prim:c')).toBe(1);
  });
});

describe('sign-in', () => {
  it('lets exactly 5 of 30 parallel wrong passwords for one number from one client be checked (401), the rest 429', async () => {
    const u = await newUser();
    const rs = await Promise.all(Array.from({ length: 30 }, () => authenticate(db, { phone: u.phone, password: WRONG, clientKey: 'flood-1' })));
    expect(tally(rs.map(statusOf))).toEqual({ 401: 5, 429: 25 });
    const limited = rs.find((r) => !r.ok && r.status === 429);
    expect(limited).toMatchObject({ message: expect.stringMatching(/^Bạn đã thử đăng nhập quá nhiều lần\. Vui lòng đợi 15 phút rồi thử lại\.$/) });
    expect(limited && !limited.ok && limited.retryAfter).toBeGreaterThan(14 * 60);
  });

  it('gives the same answers for an unknown number (never reveals whether it is registered)', async () => {
    const rs = await Promise.all(Array.from({ length: 30 }, () => authenticate(db, { phone: '+84914799999', password: WRONG, clientKey: 'flood-2' })));
    expect(tally(rs.map(statusOf))).toEqual({ 401: 5, 429: 25 });
    const u = await newUser();
    const known = await Promise.all(Array.from({ length: 30 }, () => authenticate(db, { phone: u.phone, password: WRONG, clientKey: 'flood-3' })));
    expect(new Set([...rs, ...known].map((r) => JSON.stringify({ ...r, retryAfter: undefined }))).size).toBe(2);
  });

  it('lets the owner in from a fresh client after a flood from others; the flooding client stays blocked, even with the right password', async () => {
    const u = await newUser();
    await Promise.all(Array.from({ length: 30 }, () => authenticate(db, { phone: u.phone, password: WRONG, clientKey: 'flood-4' })));
    // A second flooding client too: still far below the per-number threshold.
    await Promise.all(Array.from({ length: 30 }, () => authenticate(db, { phone: u.phone, password: WRONG, clientKey: 'flood-5' })));
    expect(await authenticate(db, { phone: u.phone, password: PASSWORD, clientKey: 'owner-phone' })).toMatchObject({ ok: true });
    expect(await authenticate(db, { phone: u.phone, password: PASSWORD, clientKey: 'flood-4' })).toMatchObject({ ok: false, status: 429 });
    expect(await authenticate(db, { phone: u.phone, password: WRONG, clientKey: 'flood-5' })).toMatchObject({ ok: false, status: 429 });
    // The owner's own typos only block the owner's client for that number, and a success forgets them.
    for (let i = 0; i < 4; i++) expect(await authenticate(db, { phone: u.phone, password: WRONG, clientKey: 'owner-phone' })).toMatchObject({ status: 401 });
    expect(await authenticate(db, { phone: u.phone, password: PASSWORD, clientKey: 'owner-phone' })).toMatchObject({ ok: true });
    for (let i = 0; i < 5; i++) expect(await authenticate(db, { phone: u.phone, password: WRONG, clientKey: 'owner-phone' })).toMatchObject({ status: 401 });
    expect(await authenticate(db, { phone: u.phone, password: PASSWORD, clientKey: 'owner-phone' })).toMatchObject({ status: 429 });
    // No permanent lock-out: once the window has passed, the right password works again.
    await age(`login:pair:${u.phone}|owner-phone`, 15 * 60 + 1);
    expect(await authenticate(db, { phone: u.phone, password: PASSWORD, clientKey: 'owner-phone' })).toMatchObject({ ok: true });
  });

  it('bounds a flood spread over many clients per number: past 50 failures, one attempt at a time with a growing pause', async () => {
    const u = await newUser();
    const key = `login:phone:${u.phone}`;
    // 10 clients × 5 failures: each within its own limits, 50 for the number.
    await Promise.all(Array.from({ length: 10 }, (_, c) => Promise.all(Array.from({ length: 5 }, () => authenticate(db, { phone: u.phone, password: WRONG, clientKey: `spread-${c}` })))));
    expect(await hitsOf(key)).toBe(50);
    // Pretend the flood went on: at 58 failures the next pause is 2^8 s, capped at 5 minutes.
    await db.updateTable('rate_limit').set({ hits: 58 }).where('key', '=', key).execute();
    const rs = await Promise.all(Array.from({ length: 30 }, (_, c) => authenticate(db, { phone: u.phone, password: WRONG, clientKey: `spread-fresh-${c}` })));
    expect(tally(rs.map(statusOf))).toEqual({ 401: 1, 429: 29 });
    const wait = rs.flatMap((r) => (!r.ok && r.status === 429 ? [r.retryAfter!] : []));
    expect(Math.max(...wait)).toBeLessThanOrEqual(LIMITS.loginPerPhone.backoff.maxSeconds);
    expect(Math.min(...wait)).toBeGreaterThan(LIMITS.loginPerPhone.backoff.maxSeconds - 60);
    // The owner is delayed by the pause, not locked out for the window: once it passes, they get in.
    expect(await authenticate(db, { phone: u.phone, password: PASSWORD, clientKey: 'owner-2' })).toMatchObject({ status: 429 });
    await age(key, LIMITS.loginPerPhone.backoff.maxSeconds);
    expect(await authenticate(db, { phone: u.phone, password: PASSWORD, clientKey: 'owner-2' })).toMatchObject({ ok: true });
    // The success was given back, so the flood's count is kept (the owner does not reset it for the guesser).
    expect(await hitsOf(key)).toBe(59);
  });

  it('counts only failures per client, so one carrier address can sign many people in', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => newUser()));
    // 25 failures from the address so far (others' typos).
    await db.insertInto('rate_limit').values({ key: 'login:client:nat', window_start: new Date(), hits: 25, blocked_until: null }).execute();
    // Successes give their hit back. (An attempt holds its hit while the password is checked, so
    // at most the 5 slots left can be checked at the same moment.)
    for (let b = 0; b < 4; b++) {
      const ok = await Promise.all(users.slice(b * 5, b * 5 + 5).map((u) => authenticate(db, { phone: u.phone, password: PASSWORD, clientKey: 'nat' })));
      expect(ok.map(statusOf)).toEqual([200, 200, 200, 200, 200]);
    }
    expect(await hitsOf('login:client:nat')).toBe(25);
    const more = await Promise.all(Array.from({ length: 10 }, (_, i) => authenticate(db, { phone: `+8491481${String(i).padStart(4, '0')}`, password: WRONG, clientKey: 'nat' })));
    expect(tally(more.map(statusOf))).toEqual({ 401: 5, 429: 5 });
  });
});

describe('activation and recovery codes', () => {
  it('checks exactly 5 of 30 parallel wrong codes for one number from one client; the owner redeems from a fresh client', async () => {
    const u = await newUser();
    const { code } = await issueCode(db, u.id, 'recovery', null);
    const wrongCode = code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA';
    const rs = await Promise.all(Array.from({ length: 30 }, () => redeemCode(db, { phone: u.phone, code: wrongCode, password: 'mật khẩu mới tinh 2026', clientKey: 'code-flood' })));
    expect(tally(rs.map(statusOf))).toEqual({ 400: 5, 429: 25 });
    expect(rs.find((r) => !r.ok && r.status === 429)).toMatchObject({ message: expect.stringMatching(/Vui lòng đợi \d+ phút/) });
    expect(await redeemCode(db, { phone: u.phone, code, password: 'mật khẩu mới tinh 2026', clientKey: 'code-flood' })).toMatchObject({ status: 429 });
    expect(await redeemCode(db, { phone: u.phone, code, password: 'mật khẩu mới tinh 2026', clientKey: 'code-owner' })).toMatchObject({ ok: true });
    expect(await authenticate(db, { phone: u.phone, password: 'mật khẩu mới tinh 2026', clientKey: 'code-owner' })).toMatchObject({ ok: true });
  });
});

describe('lookups', () => {
  it('looks up exactly 20 of 30 parallel unknown certificate codes from one client (404), the rest 429', async () => {
    const rs = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        verifyCertificate(db, `ZZZZZ${String(i).padStart(5, '0')}`, 'cert-flood').then(
          () => 200,
          (e: { status: number }) => e.status,
        ),
      ),
    );
    expect(tally(rs)).toEqual({ 404: 20, 429: 10 });
    await expect(verifyCertificate(db, 'ZZZZZ-99999', 'cert-flood')).rejects.toBeInstanceOf(RateLimitError);
  });

  it('looks up exactly 20 of 30 parallel unknown calendar tokens from one client; real tokens never count', async () => {
    const u = await newUser();
    const token = await issueCalendarToken(db, u.id);
    for (let i = 0; i < 30; i++) expect(await lookupPrivateFeed(db, token, 'cal-client')).toMatch(/^BEGIN:VCALENDAR/);
    const rs = await Promise.all(
      Array.from({ length: 30 }, () =>
        lookupPrivateFeed(db, 'a'.repeat(48), 'cal-client').then(
          (body) => (body === undefined ? 404 : 200),
          (e: { status: number }) => e.status,
        ),
      ),
    );
    expect(tally(rs)).toEqual({ 404: 20, 429: 10 });
  });
});

describe('submissions', () => {
  const lesson = () => getCatalog().bySlug.get('khoa-thu-nghiem')!.editions.member!.lessons.find((l) => l.id === 'bai-thanh-vien')!;
  const ref = { course: 'khoa-thu-nghiem', edition: 'member' as const, lessonId: 'bai-thanh-vien' };
  /** A check layout sealed for this learner, and its right answers, as a browser would post them. */
  const opened = async () => {
    const { token } = await openLessonCheck(ref);
    return { token, right: await checkAnswers(lesson().check, token) };
  };
  const settle = (p: Promise<unknown>) =>
    p.then(
      () => 200,
      (e: unknown) => {
        if (!(e instanceof RateLimitError)) throw e;
        expect(e.message).toMatch(/^Bạn đã nộp bài quá nhiều lần trong thời gian ngắn\. Vui lòng đợi \d+ (giây|phút) rồi nộp lại\.$/);
        expect(e.retryAfter).toBeGreaterThan(0);
        return 429;
      },
    );
  const stored = async (where: { guest?: string; user?: string }) =>
    Number(
      (
        await db
          .selectFrom('lesson_submission')
          .select((eb) => eb.fn.countAll().as('n'))
          .$if(where.guest !== undefined, (q) => q.where('guest_token_hash', '=', where.guest!))
          .$if(where.user !== undefined, (q) => q.where('user_id', '=', where.user!))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('stores exactly the allowance of 30 parallel guest checks over the per-account limit, nothing more', async () => {
    const guest = 'guest-hash-1';
    const o = await opened();
    for (let i = 0; i < 20; i++) await submitLessonCheck(db, { guestTokenHash: guest }, ref, o.token, o.right, 'sub-client-1');
    const rs = await Promise.all(Array.from({ length: 30 }, () => settle(submitLessonCheck(db, { guestTokenHash: guest }, ref, o.token, o.right, 'sub-client-1'))));
    expect(tally(rs)).toEqual({ 200: LIMITS.submitPerAccount.max - 20, 429: 20 });
    expect(await stored({ guest })).toBe(LIMITS.submitPerAccount.max);
  });

  it('limits a script that drops its guest cookie by its client address', async () => {
    const client = 'sub-client-2';
    const o = await opened();
    // A class behind one address: 100 submissions from 100 guests so far this minute.
    await db.insertInto('rate_limit').values({ key: `submit:client:${client}`, window_start: new Date(), hits: 100, blocked_until: null }).execute();
    const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => settle(submitLessonCheck(db, { guestTokenHash: `fresh-guest-${i}` }, ref, o.token, o.right, client))));
    expect(tally(rs)).toEqual({ 200: 20, 429: 10 });
    const n = Number((await db.selectFrom('lesson_submission').select((eb) => eb.fn.countAll().as('n')).where('guest_token_hash', 'like', 'fresh-guest-%').executeTakeFirstOrThrow()).n);
    expect(n).toBe(20);
    // Guests' "done" marks are stored rows too.
    await expect(markLessonDone(db, { guestTokenHash: 'fresh-guest-x' }, ref, client)).rejects.toBeInstanceOf(RateLimitError);
    expect(await stored({ guest: 'fresh-guest-x' })).toBe(0);
  });

  it('limits signed-in learners per account across lesson checks and final quizzes', async () => {
    const u = await newUser();
    const o = await opened();
    const rs = await Promise.all(Array.from({ length: 40 }, () => settle(submitLessonCheck(db, { userId: u.id }, ref, o.token, formOf([]), 'sub-client-3'))));
    expect(tally(rs)).toEqual({ 200: 30, 429: 10 });
    expect(await stored({ user: u.id })).toBe(30);
    const quiz = await startFinalQuiz(db, u.id, 'khoa-thu-nghiem', 'member');
    expect(await settle(submitFinalQuiz(db, u.id, quiz.attemptId, formOf([]), 'sub-client-4'))).toBe(429);
    const attempt = await db.selectFrom('quiz_attempt').select('submitted_at').where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
    expect(attempt.submitted_at).toBeNull();
    // The minute passes: the learner submits again.
    await age(`submit:user:${u.id}`, 61);
    expect(await settle(submitFinalQuiz(db, u.id, quiz.attemptId, formOf([]), 'sub-client-4'))).toBe(200);
  });

  it('limits questions per learner and per client address', async () => {
    const client = 'q-client';
    await db.insertInto('rate_limit').values({ key: `question:client:${client}`, window_start: new Date(), hits: LIMITS.questionPerClient.max - 3, blocked_until: null }).execute();
    const users = await Promise.all(Array.from({ length: 10 }, () => newUser()));
    const ask = (id: string) => askQuestion(db, { userId: id, month: '2026-11', text: 'Một câu hỏi đủ dài để gửi.', client }, new Date('2026-11-01T00:00:00Z'));
    const rs = await Promise.all(users.map((u) => ask(u.id).then(() => 200, (e: { status: number }) => e.status)));
    expect(tally(rs)).toEqual({ 200: 3, 429: 7 });
  });
});
