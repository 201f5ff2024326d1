/**
 * npm test: builds the site (unless HOCSO_SKIP_BUILD=1, as .ci/run does after building once), runs
 * the unit and integration tests (vitest), then the browser tests (Playwright on Debian's Chromium).
 * Without a Chromium the browser tests are skipped LOUDLY; with CI=true that is a failure.
 * Ends with one line "N passed, N failed, N skipped".
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { runDatabases, sweepRun, testRunId } from './setup/pg-admin.ts';
import { freePort } from './setup/server.ts';

// One id for the whole run, inherited by vitest, Playwright and every server they start: each names its
// databases and scratch folders after it, and the check at the end finds whatever was left behind.
const run = testRunId();
const env = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', HOCSO_TEST_RUN: run };
const ci = ['1', 'true'].includes((process.env.CI || '').toLowerCase());
const npmExec = (args: string[]) => spawnSync('npm', args, { stdio: 'inherit', env });

function banner(text: string) {
  const line = '!'.repeat(78);
  console.error(`\n${line}\n${text}\n${line}\n`);
}

if (process.env.HOCSO_SKIP_BUILD !== '1') {
  console.log('▶ astro build');
  if (npmExec(['run', '--silent', 'build']).status !== 0) process.exit(1);
}

fs.mkdirSync('reports', { recursive: true });
console.log(`▶ vitest (database: ${process.env.DATABASE_URL ? 'Postgres server' : 'PGlite'})`);
const unit = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile=reports/vitest.json'], { stdio: 'inherit', env });

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];
const chromium = candidates.find((p) => fs.existsSync(p));
let e2eStatus = 0;
let e2eSkipped = false;
if (process.env.HOCSO_SKIP_E2E === '1') {
  // CI runs the browser suite once, on PGlite; the Postgres pass covers the database layer with vitest.
  console.log('▶ playwright skipped (HOCSO_SKIP_E2E=1)');
  e2eSkipped = true;
} else if (!chromium) {
  banner(
    'NO CHROMIUM FOUND — BROWSER TESTS SKIPPED.\n' +
      'Install Debian\'s Chromium (apt-get install -y chromium) or set CHROMIUM_PATH.' +
      (ci ? '\nCI=true: a missing browser is a failure.' : ''),
  );
  e2eSkipped = true;
  if (ci) e2eStatus = 1;
} else {
  const port = await freePort();
  console.log(`▶ playwright (${chromium}, server on port ${port})`);
  const r = spawnSync('npx', ['playwright', 'test'], { stdio: 'inherit', env: { ...env, CHROMIUM_PATH: chromium, E2E_PORT: String(port) } });
  e2eStatus = r.status ?? 1;
}

function count(file: string, pick: (j: any) => [number, number, number]): [number, number, number] {
  try {
    return pick(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return [0, 0, 0];
  }
}
const [vp, vf, vs] = count('reports/vitest.json', (j) => [j.numPassedTests, j.numFailedTests, j.numPendingTests + j.numTodoTests]);
const [ep, ef, es] = e2eSkipped ? [0, 0, 0] : count('reports/e2e.json', (j) => [j.stats.expected, j.stats.unexpected + j.stats.flaky, j.stats.skipped]);

// Nothing of this run may outlive it: databases on the Postgres server, server processes, scratch folders.
const leftDbs = process.env.DATABASE_URL ? await runDatabases(process.env.DATABASE_URL, run) : [];
const swept = await sweepRun(process.env.DATABASE_URL, run);
const leaked = leftDbs.length > 0 || swept.killed.length > 0;
if (leaked) {
  banner(
    `TEST RUN ${run} LEFT THINGS BEHIND (now removed):\n` +
      (leftDbs.length ? `databases: ${leftDbs.join(', ')}\n` : '') +
      (swept.killed.length ? `server processes: ${swept.killed.join(', ')}\n` : '') +
      'Some test or setup is missing its clean-up.',
  );
} else {
  console.log(`▶ clean-up check: run ${run} left no database${process.env.DATABASE_URL ? '' : ' (PGlite run)'} and no server process behind`);
}

const failed = vf + ef + (unit.status !== 0 && vf === 0 ? 1 : 0) + (e2eStatus !== 0 && ef === 0 ? 1 : 0) + (leaked ? 1 : 0);
console.log(`\n${vp + ep} passed, ${failed} failed, ${vs + es} skipped`);
process.exit(unit.status === 0 && e2eStatus === 0 && !leaked ? 0 : 1);
