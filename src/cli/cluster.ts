/**
 * npm run cluster — several app servers behind nginx, on one Postgres database.
 *
 * Sessions, rate limits, check-in codes and jobs live in Postgres, so any app server answers any
 * request. This supervisor:
 *  1. refuses without DATABASE_URL (the embedded database admits one process);
 *  2. migrates once (and seeds demo data where allowed), and makes the DATA_DIR secrets once
 *     (FORM_SECRET, CHECKIN_SECRET, the signing key outside production), so every server shares them;
 *  3. starts CLUSTER_SIZE (default 2) `src/cli/serve.ts` processes on 127.0.0.1, ports PORT+1…PORT+N,
 *     with TRUST_PROXY=1;
 *  4. renders deploy/nginx.conf into a scratch folder and runs Debian's nginx on PORT (HOST) as a
 *     non-daemon child: static files from dist/client, the rest proxied to the app servers;
 *  5. restarts an app server that exits (with a growing pause if it keeps crashing), and stops
 *     everything on SIGTERM/SIGINT. Children get SIGTERM if this process dies (setpriv --pdeathsig).
 *
 * `--print-nginx-conf` prints the rendered configuration and exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openConfiguredDb } from '../server/db/connect.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { seedDemo, shouldSeedDemo } from '../server/demo/seed.ts';
import { signingKey, SigningKeyError } from '../server/certificates/signing.ts';
import { formSecret, FormSecretError } from '../server/form-secret.ts';
import { checkinSecret } from '../server/topics/checkin-secret.ts';
import { isProduction } from '../server/config.ts';
import { renderNginxConf, writeNginxFiles, type NginxConfOptions } from './nginx-conf.ts';

const say = (msg: string) => console.log(`[cụm] ${msg}`);
const fail = (msg: string): never => {
  console.error(`[cụm] ${msg}`);
  process.exit(1);
};

const { values: flags } = parseArgs({ options: { 'print-nginx-conf': { type: 'boolean' } } });

const port = Number(process.env.PORT || 4321);
const host = process.env.HOST || '127.0.0.1';
const size = Number(process.env.CLUSTER_SIZE || 2);
const dist = path.resolve(process.env.DIST_DIR || 'dist');
if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`PORT không hợp lệ: ${process.env.PORT}`);
if (!Number.isInteger(size) || size < 1 || size > 64) fail(`CLUSTER_SIZE phải là số nguyên từ 1 đến 64 (đang là “${process.env.CLUSTER_SIZE}”).`);
if (port + size > 65535) fail(`Không đủ cổng sau PORT=${port} cho ${size} máy chủ.`);
const appPorts = Array.from({ length: size }, (_, i) => port + 1 + i);

const nginxOptions = (prefix: string): NginxConfOptions => ({
  prefix,
  dist,
  host,
  port,
  appPorts,
  production: isProduction(),
  workers: process.env.NGINX_WORKERS || 'auto',
  root: process.getuid?.() === 0,
});

if (flags['print-nginx-conf']) {
  process.stdout.write(renderNginxConf(nginxOptions(path.resolve(process.env.NGINX_PREFIX || '/var/lib/hocso-nginx'))));
  process.exit(0);
}

if (!process.env.DATABASE_URL) {
  fail(
    'Chế độ cụm cần DATABASE_URL (một máy chủ Postgres dùng chung). Cơ sở dữ liệu nhúng (PGlite) chỉ cho ' +
      'một tiến trình mở một lúc, nên không thể chạy nhiều máy chủ trên nó: hãy đặt DATABASE_URL, hoặc dùng `npm run serve`.',
  );
}

/** Debian's nginx: NGINX_BIN, /usr/sbin/nginx, or `nginx` on PATH. */
function findNginx(): string | undefined {
  const candidates = [process.env.NGINX_BIN, '/usr/sbin/nginx', ...(process.env.PATH ?? '').split(':').map((d) => path.join(d, 'nginx'))];
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}
const nginxBin = findNginx() ?? fail('Không tìm thấy nginx. Cài gói của Debian: `apt-get install -y nginx` (tùy chọn: libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static).');
if (!fs.existsSync(path.join(dist, 'server', 'entry.mjs'))) fail(`Chưa có bản dựng trong ${dist}: chạy \`npm run build\` trước.`);

/** setpriv --pdeathsig: a child gets SIGTERM when this process dies, even by SIGKILL. */
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
function spawnTied(cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return setpriv
    ? spawn(setpriv, ['--pdeathsig', 'TERM', '--', cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
}
function prefixLines(child: ChildProcess, label: string) {
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop()!;
      for (const l of lines) (stream === child.stderr ? console.error : console.log)(`[${label}] ${l}`);
    });
  }
}

// 1. Migrate once, seed where allowed, make the shared secrets once.
const handle = await openConfiguredDb();
try {
  const applied = await migrateToLatest(handle.db);
  if (applied.length) say(`Đã áp dụng ${applied.length} migration.`);
  if (shouldSeedDemo()) {
    const n = await seedDemo(handle.db);
    if (n) say(`Đã tạo ${n} tài khoản mẫu.`);
  }
} catch (err) {
  await handle.close().catch(() => {});
  fail(`Không chuẩn bị được cơ sở dữ liệu: ${(err as Error).message}`);
}
await handle.close();
// One DATA_DIR for every server (an absolute path, whatever their working folder): outside
// production the secrets are files there, made here once so no two servers make different ones.
const dataDir = path.resolve(process.env.DATA_DIR || './data');
process.env.DATA_DIR = dataDir;
for (const make of [formSecret, checkinSecret, () => signingKey()]) {
  try {
    await make();
  } catch (err) {
    if (!(err instanceof FormSecretError || err instanceof SigningKeyError || isProduction())) throw err;
    console.error(`[cụm] ${(err as Error).message}`);
  }
}

// 2. The app servers.
interface Worker {
  index: number;
  port: number;
  child?: ChildProcess;
  restarts: number;
  startedAt: number;
  timer?: NodeJS.Timeout;
}
let stopping = false;
const workers: Worker[] = appPorts.map((p, i) => ({ index: i + 1, port: p, restarts: 0, startedAt: 0 }));
const serveEnv = (w: Worker): NodeJS.ProcessEnv => ({
  ...process.env,
  PORT: String(w.port),
  HOST: '127.0.0.1',
  TRUST_PROXY: '1',
  DATA_DIR: dataDir,
  // The public address is nginx's, not this server's port.
  SITE_URL: process.env.SITE_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
  // Seeded above, once.
  SEED_DEMO: '0',
});

async function healthy(p: number, deadline: number, child: ChildProcess): Promise<boolean> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const r = await fetch(`http://127.0.0.1:${p}/healthz`);
      await r.body?.cancel();
      if (r.ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

function startWorker(w: Worker): Promise<boolean> {
  const child = spawnTied(process.execPath, [path.resolve('src/cli/serve.ts')], serveEnv(w));
  w.child = child;
  w.startedAt = Date.now();
  prefixLines(child, `máy chủ ${w.index}`);
  child.once('exit', (code, signal) => {
    if (stopping || w.child !== child) return;
    // A server that ran a while starts again at once; one that keeps crashing waits longer each time.
    if (Date.now() - w.startedAt > 30_000) w.restarts = 0;
    const pause = Math.min(1000 * 2 ** w.restarts, 15_000);
    w.restarts++;
    say(`máy chủ ${w.index} (cổng ${w.port}) đã dừng (${signal ?? `mã ${code}`}); khởi động lại sau ${pause / 1000} giây.`);
    w.timer = setTimeout(() => void startWorker(w), pause);
  });
  return healthy(w.port, Date.now() + 120_000, child).then((ok) => {
    if (ok && w.child === child) say(`máy chủ ${w.index} sẵn sàng: cổng ${w.port}, pid ${child.pid}`);
    return ok;
  });
}

// 3. nginx, in its own scratch folder.
const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-nginx-'));
let nginx: ChildProcess | undefined;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  say('đang dừng…');
  const wait = (c: ChildProcess | undefined, ms: number) =>
    !c || c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            c.kill('SIGKILL');
            resolve();
          }, ms);
          c.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
        });
  // nginx first (SIGQUIT: finish the requests in progress), then the app servers (SIGTERM).
  nginx?.kill('SIGQUIT');
  await wait(nginx, 10_000);
  for (const w of workers) {
    clearTimeout(w.timer);
    w.child?.kill('SIGTERM');
  }
  await Promise.all(workers.map((w) => wait(w.child, 15_000)));
  fs.rmSync(prefix, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

const ready = await Promise.all(workers.map(startWorker));
if (!ready.every(Boolean)) {
  console.error('[cụm] Một máy chủ ứng dụng không khởi động được (xem thông báo ở trên).');
  await shutdown(1);
}
if (stopping) await new Promise(() => {});

const conf = writeNginxFiles(nginxOptions(prefix));
const args = ['-p', `${prefix}/`, '-c', conf, '-e', 'stderr'];
const test = spawnSync(nginxBin, ['-t', '-q', ...args], { encoding: 'utf8' });
if (test.status !== 0) {
  console.error(`[cụm] Cấu hình nginx không hợp lệ (${conf}):\n${test.stderr}`);
  await shutdown(1);
}
nginx = spawnTied(nginxBin, args, process.env);
prefixLines(nginx, 'nginx');
nginx.once('exit', (code, signal) => {
  if (stopping) return;
  console.error(`[cụm] nginx đã dừng (${signal ?? `mã ${code}`}): dừng cả cụm.`);
  void shutdown(1);
});
// nginx is up when its port answers.
const siteUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
for (let i = 0; ; i++) {
  try {
    const r = await fetch(`${siteUrl}/healthz`);
    await r.body?.cancel();
    if (r.ok) break;
  } catch {
    /* not yet */
  }
  if (stopping) await new Promise(() => {});
  if (i > 150) {
    console.error('[cụm] nginx không trả lời sau 30 giây.');
    await shutdown(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}
say(`nginx sẵn sàng: pid ${nginx.pid}`);
say(`Học Số (cụm ${size} máy chủ sau nginx) đang chạy tại ${siteUrl}`);
