/**
 * The daily housekeeping on a real database: rows on both sides of every boundary, only the expired
 * ones deleted, live sessions and codes still working afterwards, bounded pages, a second run that
 * deletes nothing, the job run through its queue and its daily schedule in pg-boss. Time never
 * passes in these tests: rows are written with their times already in the past or the future.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
import { authenticate } from '../../src/server/auth/account.ts';
import { hashPassword } from '../../src/server/auth/password.ts';
import { createSession, validateSessionToken } from '../../src/server/auth/session.ts';
import { openPglite } from '../../src/server/db/connect.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { LONGEST_LIMIT_WINDOW_SECONDS, RECOUNT_KEEP_DAYS, RECOVERY_REQUEST_GRACE_DAYS, REMINDER_KEEP_DAYS, RETENTION, runHousekeeping, type HousekeepingCounts } from '../../src/server/housekeeping/housekeeping.ts';
import { jobQueue, JOB_SCHEMA, QUEUES, SCHEDULES } from '../../src/server/jobs/boss.ts';
import { runPendingJobs, startJobWorker } from '../../src/server/jobs/worker.ts';
import { claimGuestWork } from '../../src/server/learning/learning.ts';
import { redeemCodeLimited } from '../../src/server/recovery/recovery.ts';
import { issueCode } from '../../src/server/teams/codes.ts';
import { openActivationCodes } from '../../src/server/teams/teams.repository.ts';
import { recountStatus } from '../../src/server/teams/recount-jobs.repository.ts';
import { lastReminderOf } from '../../src/server/reminders/reminders.repository.ts';
import { createTestDb } from '../setup/db.ts';

const MIN = 60 * 1000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const PASSWORD = 'vườn nhà có ba cây bưởi';

let db: Kysely<Database>;
let url: string | undefined;
let seq = 0;
const at = (ms: number) => new Date(Date.now() + ms);
const ZERO: HousekeepingCounts = { sessions: 0, rateLimits: 0, linkCodes: 0, accessCodes: 0, recoveryRequests: 0, householdPreviews: 0, rosterPreviews: 0, guestAnswers: 0, reminders: 0, recounts: 0 };

async function person(opts: { password?: boolean } = {}): Promise<{ id: string; phone: string }> {
  const phone = `+849160${String(++seq).padStart(5, '0')}`;
  const r = await db
    .insertInto('user')
    .values({ phone, display_name: `Người Thử ${seq}`, password_hash: opts.password === false ? null : await hashPassword(PASSWORD) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: r.id, phone };
}

/** A session row with given times (the real ones are made by createSession). */
async function sessionRow(userId: string, createdAt: Date, expiresAt: Date): Promise<string> {
  const id = `hk${String(++seq).padStart(22, '0')}`;
  await db.insertInto('session').values({ id, user_id: userId, secret_hash: new Uint8Array(32), created_at: createdAt, expires_at: expiresAt, device: null }).execute();
  return id;
}

const ids = async (table: 'session' | 'access_code' | 'household_link_code' | 'recovery_request' | 'household_import' | 'roster_import') =>
  (await sql<{ id: string | number }>`select id::text as id from ${sql.table(table)}`.execute(db)).rows.map((r) => String(r.id)).sort();
const keys = async () => (await db.selectFrom('rate_limit').select('key').execute()).map((r) => r.key).sort();

let unitId: number;
let teamId: number;
let official: { id: string; phone: string };
let visitId: string;

beforeAll(async () => {
  const h = await createTestDb();
  db = h.db;
  url = h.url;
  const unit = await db.insertInto('admin_unit').values({ kind: 'commune', name: 'Xã Dọn Dẹp', path: '/990001/', depth: 1 }).returning('id').executeTakeFirstOrThrow();
  unitId = unit.id;
  const team = await db.insertInto('team').values({ unit_id: unitId, name: 'Tổ CNSCĐ Dọn Dẹp' }).returning('id').executeTakeFirstOrThrow();
  teamId = team.id;
  official = await person({ password: false });
  // An anonymous visit (no household, no person): enough for link codes to hang on.
  const v = await db
    .insertInto('help_visit')
    .values({ team_id: teamId, household_id: null, member_id: official.id, visit_date: '2026-12-01', person: null, consent: false, outcomes: JSON.stringify({}), tasks: JSON.stringify([]) })
    .returning('id')
    .executeTakeFirstOrThrow();
  visitId = v.id;
}, 120_000);

describe('housekeeping', () => {
  it('lists one rule per kind, each naming its table', () => {
    expect(RETENTION.map((r) => r.kind).sort()).toEqual(Object.keys(ZERO).sort());
    expect(new Set(RETENTION.map((r) => r.table)).size).toBe(RETENTION.length);
    expect(LONGEST_LIMIT_WINDOW_SECONDS).toBe(24 * 60 * 60);
  });

  it('README states every rule as the code has it, and the command that runs it', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    for (const r of RETENTION) expect(readme, r.kind).toContain(`| \`${r.table}\` | ${r.rule} |`);
    expect(readme).toContain('`npm run --silent db:housekeeping [-- --json]`');
    expect(readme).toContain('`15 3 * * *`, `Asia/Ho_Chi_Minh`');
  });

  it('deletes exactly the expired rows of every kind, and live sessions and codes still work', async () => {
    const learner = await person();
    const helper = await person();

    // Sessions: a real one (made first: signing in clears the person's own ended sessions), then
    // idle-expired, past the absolute end though the idle expiry is ahead, and live.
    const real = await createSession(db, learner.id, 'Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile');
    const idleExpired = await sessionRow(learner.id, at(-5 * DAY), at(-1 * MIN));
    const pastAbsoluteEnd = await sessionRow(learner.id, at(-31 * DAY), at(2 * DAY));
    const live = await sessionRow(learner.id, at(-29 * DAY), at(1 * HOUR));

    // Rate limits: a window older than the longest one (24 h) goes; a day-long window still running stays.
    await db
      .insertInto('rate_limit')
      .values([
        { key: 'hk:old', window_start: at(-25 * HOUR), hits: 3, blocked_until: null },
        { key: 'hk:old-blocked', window_start: at(-24 * HOUR - MIN), hits: 60, blocked_until: at(-23 * HOUR) },
        { key: 'hk:day-window', window_start: at(-23 * HOUR), hits: 51, blocked_until: at(1 * MIN) },
        { key: 'hk:fresh', window_start: at(-1 * MIN), hits: 1, blocked_until: null },
      ])
      .execute();

    // Household link codes: used, expired, live.
    const linkCodes = await db
      .insertInto('household_link_code')
      .values([
        { visit_id: visitId, code_hash: 'hk-used', expires_at: at(5 * MIN), used_at: at(-1 * MIN) },
        { visit_id: visitId, code_hash: 'hk-expired', expires_at: at(-1 * MIN), used_at: null },
        { visit_id: visitId, code_hash: 'hk-live', expires_at: at(9 * MIN), used_at: null },
      ])
      .returning('id')
      .execute();

    // Access codes: a used activation code, an expired unused one (its sealed text goes with it), a
    // cancelled in-person reset, an expired recovery code, an in-person reset still waiting, and a
    // real unused activation code (kept sealed for reprinting) that the owner redeems afterwards.
    const newcomer = await person({ password: false });
    const access = await db
      .insertInto('access_code')
      .values([
        { user_id: learner.id, kind: 'activation', code_hash: 'hk-a-used', expires_at: at(10 * DAY), used_at: at(-1 * DAY), issued_by: official.id, sealed_code: null },
        { user_id: learner.id, kind: 'activation', code_hash: 'hk-a-expired', expires_at: at(-1 * MIN), used_at: null, issued_by: official.id, sealed_code: 'sealed-but-expired' },
        { user_id: learner.id, kind: 'in_person', code_hash: 'hk-p-cancelled', expires_at: at(7 * DAY), not_before: at(1 * DAY), used_at: at(-1 * HOUR), cancelled_at: at(-1 * HOUR), issued_by: official.id },
        { user_id: learner.id, kind: 'recovery', code_hash: 'hk-r-expired', expires_at: at(-1 * HOUR), used_at: null, issued_by: official.id },
        { user_id: helper.id, kind: 'in_person', code_hash: 'hk-p-waiting', expires_at: at(8 * DAY), not_before: at(1 * DAY), used_at: null, issued_by: official.id },
      ])
      .returning('id')
      .execute();
    const { code: newcomerCode } = await issueCode(db, newcomer.id, 'activation', official.id);
    const [newcomerCodeRow] = await openActivationCodes(db, [newcomer.id], new Date());
    expect(newcomerCodeRow?.sealed_code).toBeTruthy();

    // Recovery requests: expired 8 days ago (answered), expired 6 days ago, pending now.
    const requests = await db
      .insertInto('recovery_request')
      .values([
        { helper_id: helper.id, user_id: learner.id, match_code: '111111', created_at: at(-8 * DAY - 15 * MIN), expires_at: at(-(RECOVERY_REQUEST_GRACE_DAYS + 1) * DAY), confirmed_at: at(-8 * DAY - 10 * MIN) },
        { helper_id: helper.id, user_id: null, match_code: '222222', created_at: at(-6 * DAY - 15 * MIN), expires_at: at(-(RECOVERY_REQUEST_GRACE_DAYS - 1) * DAY) },
        { helper_id: helper.id, user_id: learner.id, match_code: '333333', created_at: at(-1 * MIN), expires_at: at(14 * MIN) },
      ])
      .returning('id')
      .execute();

    // Import previews: household and roster, each an old preview, a fresh preview and an old committed one.
    const households = await db
      .insertInto('household_import')
      .values([
        { team_id: teamId, by_id: official.id, file_name: 'cu.csv', rows: JSON.stringify([{ label: 'Hộ bác Tư' }]), status: 'preview', created_at: at(-8 * DAY) },
        { team_id: teamId, by_id: official.id, file_name: 'moi.csv', rows: JSON.stringify([{ label: 'Hộ cô Ba' }]), status: 'preview', created_at: at(-6 * DAY) },
        { team_id: teamId, by_id: official.id, file_name: 'da-luu.csv', rows: JSON.stringify([]), status: 'committed', created_at: at(-30 * DAY), committed_at: at(-30 * DAY) },
      ])
      .returning('id')
      .execute();
    const rosters = await db
      .insertInto('roster_import')
      .values([
        { unit_id: unitId, official_id: official.id, file_name: 'cu.xlsx', rows: JSON.stringify([{ name: 'Nguyễn Văn A' }]), status: 'preview', created_at: at(-7 * DAY - MIN) },
        { unit_id: unitId, official_id: official.id, file_name: 'moi.xlsx', rows: JSON.stringify([{ name: 'Trần Thị B' }]), status: 'preview', created_at: at(-7 * DAY + HOUR) },
        { unit_id: unitId, official_id: official.id, file_name: 'da-luu.xlsx', rows: JSON.stringify([{ name: 'Lê Văn C' }]), status: 'committed', created_at: at(-60 * DAY), committed_at: at(-60 * DAY) },
      ])
      .returning('id')
      .execute();

    // Lesson answers: a guest's from 32 days ago (their 30-day cookie is gone: nobody can claim them),
    // a guest's from 29 days ago (still claimable), and an account's from 60 days ago (kept). The
    // second guest then signs in from the same browser and claims theirs.
    const answer = (who: { user_id: string | null; guest_token_hash: string | null }, createdAt: Date) => ({
      ...who, kind: 'check' as const, course_slug: 'an-toan', edition: 'citizen', lesson_id: 'bai-1',
      answers: JSON.stringify({ q1: 'a' }), results: JSON.stringify([]), passed: true, created_at: createdAt,
    });
    const submissions = await db
      .insertInto('lesson_submission')
      .values([
        answer({ user_id: null, guest_token_hash: 'hk-guest-gone' }, at(-32 * DAY)),
        answer({ user_id: null, guest_token_hash: 'hk-guest-here' }, at(-29 * DAY)),
        answer({ user_id: learner.id, guest_token_hash: null }, at(-60 * DAY)),
      ])
      .returning('id')
      .execute();

    const counts = await runHousekeeping(db);
    expect(counts).toEqual({ ...ZERO, sessions: 2, rateLimits: 2, linkCodes: 2, accessCodes: 4, recoveryRequests: 1, householdPreviews: 1, rosterPreviews: 1, guestAnswers: 1 });
    expect(await db.selectFrom('lesson_submission').select('id').where('id', 'in', submissions.map((x) => x.id)).orderBy('id').execute()).toEqual(
      [submissions[1]!, submissions[2]!].map((x) => ({ id: x.id })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    await claimGuestWork(db, 'hk-guest-here', helper.id);
    expect((await db.selectFrom('lesson_submission').select(['user_id', 'guest_token_hash']).where('id', '=', submissions[1]!.id).executeTakeFirstOrThrow())).toEqual({ user_id: helper.id, guest_token_hash: null });

    const sessions = await ids('session');
    expect(sessions).not.toContain(idleExpired);
    expect(sessions).not.toContain(pastAbsoluteEnd);
    expect(sessions).toContain(live);
    expect(await keys()).toEqual(['hk:day-window', 'hk:fresh']);
    expect(await ids('household_link_code')).toEqual([String(linkCodes[2]!.id)]);
    const accessLeft = await db.selectFrom('access_code').select(['id', 'user_id', 'kind', 'sealed_code']).orderBy('id').execute();
    expect(accessLeft).toHaveLength(2);
    expect(accessLeft[0]).toMatchObject({ id: access[4]!.id, kind: 'in_person' });
    expect(accessLeft[1]).toMatchObject({ user_id: newcomer.id, kind: 'activation', sealed_code: newcomerCodeRow!.sealed_code });
    expect(await ids('recovery_request')).toEqual([requests[1]!.id, requests[2]!.id].sort());
    expect(await ids('household_import')).toEqual([households[1]!.id, households[2]!.id].sort());
    expect(await ids('roster_import')).toEqual([rosters[1]!.id, rosters[2]!.id].sort());

    // The live ones still work: the real session validates, the owner signs in, and the newcomer
    // activates their account with the slip code kept for reprinting.
    const valid = await validateSessionToken(db, real.token);
    expect(valid?.user.id).toBe(learner.id);
    expect(await authenticate(db, { phone: learner.phone, password: PASSWORD, clientKey: 'hk-client' })).toMatchObject({ ok: true });
    expect(await redeemCodeLimited(db, { phone: newcomer.phone, code: newcomerCode, password: 'mật khẩu mới của tôi 2026', clientKey: 'hk-client' })).toMatchObject({ ok: true });

    // Idempotent: a second run finds nothing more (the redeemed slip code is now used, so it goes).
    expect(await runHousekeeping(db)).toEqual({ ...ZERO, accessCodes: 1 });
    expect(await runHousekeeping(db)).toEqual(ZERO);
  });

  it('deletes reminders after a year and finished recounts after 90 days, never what a dashboard shows', async () => {
    const member = await person({ password: false });
    const day = (ms: number) => at(ms).toISOString().slice(0, 10);
    const sent = async (scope: string, ago: number) => {
      const r = await db
        .insertInto('reminder')
        .values({ unit_id: unitId, team_id: null, sender_id: official.id, scope_key: scope, day: day(-ago), recipients: 1, created_at: at(-ago) })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.insertInto('reminder_recipient').values({ reminder_id: r.id, user_id: member.id }).execute();
      return r.id;
    };
    const keep = REMINDER_KEEP_DAYS * DAY;
    // One scope: two past the year (both go: a later one exists), one inside it, the latest.
    const oldest = await sent('hk-unit:1', keep + 40 * DAY);
    const old = await sent('hk-unit:1', keep + 1 * DAY);
    const inside = await sent('hk-unit:1', keep - 1 * DAY);
    const latest = await sent('hk-unit:1', 10 * DAY);
    // Another scope whose only reminder is past the year: it is that scope's "last sent", so it stays.
    const lonely = await sent('hk-team:2', keep + 100 * DAY);
    const lastBefore = await lastReminderOf(db, 'hk-team:2');

    // Recounts of two units (each row: state, created and finished so many days ago).
    const other = await db.insertInto('admin_unit').values({ kind: 'commune', name: 'Xã Đếm Lại', path: '/990002/', depth: 1 }).returning('id').executeTakeFirstOrThrow();
    const job = async (unit: number, state: 'done' | 'failed' | 'running', created: number, finished: number | null) =>
      (
        await db
          .insertInto('recount_job')
          .values({ unit_id: unit, reason: 'hk', state, created_at: at(-created * DAY), started_at: at(-created * DAY), finished_at: finished === null ? null : at(-finished * DAY) })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const k = RECOUNT_KEEP_DAYS;
    const a = await job(unitId, 'done', k + 110, k + 110);
    const b = await job(unitId, 'failed', k + 60, k + 60);
    const c = await job(unitId, 'done', k + 10, k + 10);
    const d = await job(unitId, 'failed', k + 5, k + 5);
    const e = await job(unitId, 'done', 10, 10);
    const running = await job(unitId, 'running', 1, null);
    // The other unit: an old failure before an old success (it goes), then a failure with no success
    // after it (the dashboard counts it: it stays), so that success is still the last one (it stays).
    const f = await job(other.id, 'failed', k + 210, k + 210);
    const g = await job(other.id, 'done', k + 30, k + 30);
    const h = await job(other.id, 'failed', k + 20, k + 20);
    const statusBefore = await Promise.all(['/990001/', '/990002/'].map((p) => recountStatus(db, p)));

    expect(await runHousekeeping(db)).toEqual({ ...ZERO, reminders: 2, recounts: 5 });
    expect((await db.selectFrom('reminder').select('id').where('scope_key', 'like', 'hk-%').execute()).map((r) => r.id).sort()).toEqual([inside, latest, lonely].sort());
    expect(await db.selectFrom('reminder_recipient').select('reminder_id').where('reminder_id', 'in', [oldest, old]).execute()).toEqual([]);
    expect(await lastReminderOf(db, 'hk-team:2')).toEqual(lastBefore);
    expect((await db.selectFrom('recount_job').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual([e, running, g, h].sort((x, y) => x - y));
    expect([a, b, c, d, f].every((id) => id > 0)).toBe(true);
    // What the dashboards say about recounts has not changed.
    expect(await Promise.all(['/990001/', '/990002/'].map((p) => recountStatus(db, p)))).toEqual(statusBefore);
    expect(await runHousekeeping(db)).toEqual(ZERO);
    // The unfinished one was only a row: no worker should pick it up in the tests after this one.
    await db.deleteFrom('recount_job').where('id', '=', running).execute();
  });

  it('deletes in bounded pages, continuing after the last key, and leaves live rows between them', async () => {
    const owner = await person({ password: false });
    const expired: string[] = [];
    const live: string[] = [];
    // Interleaved in key order: expired, live, expired, live, …
    for (let i = 0; i < 8; i++) {
      const id = `hp${String(i).padStart(22, '0')}`;
      const dead = i % 2 === 0 || i === 7;
      await db.insertInto('session').values({ id, user_id: owner.id, secret_hash: new Uint8Array(32), created_at: at(-1 * DAY), expires_at: dead ? at(-1 * MIN) : at(1 * DAY), device: null }).execute();
      (dead ? expired : live).push(id);
    }
    for (let i = 0; i < 5; i++) await db.insertInto('rate_limit').values({ key: `hk:page:${i}`, window_start: at(-2 * DAY), hits: 1, blocked_until: null }).execute();
    expect(expired).toHaveLength(5);

    let pages = 0;
    const counts = await runHousekeeping(db, { pageSize: 2, onPage: () => void pages++ });
    expect(counts).toEqual({ ...ZERO, sessions: 5, rateLimits: 5 });
    // 5 rows in pages of 2 take 3 pages in each of the two tables; every other kind one empty page.
    expect(pages).toBe(3 + 3 + (RETENTION.length - 2));
    const left = await ids('session');
    for (const id of expired) expect(left).not.toContain(id);
    for (const id of live) expect(left).toContain(id);
    expect((await keys()).filter((k) => k.startsWith('hk:page:'))).toEqual([]);

    // A table with exactly a multiple of the page size ends with one empty page.
    for (let i = 0; i < 4; i++) await db.insertInto('rate_limit').values({ key: `hk:even:${i}`, window_start: at(-2 * DAY), hits: 1, blocked_until: null }).execute();
    pages = 0;
    expect(await runHousekeeping(db, { pageSize: 2, onPage: () => void pages++ })).toEqual({ ...ZERO, rateLimits: 4 });
    expect(pages).toBe(3 + (RETENTION.length - 1));
    await expect(runHousekeeping(db, { pageSize: 0 })).rejects.toThrow(RangeError);
  });

  it('runs as the housekeeping job through its queue', async () => {
    const owner = await person({ password: false });
    const stale = await sessionRow(owner.id, at(-2 * DAY), at(-1 * HOUR));
    const boss = await jobQueue(db);
    expect(await boss.send(QUEUES.housekeeping.name, {})).toBeTruthy();
    expect(await runPendingJobs(db)).toBe(1);
    expect(await ids('session')).not.toContain(stale);
    const [job] = await boss.findJobs(QUEUES.housekeeping.name);
    expect(job?.state).toBe('completed');
  });

  it('`npm run --silent db:housekeeping -- --json` prints one JSON object of counts', async () => {
    // On Postgres this file's database; on PGlite a folder of its own (the test database is in memory).
    const dir = url ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-housekeeping-'));
    const env = { ...process.env, DATABASE_URL: url ?? '', ...(dir ? { DATA_DIR: dir } : {}) };
    const run = () => spawnSync('npm', ['run', '--silent', 'db:housekeeping', '--', '--json'], { env, encoding: 'utf8' });
    try {
      let target = db;
      let close = async () => {};
      if (dir) {
        expect(run().status).toBe(0); // migrates the new folder
        const h = await openPglite({ dataDir: path.join(dir, 'db') });
        target = h.db;
        close = () => h.close();
      }
      const u = await target.insertInto('user').values({ phone: '+84916099999', display_name: 'Người Thử CLI', password_hash: null }).returning('id').executeTakeFirstOrThrow();
      await target.insertInto('session').values({ id: 'hkcli00000000000000000000', user_id: u.id, secret_hash: new Uint8Array(32), created_at: at(-3 * DAY), expires_at: at(-1 * DAY), device: null }).execute();
      await close();
      const r = run();
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toEqual({ ...ZERO, sessions: 1 });
    } finally {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('is scheduled every day at 03:15 Vietnam time, and only a scheduling worker runs the cron', async () => {
    const boss = await jobQueue(db);
    const schedules = await boss.getSchedules(QUEUES.housekeeping.name);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ name: 'housekeeping', cron: '15 3 * * *', timezone: 'Asia/Ho_Chi_Minh' });
    expect(SCHEDULES).toContainEqual({ queue: 'housekeeping', cron: '15 3 * * *', tz: 'Asia/Ho_Chi_Minh' });
    // 03:15 in Vietnam (UTC+7, no daylight saving) is 20:15 UTC the day before.
    expect(boss.previewSchedule('15 3 * * *', { tz: 'Asia/Ho_Chi_Minh', from: new Date('2026-12-06T00:00:00Z'), count: 2 })).toEqual([
      new Date('2026-12-06T20:15:00Z'),
      new Date('2026-12-07T20:15:00Z'),
    ]);

    // This file's queue (like an app server's on Postgres) does not run the cron: pg-boss's
    // forwarding queue, made when an instance starts scheduling, does not exist, and asking the same
    // handle for a scheduling worker is refused rather than silently not scheduling.
    expect(await boss.getQueue('__pgboss__send-it')).toBeNull();
    await expect(startJobWorker(db, { schedule: true })).rejects.toThrow(/does not run schedules/);

    // A worker started with scheduling (npm run worker) on a fresh handle runs it.
    const other = await createTestDb();
    const worker = await startJobWorker(other.db, { schedule: true });
    try {
      const scheduling = await jobQueue(other.db);
      expect(await scheduling.getQueue('__pgboss__send-it')).not.toBeNull();
      expect(await scheduling.getSchedules('housekeeping')).toHaveLength(1);
    } finally {
      await worker.stop();
    }
    const inSchema = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(`${JOB_SCHEMA}.schedule`)} where name = 'housekeeping'`.execute(db);
    expect(inSchema.rows[0]!.n).toBe(1);
  });
});
