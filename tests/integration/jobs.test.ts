/**
 * Recounts as background jobs (pg-boss): set-wide changes only enqueue; dashboards say "đang cập
 * nhật" until the job is done; duplicate requests join a waiting job, never a running one; completions
 * during a recount keep counters exact; and (Postgres) a worker killed mid-job is replaced and the job
 * completes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
import { getCatalog } from '../../src/server/content/catalog.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { runPendingJobs } from '../../src/server/jobs/worker.ts';
import { markLessonDone, startFinalQuiz, submitFinalQuiz } from '../../src/server/learning/learning.ts';
import type { FormEntries } from '../../src/server/learning/quiz.ts';
import type { Viewer } from '../../src/server/teams/access.ts';
import { assignCourse } from '../../src/server/teams/assignments.ts';
import { recountAll } from '../../src/server/teams/counters.ts';
import { unitDashboard } from '../../src/server/teams/dashboard.ts';
import { runRecountJob } from '../../src/server/teams/recount-jobs.ts';
import { commitRoster, uploadRoster } from '../../src/server/teams/roster.ts';
import { seedAdministrativeUnits } from '../../src/server/teams/seed.ts';
import * as repo from '../../src/server/teams/teams.repository.ts';
import { correctFields } from '../setup/answers.ts';
import { createTestDb } from '../setup/db.ts';
import { recordChild } from '../setup/pg-admin.ts';

let db: Kysely<Database>;
let url: string | undefined;
let admin: Viewer;
let official: Viewer;
let communeA: repo.UnitRow;
let communeB: repo.UnitRow;
let province: repo.UnitRow;
const children: ChildProcess[] = [];

async function person(phone: string, role: 'official' | 'admin'): Promise<string> {
  const r = await db.insertInto('user').values({ phone, display_name: 'Cán bộ thử', role, password_hash: null }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

function csv(lines: string[]): { bytes: Uint8Array; name: string } {
  return { bytes: new TextEncoder().encode(['Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò', ...lines].join('\r\n')), name: 'danh-sach.csv' };
}

/** Completes a course edition the real way: every lesson, then a passed final quiz. */
async function complete(userId: string, edition: 'citizen' | 'member') {
  const course = getCatalog().bySlug.get('khoa-thu-nghiem')!;
  for (const l of course.editions[edition]!.lessons) await markLessonDone(db, { userId }, { course: course.slug, edition, lessonId: l.id }, 'test-client');
  const quiz = await startFinalQuiz(db, userId, course.slug, edition);
  const attempt = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
  const entries: FormEntries = new Map();
  for (const [k, v] of attempt.questions.flatMap((d, i) => correctFields(course.questions.get(d.id)!, d.order, i))) entries.set(k, [...(entries.get(k) ?? []), v]);
  await submitFinalQuiz(db, userId, quiz.attemptId, entries, 'test-client');
}

const jobs = () => db.selectFrom('recount_job').selectAll().orderBy('id').execute();
const assignedAt = async (unitId: number, edition: string) =>
  (await db.selectFrom('unit_course_counter').select((eb) => eb.fn.sum<number>('assigned').as('n')).where('unit_id', '=', unitId).where('edition', '=', edition).executeTakeFirst())?.n ?? 0;

beforeAll(async () => {
  const h = await createTestDb();
  db = h.db;
  url = h.url;
  await seedAdministrativeUnits(db);
  communeA = (await repo.findUnitByStatCode(db, '00004'))!;
  communeB = (await repo.findUnitByStatCode(db, '00008'))!;
  province = (await repo.unitsOnPath(db, communeA.path))[1]!;
  admin = { id: await person('+84915100001', 'admin'), role: 'admin' };
  const o = await person('+84915100002', 'official');
  await repo.insertScope(db, o, province.id, null);
  official = { id: o, role: 'official' };
  for (const [unit, prefix] of [[communeA, '09181000'], [communeB, '09182000']] as const) {
    const id = await uploadRoster(db, official, String(unit.id), csv([1, 2, 3, 4].map((i) => `Người Thử ${prefix}${i},${prefix}0${i},Thôn Một,Tổ CNSCĐ thôn Một,${i === 1 ? 'Tổ trưởng' : 'Thành viên'}`)));
    await commitRoster(db, official, id, []);
  }
  await runPendingJobs(db);
}, 180_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('recount jobs', () => {
  it('an assignment only enqueues; the dashboard shows “đang cập nhật” until the job has run', async () => {
    const before = (await jobs()).length;
    await assignCourse(db, official, String(province.id), { course: 'khoa-thu-nghiem', edition: 'member', due: '2099-06-30' });
    // A second request for the same unit before the job started joins it.
    await assignCourse(db, official, String(province.id), { course: 'khoa-thu-nghiem', edition: 'citizen', due: '2099-06-30' });
    const queued = (await jobs()).slice(before);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ unit_id: province.id, state: 'queued', reason: 'assign' });
    // Nothing recounted yet: the commune's counters do not know the assignment.
    expect(Number(await assignedAt(communeA.id, 'member'))).toBe(0);
    const waiting = await unitDashboard(db, official, String(communeA.id), undefined);
    expect(waiting.freshness).toMatchObject({ updating: true });
    expect(waiting.freshness!.text).toContain('Đang cập nhật số liệu');

    expect(await runPendingJobs(db)).toBe(1);
    const [job] = (await jobs()).slice(before);
    expect(job).toMatchObject({ state: 'done', attempts: 1 });
    expect(job!.total).toBeGreaterThan(1);
    expect(job!.done).toBe(job!.total);
    expect(Number(await assignedAt(communeA.id, 'member'))).toBe(4);
    expect(Number(await assignedAt(province.id, 'citizen'))).toBe(8);
    const after = await unitDashboard(db, official, String(communeA.id), undefined);
    expect(after.freshness).toMatchObject({ updating: false });
    expect(after.freshness!.text).toMatch(/^Số liệu đầy đủ lúc \d\d:\d\d ngày \d\d\/\d\d\.$/);
    expect(await recountAll(db, { fix: false })).toEqual([]);
  }, 120_000);

  it('a change made while a job runs gets a job of its own, so nothing is lost', async () => {
    await assignCourse(db, official, String(province.id), { course: 'khoa-thu-nghiem', edition: 'member', due: '2098-01-31' });
    const first = (await jobs()).at(-1)!;
    expect(first.state).toBe('queued');
    let changed = false;
    await runRecountJob(db, first.id, {
      onChunk: async () => {
        if (changed) return;
        changed = true;
        // The running job may already have passed these communes: this change must not join it.
        await assignCourse(db, official, String(province.id), { course: 'khoa-thu-nghiem', edition: 'member', due: '2097-01-31' });
        const running = await unitDashboard(db, official, String(province.id), undefined);
        expect(running.freshness!.text).toMatch(/Đang cập nhật số liệu \(đã xong [\d.]+\/[\d.]+ đơn vị\)/);
      },
    });
    const all = await jobs();
    expect(all.find((j) => j.id === first.id)!.state).toBe('done');
    const second = all.at(-1)!;
    expect(second.id).not.toBe(first.id);
    expect(second.state).toBe('queued');
    // pg-boss still holds the first job's message: running it again finds the row done and does nothing.
    expect(await runPendingJobs(db)).toBe(2);
    expect((await jobs()).every((j) => j.state === 'done')).toBe(true);
    expect(await recountAll(db, { fix: false })).toEqual([]);
  }, 120_000);

  it('completions made while a recount runs are counted exactly once', async () => {
    await assignCourse(db, admin, String(province.id), { course: 'khoa-thu-nghiem', edition: 'member', due: '2096-01-31' });
    const members = [...(await repo.membersUnder(db, communeA.path)), ...(await repo.membersUnder(db, communeB.path))].filter((m) => m.active);
    // The recount and the completions run at the same time (on Postgres truly concurrently).
    await Promise.all([runPendingJobs(db), ...members.slice(0, 5).map((m) => complete(m.user_id, 'member'))]);
    await runPendingJobs(db);
    expect(await recountAll(db, { fix: false })).toEqual([]);
    const dash = await unitDashboard(db, official, String(province.id), { course: 'khoa-thu-nghiem', edition: 'member' });
    expect(dash.completed).toBe(5);
  }, 180_000);

  it('a recount row left without its queue job (a restored backup) is queued again and runs', async () => {
    await assignCourse(db, official, String(communeB.id), { course: 'khoa-thu-nghiem', edition: 'citizen', due: '2094-01-31' });
    const job = (await jobs()).at(-1)!;
    expect(job).toMatchObject({ unit_id: communeB.id, state: 'queued' });
    // Postgres backups leave pg-boss's schema out: after a restore the row is there, its job is not.
    await sql`delete from pgboss.job where name = 'recount' and data->>'id' = ${String(job.id)}`.execute(db);
    expect(await runPendingJobs(db)).toBe(1);
    expect((await jobs()).at(-1)).toMatchObject({ id: job.id, state: 'done' });
    expect(await recountAll(db, { fix: false })).toEqual([]);
  }, 120_000);

  // A second process cannot open an embedded database, so this runs on Postgres only; on PGlite the
  // in-process worker resumes the same way when the server restarts.
  it.skipIf(!process.env.DATABASE_URL)('survives its worker being killed mid-job: a fresh worker finishes it (Postgres)', async () => {
    await assignCourse(db, admin, String(province.id), { course: 'khoa-thu-nghiem', edition: 'citizen', due: '2095-01-31' });
    const job = (await jobs()).at(-1)!;
    expect(job).toMatchObject({ unit_id: province.id, state: 'queued' });
    const lastCommune = await db.selectFrom('admin_unit').select(({ fn }) => fn.max('id').as('id')).where('parent_id', '=', province.id).executeTakeFirstOrThrow();
    const startWorker = () => {
      const child = spawn(process.execPath, ['src/cli/worker.ts'], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(child);
      const forget = recordChild(child.pid!);
      child.on('exit', forget);
      return child;
    };
    const row = () => db.selectFrom('recount_job').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    const until = async (what: string, ok: () => Promise<boolean>) => {
      const deadline = Date.now() + 240_000;
      while (!(await ok())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    // Hold the last commune's chunk lock (as a completion there would, but longer): the worker does
    // every other chunk, then waits on it. Killed there, it is certainly mid-job.
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock_shared(7331002, ${lastCommune.id}::int)`.execute(trx);
      const first = startWorker();
      await until('every chunk but the held one', async () => {
        const r = await row();
        return r.total !== null && r.done === r.total - 1;
      });
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
    });
    const killed = await row();
    expect(killed.state).toBe('running');
    expect(killed.done).toBe(killed.total! - 1);

    const second = startWorker();
    await until('the job to finish', async () => (await row()).state === 'done');
    const done = await row();
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    expect(done.done).toBe(done.total);
    second.kill('SIGTERM');
    expect(await new Promise((r) => second.once('exit', (code) => r(code)))).toBe(0);
    // pg-boss's own record agrees: the job completed after being handed out again.
    const boss = await sql<{ state: string; retry_count: number }>`select state, retry_count from pgboss.job where name = 'recount' and data->>'id' = ${String(job.id)}`.execute(db);
    expect(boss.rows[0]).toMatchObject({ state: 'completed' });
    expect(Number(boss.rows[0]!.retry_count)).toBeGreaterThanOrEqual(1);
    expect(await runPendingJobs(db)).toBe(0);
    expect(await recountAll(db, { fix: false })).toEqual([]);
  }, 300_000);
});

describe('counter shards above communes', () => {
  it('completions in two communes go to their own shards of the province and country rows; figures are the sums and a recount agrees', async () => {
    const country = (await repo.unitsOnPath(db, communeA.path))[0]!;
    const shardRows = async (unitId: number) =>
      (await db.selectFrom('unit_member_counter').select(['shard', 'all_done', 'members']).where('unit_id', '=', unitId).orderBy('shard').execute());
    const firstPending = async (commune: repo.UnitRow) =>
      (await sql<{ user_id: string }>`select tm.user_id from team_member tm join team t on t.id = tm.team_id join admin_unit au on au.id = t.unit_id
        where tm.active and au.path like ${commune.path + '%'}
          and not exists (select 1 from course_completion cc where cc.user_id = tm.user_id and cc.edition = 'citizen')
        order by tm.user_id limit 1`.execute(db)).rows[0]!;
    const inA = await firstPending(communeA);
    const inB = await firstPending(communeB);
    const before = await unitDashboard(db, official, String(province.id), undefined);
    await Promise.all([complete(inA.user_id, 'citizen'), complete(inB.user_id, 'citizen')]);
    // Communes and below keep one row; the province and the country one per shard in use.
    expect((await shardRows(communeA.id)).map((r) => r.shard)).toEqual([0]);
    const shards = new Set([communeA.id % 16, communeB.id % 16]);
    for (const unit of [province, country]) {
      const rows = await shardRows(unit.id);
      for (const s of shards) expect(rows.map((r) => r.shard)).toContain(s);
    }
    const after = await unitDashboard(db, official, String(province.id), undefined);
    expect(after.completed - before.completed).toBe(2);
    expect(after.members).toBe(before.members);
    expect(await recountAll(db, { fix: false })).toEqual([]);
    // A chunk recount of one commune keeps the sums exact (its change goes to its own shard).
    await assignCourse(db, official, String(communeB.id), { course: 'khoa-thu-nghiem', edition: 'citizen', due: '2097-12-31' });
    await runPendingJobs(db);
    expect(await recountAll(db, { fix: false })).toEqual([]);
    const last = await unitDashboard(db, official, String(province.id), undefined);
    expect(last.members).toBe(before.members);
    expect(last.completed).toBe(after.completed);
  }, 180_000);
});
