/**
 * npm test: builds the site (unless HOCSO_SKIP_BUILD=1, as .ci/run does after building once), runs
 * the unit and integration tests (vitest), then the browser tests (Playwright on Debian's Chromium).
 * Without a Chromium the browser tests are skipped LOUDLY; with CI=true that is a failure.
 * Ends with one line "N passed, N failed, N skipped".
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const env = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' };
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

fs.mkdirSync('test-results', { recursive: true });
console.log(`▶ vitest (database: ${process.env.DATABASE_URL ? 'Postgres server' : 'PGlite'})`);
const unit = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json'], { stdio: 'inherit', env });
// Playwright empties test-results/ (its output folder) when it starts: read vitest's report first.
const vitestReport = fs.existsSync('test-results/vitest.json') ? fs.readFileSync('test-results/vitest.json', 'utf8') : '';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];
const chromium = candidates.find((p) => fs.existsSync(p));
let e2eStatus = 0;
let e2eSkipped = false;
if (!chromium) {
  banner(
    'NO CHROMIUM FOUND — BROWSER TESTS SKIPPED.\n' +
      'Install Debian\'s Chromium (apt-get install -y chromium) or set CHROMIUM_PATH.' +
      (ci ? '\nCI=true: a missing browser is a failure.' : ''),
  );
  e2eSkipped = true;
  if (ci) e2eStatus = 1;
} else {
  console.log(`▶ playwright (${chromium})`);
  const r = spawnSync('npx', ['playwright', 'test'], { stdio: 'inherit', env: { ...env, CHROMIUM_PATH: chromium } });
  e2eStatus = r.status ?? 1;
}

function count(file: string, pick: (j: any) => [number, number, number]): [number, number, number] {
  try {
    return pick(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return [0, 0, 0];
  }
}
fs.mkdirSync('test-results', { recursive: true });
if (vitestReport) fs.writeFileSync('test-results/vitest.json', vitestReport);
const [vp, vf, vs] = count('test-results/vitest.json', (j) => [j.numPassedTests, j.numFailedTests, j.numPendingTests + j.numTodoTests]);
const [ep, ef, es] = e2eSkipped ? [0, 0, 0] : count('test-results/e2e.json', (j) => [j.stats.expected, j.stats.unexpected + j.stats.flaky, j.stats.skipped]);
const failed = vf + ef + (unit.status !== 0 && vf === 0 ? 1 : 0) + (e2eStatus !== 0 && ef === 0 ? 1 : 0);
console.log(`\n${vp + ep} passed, ${failed} failed, ${vs + es} skipped`);
process.exit(unit.status === 0 && e2eStatus === 0 ? 0 : 1);
