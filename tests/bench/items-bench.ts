/**
 * Item analysis at scale: counters for every question of every course (real catalogue), each edition,
 * the current and one earlier version, all eight shards, every option and all 26 time buckets, filled
 * with large counts by set-based SQL into a fresh database (PGlite, or the Postgres server in
 * DATABASE_URL). Reads touch counters only, so their size is #questions × editions × versions × shards
 * × options (or buckets), however many learners answered. Prints p50/p95 of the page's read for the
 * largest course (all editions and one), and the write overhead each submission adds (its counter
 * upserts in a transaction, 10 questions), next to an empty transaction.
 *
 * Run alone: `node tests/bench/items-bench.ts` (via npm, for Node 24).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import { EDITIONS, type Edition } from '../../src/lib/content/schema.ts';
import { getCatalog, questionVersion } from '../../src/server/content/catalog.ts';
import { openPglite, openPostgres, type DbHandle } from '../../src/server/db/connect.ts';
import { migrateToLatest } from '../../src/server/db/migrate.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { analysedQuestions, itemAnalysis } from '../../src/server/items/analysis.ts';
import { recordItemAnswers } from '../../src/server/items/record.ts';
import { choiceIds } from '../../src/server/learning/quiz.ts';
import { adminUrl, databaseUrl, randomName } from '../setup/pg-admin.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS || 50);
const pg = Boolean(process.env.DATABASE_URL);

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
async function time(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f(i);
    out.push(performance.now() - t);
  }
  return out;
}

/** One row per (course, edition, source, question, version) with the question's option ids. */
async function seed(db: Kysely<Database>): Promise<number> {
  await sql`create temporary table bench_item (course_slug text, edition text, source text, question_id text, version text, options text[])`.execute(db);
  const rows: { course_slug: string; edition: string; source: string; question_id: string; version: string; options: string[] }[] = [];
  for (const c of getCatalog().courses) {
    for (const e of EDITIONS.filter((x) => c.editions[x])) {
      for (const { q, source } of analysedQuestions(c, e)) {
        for (const version of [questionVersion(q), 'cu0000000000']) rows.push({ course_slug: c.slug, edition: e, source, question_id: q.id, version, options: choiceIds(q) });
      }
    }
  }
  for (let i = 0; i < rows.length; i += 500) {
    const part = rows.slice(i, i + 500);
    // Option ids are plain slugs, so a space-separated list splits back safely.
    await sql`insert into bench_item select c, e, s, q, v, string_to_array(o, ' ') from unnest(
      ${part.map((r) => r.course_slug)}::text[], ${part.map((r) => r.edition)}::text[], ${part.map((r) => r.source)}::text[],
      ${part.map((r) => r.question_id)}::text[], ${part.map((r) => r.version)}::text[], ${part.map((r) => r.options.join(' '))}::text[]
    ) as u(c, e, s, q, v, o)`.execute(db);
  }
  // Counts as after a national run: thousands to a million answers per question, spread over the shards.
  await sql`insert into item_stat (course_slug, edition, source, question_id, version, shard, attempts, correct, answered)
    select b.course_slug, b.edition, b.source, b.question_id, b.version, s, 125000 + (hashtext(b.question_id) & 65535),
           100000 + (hashtext(b.question_id || 'c') & 16383), 120000 from bench_item b, generate_series(0, 7) s`.execute(db);
  await sql`insert into item_option_stat (course_slug, edition, source, question_id, version, option_id, shard, chosen)
    select b.course_slug, b.edition, b.source, b.question_id, b.version, o, s, 20000 + (hashtext(o) & 8191)
    from bench_item b, unnest(b.options) o, generate_series(0, 7) s`.execute(db);
  await sql`insert into item_time_bucket (course_slug, edition, source, question_id, version, bucket, n)
    select b.course_slug, b.edition, b.source, b.question_id, b.version, k, 8000 + (hashtext(b.question_id || k) & 32767)
    from bench_item b, generate_series(0, 25) k`.execute(db);
  await sql`analyze`.execute(db);
  return rows.length;
}

let open: () => Promise<DbHandle>;
let cleanup = async () => {};
if (pg) {
  const name = randomName('hocso_bench_items');
  const admin = await openPostgres(adminUrl(process.env.DATABASE_URL!), 1);
  await sql.raw(`create database ${name}`).execute(admin.db);
  const url = databaseUrl(process.env.DATABASE_URL!, name);
  cleanup = async () => {
    await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
    await admin.close();
  };
  open = () => openPostgres(url, 4);
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-bench-items-'));
  cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  open = () => openPglite({ dataDir: path.resolve(dir, 'db') });
}

try {
  const handle = await open();
  try {
    const db = handle.db;
    await migrateToLatest(db);
    const t0 = performance.now();
    const keys = await seed(db);
    const seconds = (performance.now() - t0) / 1000;
    const count = async (t: string) => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(db)).rows[0]!.n);
    const [stats, options, buckets] = [await count('item_stat'), await count('item_option_stat'), await count('item_time_bucket')];
    const course = [...getCatalog().courses].sort((a, b) => analysedQuestions(b, undefined).length - analysedQuestions(a, undefined).length)[0]!;
    const edition = EDITIONS.find((e) => course.editions[e]) as Edition;
    const answers = (await itemAnalysis(db, course.slug, undefined)).rows.reduce((s, r) => s + r.figures.attempts + (r.older?.attempts ?? 0), 0);

    console.log(`\nItem analysis — ${pg ? 'Postgres' : 'PGlite'}: ${keys} question versions × 8 shards → ${stats} stat, ${options} option and ${buckets} time-bucket rows (unsharded) (seeded in ${seconds.toFixed(1)} s)`);
    console.log(`largest course: ${course.slug}, ${analysedQuestions(course, undefined).length} questions, ${answers.toLocaleString('en')} answers counted`);
    console.log('read'.padEnd(40) + 'p50 ms'.padStart(10) + 'p95 ms'.padStart(10));
    for (const [name, e] of [['page query, all editions', undefined], [`page query, ${edition}`, edition]] as const) {
      const ts = await time(ROUNDS, () => itemAnalysis(db, course.slug, e));
      console.log(name.padEnd(40) + pct(ts, 0.5).toFixed(1).padStart(10) + pct(ts, 0.95).toFixed(1).padStart(10));
    }

    // Write overhead: a final quiz of 10 questions with measured times, on random shards, as submissions do.
    const pool = course.editions[edition]!.finalPool.slice(0, 10);
    const entries = new Map(pool.map((_, i) => [`t${i + 1}`, [String(3000 + i * 1000)]]));
    const answerOf = (q: (typeof pool)[number]) => (q.type === 'single' ? q.answer : q.type === 'multiple' ? q.answer : q.type === 'truefalse' ? q.answer : q.steps.map((s) => s.id));
    const submission = { course: course.slug, edition, source: 'final' as const, asked: pool, answers: new Map(pool.map((q) => [q.id, answerOf(q)])), entries, elapsedMs: 120_000 };
    const empty = await time(ROUNDS * 4, () => db.transaction().execute((trx) => sql`select 1`.execute(trx)));
    const write = await time(ROUNDS * 4, () => db.transaction().execute((trx) => recordItemAnswers(trx, submission)));
    console.log('write (one transaction)'.padEnd(40) + 'p50 ms'.padStart(10) + 'p95 ms'.padStart(10));
    console.log('empty transaction'.padEnd(40) + pct(empty, 0.5).toFixed(1).padStart(10) + pct(empty, 0.95).toFixed(1).padStart(10));
    console.log(`counters of a ${pool.length}-question submission`.padEnd(40) + pct(write, 0.5).toFixed(1).padStart(10) + pct(write, 0.95).toFixed(1).padStart(10));
  } finally {
    await handle.close();
  }
} finally {
  await cleanup();
}
