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
/**
 * Open-loop arrivals per second for the latency measure. A deadline day: 350,000 members finishing
 * their last required courses within a day is about 4 completions a second on average; 50 a second is
 * a peak over ten times that. (The closed loop of CLIENTS clients with no pause measures capacity:
 * its latency is CLIENTS ÷ throughput, whatever the locks.)
 */
const RATE = Number(process.env.BENCH_RECOUNT_RATE || 50);
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
    // A reused database holds earlier runs' completions: fresh statistics keep the member pick below quick.
    await sql`analyze`.execute(db);
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
    // BENCH_RECOUNT_TRACE=1: samples pg_stat_activity and prints what the slowest completions waited on.
    const TRACE = process.env.BENCH_RECOUNT_TRACE === '1';
    const traced: { start: number; end: number; pid: number }[] = [];
    const complete = async (): Promise<number> => {
      const userId = members[next++ % members.length]!;
      const t = performance.now();
      let pid = 0;
      await db.transaction().execute(async (trx) => {
        if (TRACE) pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid;
        const attempt = crypto.randomUUID();
        await sql`insert into quiz_attempt (id, user_id, course_slug, edition, content_version, questions, answers, results, score, total, pass_mark, passed, started_at, submitted_at)
          values (${attempt}, ${userId}, ${course.course}, ${course.edition}, 1, '[]'::jsonb, '{}'::jsonb, '[]'::jsonb, 5, 5, 80, true, now(), now())`.execute(trx);
        const r = await sql`insert into course_completion (user_id, course_slug, edition, attempt_id) values (${userId}, ${course.course}, ${course.edition}, ${attempt})
          on conflict do nothing`.execute(trx);
        if (Number(r.numAffectedRows ?? 0) > 0) await countCompletion(trx, userId, course.course, course.edition);
      });
      const end = performance.now();
      if (TRACE) traced.push({ start: t, end, pid });
      return end - t;
    };
    const load = async (until: () => boolean) => {
      const out: number[] = [];
      await Promise.all(Array.from({ length: CLIENTS }, async () => {
        while (!until()) out.push(await complete());
      }));
      return out;
    };
    // Open loop: a completion starts every 1000/RATE ms whether or not earlier ones have finished.
    const paced = async (until: () => boolean) => {
      const out: number[] = [];
      const running: Promise<void>[] = [];
      const start = performance.now();
      for (let k = 0; !until(); k++) {
        const at = start + (k * 1000) / RATE;
        const wait = at - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        running.push(complete().then((ms) => void out.push(ms)));
      }
      await Promise.all(running);
      return out;
    };
    const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
    /** One line per run: count, completions per second, latencies; `target` marks the p99 ≤ 100 ms target (latency runs only). */
    const line = (name: string, r: { times: number[]; ms: number }, target = false) => {
      const xs = r.times;
      const p99 = pct(xs, 0.99);
      console.log(
        name.padEnd(44) + String(xs.length).padStart(8) + (xs.length / (r.ms / 1000)).toFixed(0).padStart(7) + pct(xs, 0.5).toFixed(1).padStart(9) +
          pct(xs, 0.95).toFixed(1).padStart(9) + p99.toFixed(1).padStart(9) + Math.max(...xs).toFixed(1).padStart(9) +
          (target ? (p99 <= 100 ? '  ✓ p99 ≤ 100' : '  ✗ p99 > 100') : ''),
      );
    };
    /** Runs `measure`, timing it. */
    const timed = async (measure: Promise<number[]>) => {
      const t = performance.now();
      const times = await measure;
      return { times, ms: performance.now() - t };
    };

    // The completions alone: open loop at RATE/s, then the closed loop.
    let t0 = performance.now();
    const pacedAlone = await timed(paced(() => performance.now() - t0 > BASELINE_MS));
    t0 = performance.now();
    const closedAlone = await timed(load(() => performance.now() - t0 > BASELINE_MS));

    // The recount runs in a worker process, as `npm run worker` would, while completions go on.
    worker = spawn(process.execPath, ['src/cli/worker.ts'], { env: { ...process.env, DATABASE_URL: url, JOB_WORKER: '1' }, stdio: ['ignore', 'ignore', 'inherit'] });
    /** A national assignment (the request only enqueues), then `measure` until its recount job is done. */
    const duringRecount = async (measure: (until: () => boolean) => Promise<number[]>) => {
      // A due date the national assignment does not have yet (a reused database has earlier runs'),
      // so the request changes something and enqueues a new job.
      const current = await db.selectFrom('course_assignment').select(sql<string>`due_date::text`.as('due'))
        .where('unit_id', '=', root).where('course_slug', '=', course.course).where('edition', '=', course.edition).executeTakeFirst();
      const due = new Date(Date.parse(`${current?.due ?? '2027-03-30'}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const before = (await db.selectFrom('recount_job').select(sql<number>`coalesce(max(id), 0)::int`.as('id')).executeTakeFirstOrThrow()).id;
      const ta = performance.now();
      await assignCourse(db, { id: admin.id, role: 'admin' }, String(root), { course: course.course, edition: course.edition, due });
      const assignMs = performance.now() - ta;
      const job = await db.selectFrom('recount_job').selectAll().where('id', '>', before).orderBy('id', 'desc').executeTakeFirstOrThrow();
      let finished = false;
      const poll = (async () => {
        while (!finished) {
          const r = await db.selectFrom('recount_job').select(['state']).where('id', '=', job.id).executeTakeFirstOrThrow();
          if (r.state === 'done' || r.state === 'failed') finished = true;
          else await new Promise((res) => setTimeout(res, 200));
        }
      })();
      const run = await timed(measure(() => finished));
      await poll;
      const done = await db.selectFrom('recount_job').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      return { run, assignMs, done };
    };
    const samples: { at: number; pid: number; wait: string; query: string }[] = [];
    let sampling = TRACE;
    const sampler = (async () => {
      if (!TRACE) return;
      const probe = await openPostgres(url, 1);
      try {
        while (sampling) {
          const at = performance.now();
          const rows = (await sql<{ pid: number; wait: string | null; query: string }>`select pid, wait_event_type || ':' || wait_event as wait, left(query, 70) as query
            from pg_stat_activity where state <> 'idle' and pid <> pg_backend_pid()`.execute(probe.db)).rows;
          for (const r of rows) samples.push({ at, pid: r.pid, wait: r.wait ?? 'CPU', query: r.query });
          await new Promise((res) => setTimeout(res, 5));
        }
      } finally {
        await probe.close();
      }
    })();
    const pacedRun = await duringRecount(paced);
    sampling = false;
    await sampler;
    if (TRACE) {
      const slow = traced.filter((c) => c.end - c.start > 100).sort((a, b) => b.end - b.start - (a.end - a.start));
      console.log(`\ntrace: ${slow.length} completions over 100 ms during the open-loop recount; ${samples.length} samples`);
      const tally = new Map<string, number>();
      for (const c of slow) for (const s of samples) if (s.pid === c.pid && s.at >= c.start && s.at <= c.end) tally.set(s.wait + ' ' + s.query, (tally.get(s.wait + ' ' + s.query) ?? 0) + 1);
      for (const [k, n] of [...tally].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(String(n).padStart(6) + '  ' + k.replace(/\s+/g, ' '));
      for (const c of slow.slice(0, 5)) {
        console.log(`-- completion pid ${c.pid} at ${(c.start / 1000).toFixed(2)} s took ${(c.end - c.start).toFixed(0)} ms; others meanwhile:`);
        const others = new Map<string, number>();
        for (const s of samples) if (s.pid !== c.pid && s.at >= c.start && s.at <= c.end) others.set(s.wait + ' ' + s.query, (others.get(s.wait + ' ' + s.query) ?? 0) + 1);
        for (const [k, n] of [...others].sort((a, b) => b[1] - a[1]).slice(0, 6)) console.log(String(n).padStart(6) + '  ' + k.replace(/\s+/g, ' '));
      }
    }
    const closedRun = await duringRecount(load);
    console.log(`\nRecount without a global lock — Postgres, --scale ${SCALE}: course completions anywhere in the country (ms)`);
    console.log('completions'.padEnd(44) + 'n'.padStart(8) + 'per s'.padStart(7) + 'p50'.padStart(9) + 'p95'.padStart(9) + 'p99'.padStart(9) + 'max'.padStart(9));
    console.log('latency (open loop: arrivals at a fixed rate)');
    line(`${RATE}/s arriving, alone`, pacedAlone);
    line(`${RATE}/s arriving, during a national recount`, pacedRun.run, true);
    console.log(`capacity (closed loop: ${CLIENTS} clients, no pause; latency = ${CLIENTS} ÷ throughput)`);
    line(`${CLIENTS} clients flat out, alone`, closedAlone);
    line(`${CLIENTS} clients flat out, during a recount`, closedRun.run);
    for (const [name, r] of [['first', pacedRun], ['second', closedRun]] as const) {
      console.log(
        `${name} national assignment: request ${r.assignMs.toFixed(0)} ms (enqueue only); recount job ${r.done.state}, ${r.done.done}/${r.done.total} chunks, ` +
          `${((new Date(r.done.finished_at!).getTime() - new Date(r.done.started_at!).getTime()) / 1000).toFixed(1)} s from start to finish ` +
          `(${((new Date(r.done.finished_at!).getTime() - new Date(r.done.created_at).getTime()) / 1000).toFixed(1)} s after the request)`,
      );
    }
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    await handle.close();
    await drop();
  }
}
