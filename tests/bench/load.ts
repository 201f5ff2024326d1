/**
 * npm run load — a deadline-day load test on Postgres: one app server, then `npm run cluster`
 * (CLUSTER_SIZE servers behind nginx), in the same run, on the same throwaway database.
 *
 * Traffic only to 127.0.0.1. Open loop: requests arrive at a fixed rate whatever the answers' speed
 * (as people do), in steps of rising rate (LOAD_RATES, req/s, LOAD_SECONDS each). A step passes when
 * p95 < 200 ms and errors < 0.1 %; the highest passing step is the rate the target sustains. Each
 * virtual client (LOAD_CLIENTS) has its own account, session and source address (127.0.x.y: the whole
 * of 127/8 is loopback), so per-account and per-address rate limits see many people, as on the day.
 *
 * The mix (weights in MIX): lesson pages (prerendered), signed-in course and home pages, lesson-check
 * submissions (sealed tokens answered right or left blank), the final quiz (open, then submit),
 * sign-ins (argon2id: the costly part), certificate lookups and an official's dashboard.
 *
 * Users are made with SQL sharing one password hash (computed once) and their sessions made in
 * process, so setting up costs no argon2; only the measured sign-ins hash.
 *
 * Run: `npm run build && DATABASE_URL=postgres://… npm run load`. The database is created and dropped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createSession } from '../../src/server/auth/session.ts';
import { hashPassword } from '../../src/server/auth/password.ts';
import { getCatalog } from '../../src/server/content/catalog.ts';
import { openPostgres } from '../../src/server/db/connect.ts';
import { migrateToLatest } from '../../src/server/db/migrate.ts';
import { seedDemo } from '../../src/server/demo/seed.ts';
import { paths } from '../../src/lib/editions.ts';
import { openLessonCheck } from '../../src/server/learning/learning.ts';
import { checkAnswers } from '../setup/answers.ts';
import { createScratchDb, removeRunDirIfEmpty } from '../setup/pg-admin.ts';
import { freePort, startServer } from '../setup/server.ts';

const SERVER = process.env.DATABASE_URL;
if (!SERVER) {
  console.error('npm run load cần DATABASE_URL (máy chủ Postgres): bài đo tạo và xóa một cơ sở dữ liệu tạm trên đó.');
  process.exit(1);
}
if (!fs.existsSync('dist/server/entry.mjs')) {
  console.error('Chưa có bản dựng: chạy `npm run build` trước.');
  process.exit(1);
}
const RATES = (process.env.LOAD_RATES || '5,10,20,40,60,90,120').split(',').map(Number);
const SECONDS = Number(process.env.LOAD_SECONDS || 10);
const WARMUP_SECONDS = Number(process.env.LOAD_WARMUP_SECONDS || 8);
const CLIENTS = Number(process.env.LOAD_CLIENTS || 300);
const CLUSTER_SIZE = process.env.CLUSTER_SIZE || '2';
const MAX_IN_FLIGHT = 400;
const P95_TARGET_MS = 200;
const ERROR_TARGET = 0.001;
const PASSWORD = 'vườn nhà có ba cây bưởi';
const COURSE = 'trinh-duyet-an-toan';
process.env.FORM_SECRET ||= 'load-test-form-secret-0123456789abcdefgh';

type Kind = 'lesson' | 'course' | 'home' | 'check' | 'final-open' | 'final-submit' | 'sign-in' | 'certificate' | 'dashboard';
/** Arrivals by kind, per 100 (a final-quiz arrival makes two requests: open, then submit). */
const MIX: [Exclude<Kind, 'final-submit'>, number][] = [
  ['lesson', 34],
  ['course', 10],
  ['home', 8],
  ['check', 25],
  ['final-open', 6],
  ['sign-in', 5],
  ['certificate', 7],
  ['dashboard', 5],
];
const KINDS: Kind[] = ['lesson', 'course', 'home', 'check', 'final-open', 'final-submit', 'sign-in', 'certificate', 'dashboard'];

// ── set-up: database, users, sessions, check forms ──────────────────────────────────────────────
const scratch = await createScratchDb(SERVER, 'load');
const children: ChildProcess[] = [];
let stopSingle: (() => Promise<void>) | undefined;
let closeMonitor = async () => {};
const cleanup = async () => {
  await closeMonitor();
  await stopSingle?.().catch(() => {});
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
  await scratch.drop();
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

interface VClient {
  agent: http.Agent;
  cookie: string;
  phone: string;
}
let clients: VClient[] = [];
let official = { cookie: '', unit: '' };
const lessons = getCatalog().bySlug.get(COURSE)!.editions.citizen!.lessons;
let forms: { path: string; right: [string, string][]; token: string }[] = [];

try {
  const handle = await openPostgres(scratch.url, 4);
  const db = handle.db;
  await migrateToLatest(db);
  await seedDemo(db);
  const hash = await hashPassword(PASSWORD);
  await sql`insert into "user" (phone, display_name, password_hash)
    select '+8491' || lpad(g::text, 7, '0'), 'Người học tải ' || g, ${hash} from generate_series(0, ${CLIENTS - 1}) g`.execute(db);
  const users = await sql<{ id: string; phone: string }>`select id, phone from "user" where phone like '+8491%' order by phone`.execute(db);
  clients = await Promise.all(
    users.rows.map(async (u, i) => {
      const { token } = await createSession(db, u.id, 'load-test');
      const localAddress = `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
      return { agent: new http.Agent({ keepAlive: true, maxSockets: 4, localAddress }), cookie: `hs_session=${token}`, phone: `0${u.phone.slice(3)}` };
    }),
  );
  const o = await sql<{ user_id: string; unit_id: string }>`select s.user_id, s.unit_id from official_scope s join "user" u on u.id = s.user_id
    where u.display_name like 'Phạm Văn Quân%' limit 1`.execute(db);
  official = { cookie: `hs_session=${(await createSession(db, o.rows[0]!.user_id, 'load-test')).token}`, unit: o.rows[0]!.unit_id };
  forms = await Promise.all(
    lessons.map(async (lesson) => {
      const { token } = await openLessonCheck({ course: COURSE, edition: 'citizen', lessonId: lesson.id });
      const right = [...(await checkAnswers(lesson.check, token))].flatMap(([k, vs]) => vs.map((v): [string, string] => [k, v]));
      return { token, right, path: paths.lesson(COURSE, 'citizen', lesson.id) };
    }),
  );
  await sql`vacuum analyze`.execute(db);
  await handle.close();
} catch (err) {
  await cleanup();
  throw err;
}

/** A connection to the load database for watching its backends. */
const monitor = await openPostgres(scratch.url, 1);
closeMonitor = () => monitor.close().catch(() => {});

// ── the load generator ──────────────────────────────────────────────────────────────────────────
interface Sample {
  kind: Kind;
  ms: number;
  ok: boolean;
}
interface Answer {
  status: number;
  location?: string;
  body: string;
}

function request(base: string, c: VClient | undefined, method: 'GET' | 'POST', p: string, cookie: string, form?: [string, string][]): Promise<Answer> {
  const url = new URL(p, base);
  const body = form ? new URLSearchParams(form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent: c?.agent,
        headers: {
          'accept-encoding': 'br, gzip',
          ...(cookie ? { cookie } : {}),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), origin: url.origin } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, body: res.headers['content-encoding'] ? '' : Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

/** One arrival of `kind` by client `c`: its requests, each timed. */
async function arrival(base: string, kind: Exclude<Kind, 'final-submit'>, c: VClient, n: number, samples: Sample[]): Promise<void> {
  const timed = async (k: Kind, run: () => Promise<Answer>, ok: (a: Answer) => boolean): Promise<Answer | undefined> => {
    const t = performance.now();
    try {
      const a = await run();
      samples.push({ kind: k, ms: performance.now() - t, ok: ok(a) });
      return a;
    } catch {
      samples.push({ kind: k, ms: performance.now() - t, ok: false });
      return undefined;
    }
  };
  const is = (status: number) => (a: Answer) => a.status === status;
  switch (kind) {
    case 'lesson':
      await timed(kind, () => request(base, c, 'GET', forms[n % forms.length]!.path, ''), is(200));
      return;
    case 'course':
      await timed(kind, () => request(base, c, 'GET', paths.course(COURSE, 'citizen'), c.cookie), is(200));
      return;
    case 'home':
      await timed(kind, () => request(base, c, 'GET', '/', c.cookie), is(200));
      return;
    case 'check': {
      const f = forms[n % forms.length]!;
      await timed(kind, () => request(base, c, 'POST', `${f.path}/kiem-tra`, c.cookie, [['token', f.token], ...(n % 3 ? f.right : [])]), is(303));
      return;
    }
    case 'final-open': {
      // Identity encoding here: the attempt id is read from the page.
      const t = performance.now();
      let a: Answer | undefined;
      try {
        a = await new Promise<Answer>((resolve, reject) => {
          const url = new URL(paths.finalQuiz(COURSE, 'citizen'), base);
          http
            .get(url, { agent: c.agent, headers: { cookie: c.cookie } }, (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (d: Buffer) => chunks.push(d));
              res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
            })
            .on('error', reject);
        });
      } catch {
        /* counted below */
      }
      const attempt = a && /name="attempt" value="([^"]+)"/.exec(a.body)?.[1];
      samples.push({ kind, ms: performance.now() - t, ok: a?.status === 200 && !!attempt });
      if (attempt) await timed('final-submit', () => request(base, c, 'POST', paths.finalQuiz(COURSE, 'citizen'), c.cookie, [['attempt', attempt]]), is(303));
      return;
    }
    case 'sign-in':
      await timed(kind, () => request(base, c, 'POST', '/dang-nhap', '', [['phone', c.phone], ['password', PASSWORD], ['next', '/']]), is(303));
      return;
    case 'certificate':
      await timed(kind, () => request(base, c, 'GET', '/chung-nhan/HS4VN-2026D', ''), is(200));
      return;
    case 'dashboard':
      await timed(kind, () => request(base, c, 'GET', `/quan-ly/don-vi/${official.unit}`, official.cookie), is(200));
      return;
  }
}

const WEIGHTED = MIX.flatMap(([k, w]) => Array<Exclude<Kind, 'final-submit'>>(w).fill(k));

/** Open-loop arrivals at `rate` per second for `seconds`; returns the samples and the wall time. */
async function step(base: string, rate: number, seconds: number): Promise<{ samples: Sample[]; wall: number; dropped: number }> {
  const samples: Sample[] = [];
  const total = Math.round(rate * seconds);
  let started = 0;
  let inFlight = 0;
  let dropped = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  while (started < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    for (; started < due; started++) {
      if (inFlight >= MAX_IN_FLIGHT) {
        dropped++;
        continue;
      }
      const n = started;
      // Spread kinds and clients so consecutive arrivals differ (a multiplicative walk over both).
      const kind = WEIGHTED[(n * 37) % WEIGHTED.length]!;
      const c = clients[(n * 7919) % clients.length]!;
      inFlight++;
      pending.push(arrival(base, kind, c, n, samples).finally(() => inFlight--));
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending);
  return { samples, wall: (performance.now() - t0) / 1000, dropped };
}

/** CPU time (user + system) used so far by processes `pids`, in ms (Linux /proc, 100 ticks a second). */
function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* exited */
    }
  }
  return ticks * 10;
}
/** CPU per process group over a step: app servers, nginx, and the Postgres backends serving this database. */
interface Groups {
  app: () => number[];
  nginx: () => number[];
}
async function postgresPids(): Promise<number[]> {
  const r = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(monitor.db);
  return r.rows.map((x) => x.pid);
}
async function cpuSnapshot(g: Groups) {
  const pg = await postgresPids();
  return { app: cpuMs(g.app()), nginx: cpuMs(g.nginx()), pgPids: pg, pg: new Map(pg.map((p) => [p, cpuMs([p])])) };
}
/** ms of CPU per request in each group between two snapshots (Postgres: backends present in both). */
function cpuPerRequest(a: Awaited<ReturnType<typeof cpuSnapshot>>, b: Awaited<ReturnType<typeof cpuSnapshot>>, requests: number) {
  let pg = 0;
  for (const [pid, before] of a.pg) if (b.pg.has(pid)) pg += b.pg.get(pid)! - before;
  return { app: (b.app - a.app) / requests, nginx: (b.nginx - a.nginx) / requests, pg: pg / requests };
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
}
interface Row {
  kind: string;
  n: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}
function summarise(samples: Sample[], wall: number, dropped: number): { rows: Row[]; all: Row } {
  const row = (kind: string, s: Sample[], extraErrors = 0): Row => {
    const ms = s.map((x) => x.ms).sort((a, b) => a - b);
    const bad = s.filter((x) => !x.ok).length + extraErrors;
    return { kind, n: s.length + extraErrors, rps: s.length / wall, p50: pct(ms, 50), p95: pct(ms, 95), p99: pct(ms, 99), errors: s.length + extraErrors ? bad / (s.length + extraErrors) : 0 };
  };
  return { rows: KINDS.map((k) => row(k, samples.filter((s) => s.kind === k))).filter((r) => r.n), all: row('all', samples, dropped) };
}
const f1 = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(1));
function printRows(rows: Row[]) {
  console.log('| request | n | req/s | p50 ms | p95 ms | p99 ms | errors |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.kind} | ${r.n} | ${f1(r.rps)} | ${f1(r.p50)} | ${f1(r.p95)} | ${f1(r.p99)} | ${(r.errors * 100).toFixed(2)}% |`);
}

interface Cpu {
  app: number;
  nginx: number;
  pg: number;
}
interface Result {
  target: string;
  steps: { rate: number; all: Row; rows: Row[]; cpu: Cpu }[];
  sustained?: { rate: number; all: Row; rows: Row[]; cpu: Cpu };
}
async function measure(target: string, base: string, groups: Groups): Promise<Result> {
  console.log(`\n## ${target} (${base})`);
  // Warm-up (JIT, first renders, pool connections): not measured.
  await step(base, RATES[Math.min(1, RATES.length - 1)]!, WARMUP_SECONDS);
  const result: Result = { target, steps: [] };
  let failures = 0;
  for (const rate of RATES) {
    const before = await cpuSnapshot(groups);
    const { samples, wall, dropped } = await step(base, rate, SECONDS);
    const cpu = cpuPerRequest(before, await cpuSnapshot(groups), samples.length);
    const { rows, all } = summarise(samples, wall, dropped);
    const pass = all.p95 < P95_TARGET_MS && all.errors < ERROR_TARGET;
    result.steps.push({ rate, all, rows, cpu });
    console.log(
      `offered ${rate} req/s: served ${f1(all.rps)} req/s, p50 ${f1(all.p50)} ms, p95 ${f1(all.p95)} ms, p99 ${f1(all.p99)} ms, errors ${(all.errors * 100).toFixed(2)}% ${pass ? '✓' : '✗'}` +
        ` — CPU per request: app ${f1(cpu.app)} ms, nginx ${f1(cpu.nginx)} ms, Postgres ${f1(cpu.pg)} ms`,
    );
    // On a shared machine one step can fail by noise: stop after two failed steps in a row.
    if (!pass) {
      if (++failures >= 2) break;
      continue;
    }
    failures = 0;
    result.sustained = { rate, all, rows, cpu };
  }
  if (result.sustained) {
    console.log(`\n${target}: sustains ${result.sustained.rate} req/s offered (p95 < ${P95_TARGET_MS} ms, errors < ${ERROR_TARGET * 100}%). By request type at that rate:\n`);
    printRows(result.sustained.rows);
  } else {
    console.log(`\n${target}: no step met the target; the lowest step by request type:\n`);
    printRows(result.steps[0]!.rows);
  }
  return result;
}

// ── run: one server, then the cluster ───────────────────────────────────────────────────────────
const env = { DATABASE_URL: scratch.url, FORM_SECRET: process.env.FORM_SECRET!, SEED_DEMO: '0', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-load-')) };
let single: Result;
let cluster: Result;
try {
  console.log(`Deadline-day load: ${CLIENTS} clients, steps ${RATES.join(', ')} req/s × ${SECONDS} s, on ${os.cpus().length} cores (the load generator, Postgres and nginx share them).`);
  const one = await startServer(env);
  stopSingle = async () => {
    await one.kill('SIGTERM');
  };
  single = await measure('one app server', one.url, { app: () => [one.pid], nginx: () => [] });
  await stopSingle();
  stopSingle = undefined;

  const port = await freePort();
  const child = spawn(process.execPath, ['src/cli/cluster.ts'], { env: { ...process.env, ...env, PORT: String(port), CLUSTER_SIZE, NGINX_WORKERS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  while (!out.includes('sau nginx) đang chạy tại')) {
    if (child.exitCode !== null) throw new Error(`cluster exited:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  cluster = await measure(`cluster of ${CLUSTER_SIZE} behind nginx`, `http://127.0.0.1:${port}`, {
    app: () => [...out.matchAll(/máy chủ \d+ sẵn sàng: cổng \d+, pid (\d+)/g)].map((m) => Number(m[1])),
    // The master and its workers (children of the master).
    nginx: () => {
      const master = Number(/nginx sẵn sàng: pid (\d+)/.exec(out)?.[1]);
      const kids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
        try {
          return fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(master);
        } catch {
          return false;
        }
      });
      return [master, ...kids.map(Number)];
    },
  });

  console.log('\n## cluster / single');
  const s = single.sustained?.rate ?? 0;
  const c = cluster.sustained?.rate ?? 0;
  console.log(`highest sustained rate: one server ${s} req/s, cluster ${c} req/s, ratio ${s ? (c / s).toFixed(2) : '—'}`);
  for (const a of single.steps) {
    const b = cluster.steps.find((x) => x.rate === a.rate);
    if (b) console.log(`at ${a.rate} req/s offered: p95 ${f1(a.all.p95)} → ${f1(b.all.p95)} ms (×${(b.all.p95 / a.all.p95).toFixed(2)}), served ${f1(a.all.rps)} → ${f1(b.all.rps)} req/s`);
  }
  // CPU per request of the mix, over every step (load-independent, unlike the rates on a shared machine).
  for (const r of [single, cluster]) {
    const n = r.steps.reduce((t, x) => t + x.all.n, 0);
    const avg = (k: keyof Cpu) => r.steps.reduce((t, x) => t + x.cpu[k] * x.all.n, 0) / n;
    console.log(
      `${r.target}: CPU per request of the mix: app ${f1(avg('app'))} ms, nginx ${f1(avg('nginx'))} ms, Postgres ${f1(avg('pg'))} ms → ` +
        `${Math.round(1000 / avg('app'))} req/s per app core, ${Math.round(1000 / avg('pg'))} req/s per Postgres core`,
    );
  }

  // What the day wrote, per row (for the sizing in docs/scale.md).
  const h = await openPostgres(scratch.url, 1);
  try {
    const sizes = await sql<{ t: string; n: number; bytes: number }>`select t, (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I', t), false, true, '')))[1]::text::bigint as n,
        pg_total_relation_size(t::regclass) as bytes
      from unnest(array['lesson_submission', 'quiz_attempt', 'session', 'lesson_progress', 'rate_limit']) t`.execute(h.db);
    console.log('\n## rows written (both targets)');
    for (const r of sizes.rows) console.log(`${r.t}: ${r.n} rows, ${(r.bytes / 1024 / 1024).toFixed(1)} MB${r.n ? `, ${Math.round(r.bytes / r.n)} bytes per row with indexes` : ''}`);
  } finally {
    await h.close();
  }
} finally {
  await cleanup();
  fs.rmSync(env.DATA_DIR, { recursive: true, force: true });
  removeRunDirIfEmpty();
}
process.exit(0);
