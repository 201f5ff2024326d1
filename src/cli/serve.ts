/**
 * Production server: opens the database (taking the PGlite folder lock), migrates, seeds demo data
 * where allowed, then serves the built Astro app with brotli/gzip compression and static files.
 * Every request body is capped at the http level (src/web/body-cap.ts). Run through npm so it uses
 * the pinned Node 24. It restarts nothing by itself: in production a supervisor (systemd, see
 * deploy/hocso.service) restarts it if it exits.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import compression from 'compression';
import sirv from 'sirv';
import { openConfiguredDb, DataDirLockedError } from '../server/db/connect.ts';
import { setDbHandle } from '../server/db/index.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { startJobWorker, type JobWorker } from '../server/jobs/worker.ts';
import { seedDemo, shouldSeedDemo } from '../server/demo/seed.ts';
import { signingKey, SigningKeyError } from '../server/certificates/signing.ts';
import { capRequestBody, continueAllowed } from '../web/body-cap.ts';
import { holdWholeResponse } from '../web/whole-response.ts';
import { formSecret, FormSecretError } from '../server/form-secret.ts';
import { isProduction } from '../server/config.ts';
import { baseHeaders, fallbackPolicy } from '../web/security-headers.ts';

process.env.ASTRO_NODE_LOGGING ??= 'disabled';
const port = Number(process.env.PORT || 4321);
const host = process.env.HOST || '127.0.0.1';
const dist = path.resolve(process.env.DIST_DIR || 'dist');

let handle;
try {
  handle = await openConfiguredDb();
} catch (err) {
  if (err instanceof DataDirLockedError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
setDbHandle(handle);
try {
  const applied = await migrateToLatest(handle.db);
  if (applied.length) console.log(`Đã áp dụng ${applied.length} migration.`);
  if (shouldSeedDemo()) {
    const n = await seedDemo(handle.db);
    if (n) console.log(`Đã tạo ${n} tài khoản mẫu.`);
  }
} catch (err) {
  // The site still starts: /healthz answers 503 and pages show the error page until the database is back.
  console.error(`Không chuẩn bị được cơ sở dữ liệu (${handle.kind}): ${(err as Error).message}`);
}

// Every app server also works background jobs (recounts, housekeeping), unless JOB_WORKER=0 (then
// run `npm run worker` on Postgres). pg-boss claims jobs with SKIP LOCKED, so several servers share
// them. The cron passes that send scheduled jobs run only in `npm run worker` on Postgres, never in an
// app server; on PGlite this server is the only process that can open the database, so it runs them.
let worker: JobWorker | undefined;
if (process.env.JOB_WORKER !== '0') {
  try {
    worker = await startJobWorker(handle.db, { schedule: handle.kind === 'pglite' });
  } catch (err) {
    console.error(`Không khởi động được hàng đợi việc nền: ${(err as Error).message}`);
  }
}

// Certificates are signed with OB_SIGNING_KEY (or a key kept in DATA_DIR outside production); say
// clearly at start-up when signing is refused, rather than at the first download.
try {
  await signingKey();
} catch (err) {
  if (!(err instanceof SigningKeyError)) throw err;
  console.error(err.message);
}
// Lesson-check forms are sealed with FORM_SECRET: say so at start-up rather than at the first check.
try {
  formSecret();
} catch (err) {
  if (!(err instanceof FormSecretError)) throw err;
  console.error(err.message);
}

const { handler } = (await import(pathToFileURL(path.join(dist, 'server', 'entry.mjs')).href)) as {
  handler: (req: http.IncomingMessage, res: http.ServerResponse, next?: (err?: unknown) => void) => void;
};

/**
 * The Content-Security-Policy Astro computed for each prerendered page (security.csp with the adapter's
 * staticHeaders), by path. On-demand pages carry theirs on the response.
 */
const pagePolicies = new Map<string, string>();
try {
  const entries = JSON.parse(fs.readFileSync(path.join(dist, '_headers.json'), 'utf8')) as { pathname: string; headers: { key: string; value: string }[] }[];
  for (const e of entries) {
    const csp = e.headers.find((h) => h.key.toLowerCase() === 'content-security-policy');
    if (csp) pagePolicies.set(e.pathname, csp.value);
  }
} catch (err) {
  // A site without prerendered pages has no such file; with them, their styles and scripts would be blocked.
  console.error(`Không đọc được ${path.join(dist, '_headers.json')} (trang dựng sẵn sẽ thiếu CSP riêng): ${(err as Error).message}`);
}
/** The page path a static file answers for: /a/b/index.html, /a/b.html and /a/b/ are all /a/b. */
const pagePath = (p: string) => p.replace(/(\/index)?\.html$/, '').replace(/(.)\/+$/, '$1') || '/';
const security = Object.entries(baseHeaders(isProduction()));

const compress = compression({ threshold: 512 });
const assets = sirv(path.join(dist, 'client'), {
  extensions: ['html'],
  setHeaders(res, pathname) {
    const policy = pagePolicies.get(pagePath(pathname));
    if (policy) res.setHeader('content-security-policy', policy);
    res.setHeader(
      'cache-control',
      pathname.startsWith('/_astro/')
        ? 'public, max-age=31536000, immutable'
        : // The service worker is checked at every visit, so a new deploy reaches phones at once.
          pathname === '/sw.js'
          ? 'no-cache'
          : 'public, max-age=300, must-revalidate',
    );
  },
});

const server = http.createServer((req, res) => {
  // Every body is capped here, whatever the route does with it (src/web/body-cap.ts).
  if (!capRequestBody(req, res)) return;
  // Defaults for every response; a page's own policy (static file above, or Astro's response header)
  // and public routes' CORP/CORS replace them.
  for (const [k, v] of security) res.setHeader(k, v);
  res.setHeader('content-security-policy', fallbackPolicy((req.url ?? '/').split('?')[0]!));
  // A GET answer leaves whole or not at all, so nginx can pass it to another server if this one dies
  // (src/web/whole-response.ts). Before compression wraps the response: what is held is compressed.
  if (req.method === 'GET' || req.method === 'HEAD') holdWholeResponse(res);
  compress(req as never, res as never, () => {
    // Static files answer GET/HEAD only; every other method goes to the app (which refuses or handles it).
    if (req.method !== 'GET' && req.method !== 'HEAD') return handler(req, res);
    assets(req, res, () => handler(req, res));
  });
});
// `Expect: 100-continue` with a body over the cap gets the 413 instead of an invitation to send it.
server.on('checkContinue', (req, res) => {
  if (!continueAllowed(req, res)) return;
  res.writeContinue();
  server.emit('request', req, res);
});
// Idle keep-alive connections close after 30 s, not Node's 5 s: a client reusing a connection at the
// moment the server drops it gets a reset (the request is lost), and a busy event loop widens that
// moment. Proxies in front keep theirs shorter (deploy/nginx.conf: 4 s), so they always close first.
server.keepAliveTimeout = 30_000;
server.listen(port, host, () => console.log(`Học Số đang chạy tại http://${host}:${port} (cơ sở dữ liệu: ${handle.kind})`));

const stop = async () => {
  server.close();
  // A recount in progress stops after its current commune and resumes from there on the next start.
  await worker?.stop().catch(() => {});
  await handle.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
