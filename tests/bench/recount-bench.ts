/**
 * Recounts without a global lock, at national scale on Postgres (run by `npm run bench` when
 * DATABASE_URL is set): seeds `--scale national` into a throwaway database, measures course
 * completions (the completion's transaction: attempt, completion row, counters) from 20 concurrent
 * clients across the country, first alone, then while a national assignment's recount job runs in a
 * separate worker process. Prints p50/p95/p99 completion latency for both, how long the assignment
 * request took, and the recount's total time. The database is dropped at the end.
 *
 * BENCH_RECOUNT_DATABASE_URL=postgres://… reuses a database already seeded (kept afterwards).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openPostgres } from '../../src/server/db/connect.ts';
import { migrateToLatest } from '../../src/server/db/migrate.ts';
import { seedDemo } from '../../src/server/demo/seed.ts';
import { assignCourse } from '../../src/server/teams/assignments.ts';
import { countCompletion } from '../../src/server/teams/counters.ts';
import { seedScale } from '../../src/server/teams/scale.ts';
import * as repo from '../../src/server/teams/teams.repository.ts';
import { adminUrl, databaseUrl, randomName } from '../setup/pg-admin.ts';

const CLIENTS = Number(process.env.BENCH_RECOUNT_CLIENTS || 20);
const BASELINE_MS = 10_000;
/** `province` only for a quick try of the bench itself; the figures in the README are national. */
const SCALE = (process.env.BENCH_RECOUNT_SCALE || 'national') as 'national' | 'province';

if (!process.env.DATABASE_URL) {
  console.log('\nRecount bench skipped: it needs DATABASE_URL (national scale on Postgres).');
} else {
  let url = process.env.BENCH_RECOUNT_DATABASE_URL;
  let drop = async () => {};
  if (!url) {
    const name = randomName('hocso_bench_recount');
    const admin = await openPostgres(adminUrl(process.env.DATABASE_URL), 1);
    await sql.raw(`create database ${name}`).execute(admin.db);
    url = databaseUrl(process.env.DATABASE_URL, name);
    drop = async () => {
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
      await admin.close();
    };
  }
  const handle = await openPostgres(url, CLIENTS + 4);
  const db = handle.db;
  let worker: ReturnType<typeof spawn> | undefined;
  try {
    await migrateToLatest(db);
    await seedDemo(db);
    const synthetic = Number((await sql<{ n: number }>`select count(*)::int as n from team where synthetic`.execute(db)).rows[0]!.n);
    if (synthetic < 1000) {
      const t = performance.now();
      await seedScale(db, SCALE, () => {});
      console.log(`\nseeded --scale ${SCALE} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const admin = (await repo.findUserByPhone(db, '+84912000099'))!;
    const root = (await db.selectFrom('admin_unit').select('id').where('parent_id', 'is', null).executeTakeFirstOrThrow()).id;
    const course = { course: 'trinh-duyet-an-toan', edition: 'citizen' };
    // Members anywhere in the country, each completing the course the national assignment is about.
    const members = (
      await sql<{ user_id: string }>`select tm.user_id from team_member tm join team t on t.id = tm.team_id
        where t.synthetic and tm.active and not exists (select 1 from course_completion cc where cc.user_id = tm.user_id
          and cc.course_slug = ${course.course} and cc.edition = ${course.edition})
        order by md5(tm.user_id::text) limit 100000`.execute(db)
    ).rows.map((r) => r.user_id);
    let next = 0;
    const complete = async (): Promise<number> => {
      const userId = members[next++ % members.length]!;
      const t = performance.now();
      await db.transaction().execute(async (trx) => {
        const attempt = crypto.randomUUID();
        await sql`insert into quiz_attempt (id, user_id, course_slug, edition, content_version, questions, answers, results, score, total, pass_mark, passed, started_at, submitted_at)
          values (${attempt}, ${userId}, ${course.course}, ${course.edition}, 1, '[]'::jsonb, '{}'::jsonb, '[]'::jsonb, 5, 5, 80, true, now(), now())`.execute(trx);
        const r = await sql`insert into course_completion (user_id, course_slug, edition, attempt_id) values (${userId}, ${course.course}, ${course.edition}, ${attempt})
          on conflict do nothing`.execute(trx);
        if (Number(r.numAffectedRows ?? 0) > 0) await countCompletion(trx, userId, course.course, course.edition);
      });
      return performance.now() - t;
    };
    const load = async (until: () => boolean) => {
      const out: number[] = [];
      await Promise.all(Array.from({ length: CLIENTS }, async () => {
        while (!until()) out.push(await complete());
      }));
      return out;
    };
    const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
    const line = (name: string, xs: number[]) =>
      console.log(name.padEnd(44) + String(xs.length).padStart(8) + pct(xs, 0.5).toFixed(1).padStart(9) + pct(xs, 0.95).toFixed(1).padStart(9) + pct(xs, 0.99).toFixed(1).padStart(9) + Math.max(...xs).toFixed(1).padStart(9));

    // The completions alone.
    const t0 = performance.now();
    const baseline = await load(() => performance.now() - t0 > BASELINE_MS);

    // A national assignment: the request only enqueues.
    const ta = performance.now();
    await assignCourse(db, { id: admin.id, role: 'admin' }, String(root), { course: course.course, edition: course.edition, due: '2027-03-31' });
    const assignMs = performance.now() - ta;
    const job = await db.selectFrom('recount_job').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    // Its recount runs in a worker process, as `npm run worker` would, while the clients keep completing.
    worker = spawn(process.execPath, ['src/cli/worker.ts'], { env: { ...process.env, DATABASE_URL: url, JOB_WORKER: '1' }, stdio: ['ignore', 'ignore', 'inherit'] });
    let finished = false;
    const poll = (async () => {
      while (!finished) {
        const r = await db.selectFrom('recount_job').select(['state']).where('id', '=', job.id).executeTakeFirstOrThrow();
        if (r.state === 'done' || r.state === 'failed') finished = true;
        else await new Promise((res) => setTimeout(res, 200));
      }
    })();
    const during = await load(() => finished);
    await poll;
    const done = await db.selectFrom('recount_job').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    console.log(`\nRecount without a global lock — Postgres, --scale ${SCALE}, ${CLIENTS} concurrent clients completing a course anywhere (ms)`);
    console.log('completions'.padEnd(44) + 'n'.padStart(8) + 'p50'.padStart(9) + 'p95'.padStart(9) + 'p99'.padStart(9) + 'max'.padStart(9));
    line('alone', baseline);
    line('during the national recount', during);
    console.log(`national assignment request (enqueue only): ${assignMs.toFixed(0)} ms`);
    console.log(
      `national recount job: ${done.state}, ${done.done}/${done.total} chunks, ` +
        `${((new Date(done.finished_at!).getTime() - new Date(done.started_at!).getTime()) / 1000).toFixed(1)} s from start to finish ` +
        `(${((new Date(done.finished_at!).getTime() - new Date(done.created_at).getTime()) / 1000).toFixed(1)} s after the request)`,
    );
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    await handle.close();
    await drop();
  }
}
