/**
 * Production server: opens the database (taking the PGlite folder lock), migrates, seeds demo data
 * where allowed, then serves the built Astro app with brotli/gzip compression and static files.
 * Every request body is capped at the http level (src/web/body-cap.ts). Run through npm so it uses
 * the pinned Node 24. It restarts nothing by itself: in production a supervisor (systemd, see
 * deploy/hocso.service) restarts it if it exits.
 */
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import compression from 'compression';
import sirv from 'sirv';
import { openConfiguredDb, DataDirLockedError } from '../server/db/connect.ts';
import { setDbHandle } from '../server/db/index.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { seedDemo, shouldSeedDemo } from '../server/demo/seed.ts';
import { signingKey, SigningKeyError } from '../server/certificates/signing.ts';
import { capRequestBody, continueAllowed } from '../web/body-cap.ts';
import { formSecret, FormSecretError } from '../server/form-secret.ts';

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

const compress = compression({ threshold: 512 });
const assets = sirv(path.join(dist, 'client'), {
  extensions: ['html'],
  setHeaders(res, pathname) {
    res.setHeader(
      'cache-control',
      pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=300, must-revalidate',
    );
  },
});

const server = http.createServer((req, res) => {
  // Every body is capped here, whatever the route does with it (src/web/body-cap.ts).
  if (!capRequestBody(req, res)) return;
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'strict-origin-when-cross-origin');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('permissions-policy', 'camera=(), microphone=(), geolocation=()');
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
server.listen(port, host, () => console.log(`Học Số đang chạy tại http://${host}:${port} (cơ sở dữ liệu: ${handle.kind})`));

const stop = async () => {
  server.close();
  await handle.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
