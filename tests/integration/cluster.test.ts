/**
 * `npm run cluster`: two app servers behind Debian's nginx on one Postgres database.
 *
 * Without DATABASE_URL the command refuses (tested on every run). With DATABASE_URL and nginx
 * installed, the test starts the cluster on a throwaway database, signs in through nginx, checks that
 * static files served by nginx carry the app's security headers, that nginx's own 413 is Vietnamese,
 * then runs sustained GET load and a stream of lesson-check POSTs, SIGKILLs one app server mid-load and
 * keeps going until the supervisor has restarted it and the restarted server has taken traffic. No GET
 * may fail (nginx retries idempotent requests on the other server) and every POST that was
 * acknowledged (303) must be stored. Deterministic: the kill and the end are triggered by counts of
 * responses and by the supervisor's output, never by a clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCatalog } from '../../src/server/content/catalog.ts';
import { openPostgres } from '../../src/server/db/connect.ts';
import { paths } from '../../src/lib/editions.ts';
import { openLessonCheck } from '../../src/server/learning/learning.ts';
import { pagePolicies } from '../../src/cli/nginx-conf.ts';
import { checkAnswers } from '../setup/answers.ts';
import { createScratchDb, recordChild, runDir, runTempDir, type ScratchDb } from '../setup/pg-admin.ts';
import { Client, freePort } from '../setup/server.ts';

const NGINX = [process.env.NGINX_BIN, '/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => p && fs.existsSync(p));
const SERVER = process.env.DATABASE_URL;
const COURSE = 'trinh-duyet-an-toan';
const PASSWORD = 'vườn nhà có ba cây bưởi';

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run cluster refuses without DATABASE_URL', () => {
  it('exits 1 with a Vietnamese explanation and starts nothing', async () => {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), PORT: String(await freePort()) };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['src/cli/cluster.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    await exited(child);
    expect(child.exitCode).toBe(1);
    expect(out).toContain('Chế độ cụm cần DATABASE_URL');
    expect(out).toContain('PGlite');
    expect(out).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });
});

it.runIf(SERVER && !NGINX && process.env.CI === 'true')('nginx is installed in CI (the cluster test needs it)', () => {
  expect(NGINX, 'CI must install nginx (apt-get install -y nginx)').toBeDefined();
});

/** A base port with the next two free as well (nginx on base, app servers on base+1, base+2). */
async function freeRun(n: number): Promise<number> {
  const free = (p: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let tries = 0; tries < 50; tries++) {
    const base = await freePort();
    if (base + n > 65535) continue;
    let ok = true;
    for (let i = 1; i <= n && ok; i++) ok = await free(base + i);
    if (ok) return base;
  }
  throw new Error('no run of free ports');
}

describe.skipIf(!SERVER || !NGINX)(`cluster behind nginx (${!SERVER ? 'skipped: needs DATABASE_URL, PGlite admits one process' : !NGINX ? 'skipped: nginx is not installed (apt-get install -y nginx)' : 'Postgres + nginx'})`, () => {
  process.env.FORM_SECRET = 'cluster-test-form-secret-0123456789abcdef';
  let db: ScratchDb;
  let cluster: ChildProcess;
  let out = '';
  let base = '';
  let dataDir = '';
  const forgets: (() => void)[] = [];

  /** App servers (index → pid) and nginx's pid, as the supervisor announced them. */
  const servers = () => [...out.matchAll(/máy chủ (\d+) sẵn sàng: cổng (\d+), pid (\d+)/g)].map((m) => ({ index: Number(m[1]), port: Number(m[2]), pid: Number(m[3]) }));
  const nginxPid = () => Number(/nginx sẵn sàng: pid (\d+)/.exec(out)?.[1]);

  beforeAll(async () => {
    if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
    db = await createScratchDb(SERVER!, 'cluster');
    dataDir = runTempDir('cluster');
    const port = await freeRun(2);
    base = `http://127.0.0.1:${port}`;
    cluster = spawn(process.execPath, ['src/cli/cluster.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        CLUSTER_SIZE: '2',
        DATA_DIR: dataDir,
        FORM_SECRET: process.env.FORM_SECRET,
        SEED_DEMO: '0',
        NGINX_WORKERS: '1',
        // nginx's scratch folder goes into this run's folder, where the run's sweep finds it.
        TMPDIR: runDir(),
        ...(NGINX ? { NGINX_BIN: NGINX } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    forgets.push(recordChild(cluster.pid!));
    const seen = new Set<number>();
    const record = () => {
      for (const pid of [...servers().map((s) => s.pid), nginxPid()]) {
        if (pid && !seen.has(pid)) {
          seen.add(pid);
          forgets.push(recordChild(pid));
        }
      }
    };
    cluster.stdout!.on('data', (d) => {
      out += d;
      record();
    });
    cluster.stderr!.on('data', (d) => (out += d));
    const deadline = Date.now() + 170_000;
    while (!out.includes('sau nginx) đang chạy tại')) {
      if (cluster.exitCode !== null) throw new Error(`cluster exited: ${out}`);
      if (Date.now() > deadline) throw new Error(`cluster did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 200_000);

  afterAll(async () => {
    if (process.env.CLUSTER_TEST_LOG) fs.writeFileSync(process.env.CLUSTER_TEST_LOG, out);
    if (cluster && cluster.exitCode === null && cluster.signalCode === null) {
      // Its children get SIGTERM from the kernel when it dies (setpriv --pdeathsig).
      cluster.kill('SIGKILL');
      await exited(cluster);
    }
    for (const pid of servers().map((s) => s.pid)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    const ng = nginxPid();
    if (ng && alive(ng)) process.kill(ng, 'SIGTERM');
    for (let i = 0; i < 50 && (servers().some((s) => alive(s.pid)) || (ng && alive(ng))); i++) await new Promise((r) => setTimeout(r, 100));
    for (const f of forgets) f();
    await db?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves static files with the app’s headers, sessions across servers, and nginx’s 413 in Vietnamese', async () => {
    expect(servers().map((s) => s.index).sort()).toEqual([1, 2]);
    // Sign up, then sign in with a fresh client, through nginx.
    const signup = await new Client(base).post('/dang-ky', { displayName: 'Người học cụm', phone: '0917100000', password: PASSWORD, next: '/' });
    expect(signup.status).toBe(303);
    const c = new Client(base);
    const signin = await c.post('/dang-nhap', { phone: '0917100000', password: PASSWORD, next: '/' });
    expect(signin.status).toBe(303);
    // Any server knows the session (round-robin: consecutive requests reach both).
    for (let i = 0; i < 6; i++) {
      const r = await c.get('/tai-khoan');
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('Người học cụm');
    }

    // A prerendered lesson page served by nginx: the page's own policy and the shared headers, compressed.
    const lesson = getCatalog().bySlug.get(COURSE)!.editions.citizen!.lessons[0]!;
    const p = paths.lesson(COURSE, 'citizen', lesson.id);
    const policy = pagePolicies('dist').get(p);
    expect(policy, `no prerendered policy for ${p}`).toBeDefined();
    const page = await fetch(base + p, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('server')).toBe('nginx');
    expect(page.headers.get('content-security-policy')).toBe(policy);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain(lesson.title);

    // The service worker is revalidated on every check, like the app serves it; hashed assets are immutable.
    const sw = await fetch(base + '/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('server')).toBe('nginx');
    expect(sw.headers.get('cache-control')).toBe('no-cache');

    // An on-demand page goes through to the app, which sets its own headers once.
    const home = await c.get('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(home.headers.get('x-content-type-options')).toBe('nosniff');

    // A POST to a static page's path reaches the app (which refuses it as it would without nginx).
    const post = await c.post(p, { a: 'b' });
    const postBody = await post.text();
    expect([404, 405]).toContain(post.status);
    expect(postBody).not.toContain('<center>nginx</center>');
    expect(postBody).toContain('lang="vi"');

    // nginx's body cap (3 MB, as the app's) answers in Vietnamese.
    const big = await fetch(`${base}/dang-nhap`, { method: 'POST', headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a='.padEnd(3 * 1024 * 1024 + 10, 'x') });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('Dữ liệu gửi lên quá lớn.');
  });

  it('loses no GET and no acknowledged POST when an app server is SIGKILLed under load', async () => {
    const lessons = getCatalog().bySlug.get(COURSE)!.editions.citizen!.lessons;
    const learners: Client[] = [];
    for (let i = 0; i < 3; i++) {
      const c = new Client(base);
      const r = await c.post('/dang-ky', { displayName: `Học viên ${i + 1}`, phone: `09172000${String(i).padStart(2, '0')}`, password: PASSWORD, next: '/' });
      expect(r.status).toBe(303);
      learners.push(c);
    }
    const forms = await Promise.all(
      lessons.map(async (lesson) => {
        const { token } = await openLessonCheck({ course: COURSE, edition: 'citizen', lessonId: lesson.id });
        const right = [...(await checkAnswers(lesson.check, token))].flatMap(([k, vs]) => vs.map((v): [string, string] => [k, v]));
        return { token, right, path: paths.lesson(COURSE, 'citizen', lesson.id) };
      }),
    );
    const getPaths = ['/', '/khoa-hoc', paths.course(COURSE, 'citizen'), '/tai-khoan', forms[0]!.path, `${forms[1]!.path}/kiem-tra`, '/lich', '/healthz'];

    const victim = servers().find((s) => s.index === 1)!;
    let gets = 0;
    let getsAtRestart = -1;
    const failedGets: string[] = [];
    const acked: string[] = [];
    const notAcked: number[] = [];
    let postErrors = 0;
    let killedAt = -1;
    let stop = false;
    const restarted = () => servers().filter((s) => s.index === 1).length >= 2;
    /** Bound on the load: a cluster that never restarts its server fails the test instead of hanging it. */
    const MAX_GETS = 6000;

    const maybeKill = () => {
      if (killedAt < 0 && acked.length >= 8 && gets >= 40) {
        killedAt = gets;
        process.kill(victim.pid, 'SIGKILL');
      }
      if (killedAt >= 0 && getsAtRestart < 0 && restarted()) getsAtRestart = gets;
      // Done once the restarted server has been back long enough to take its share of requests.
      if ((getsAtRestart >= 0 && gets >= getsAtRestart + 60) || gets >= MAX_GETS) stop = true;
    };

    /** Signed-in clients must get 200 everywhere; a guest may be redirected (to sign in), never refused. */
    const getLoop = async (c: Client, offset: number, signedIn = true) => {
      for (let k = offset; !stop; k++) {
        const p = getPaths[k % getPaths.length]!;
        try {
          const r = await c.get(p);
          const body = await r.text();
          if (signedIn ? r.status !== 200 : r.status >= 400) failedGets.push(`${p} → ${r.status} ${body.slice(0, 200)}`);
        } catch (err) {
          failedGets.push(`${p} → ${(err as Error).message}`);
        }
        gets++;
        maybeKill();
      }
    };
    const postLoop = async (learner: number) => {
      for (let k = learner; !stop; k++) {
        const form = forms[k % forms.length]!;
        const fields: [string, string][] = [['token', form.token], ...(k % 2 ? form.right : [])];
        try {
          const r = await learners[learner]!.post(`${form.path}/kiem-tra`, fields);
          await r.body?.cancel();
          const id = /\?ket-qua=([0-9a-f-]{36})$/.exec(r.headers.get('location') ?? '')?.[1];
          if (r.status === 303 && id) acked.push(id);
          // 502 from the killed server, 429 past the per-account limit: not acknowledged, nothing claimed.
          else notAcked.push(r.status);
        } catch {
          postErrors++;
        }
        maybeKill();
        // Stay within the per-account limit (30 a minute) for most of the run: a learner pauses between checks.
        if (acked.length >= 8) await new Promise((r) => setTimeout(r, 250));
      }
    };
    await Promise.all([getLoop(learners[0]!, 0), getLoop(learners[1]!, 3), getLoop(new Client(base), 5, false), getLoop(learners[2]!, 1), postLoop(0), postLoop(1), postLoop(2)]);

    expect(killedAt, `never killed: ${acked.length} acknowledged POSTs, ${gets} GETs`).toBeGreaterThan(0);
    expect(getsAtRestart, `the supervisor did not restart the server:\n${out.slice(-3000)}`).toBeGreaterThan(0);
    expect(alive(victim.pid)).toBe(false);
    expect(failedGets, failedGets.slice(0, 5).join('\n')).toEqual([]);
    expect(postErrors).toBe(0);

    const check = await openPostgres(db.url, 1);
    try {
      const stored = acked.length ? await check.db.selectFrom('lesson_submission').select('id').where('id', 'in', acked).execute() : [];
      expect(stored.length).toBe(acked.length);
    } finally {
      await check.close();
    }
    console.log(
      `cluster test: ${gets} GETs (0 failed; SIGKILL after ${killedAt}, server back after ${getsAtRestart}), ` +
        `${acked.length} POSTs acknowledged and all stored, ${notAcked.length} not acknowledged (${[...new Set(notAcked)].join(', ') || '—'})`,
    );
  }, 300_000);

  it('stops nginx and every app server on SIGTERM', async () => {
    const pids = [...servers().map((s) => s.pid), nginxPid()];
    cluster.kill('SIGTERM');
    await exited(cluster);
    expect(cluster.exitCode).toBe(0);
    for (const pid of pids) expect(alive(pid), `pid ${pid} still alive`).toBe(false);
    expect(out).not.toMatch(/\[cụm\].*(lỗi|không)/i);
  }, 60_000);
});
