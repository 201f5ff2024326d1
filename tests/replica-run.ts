/**
 * `npm run test:replica [-- files…]`: starts a Postgres primary and a streaming replica of our own
 * (tests/setup/replica.ts: temporary folders, free ports, run as a non-root user), runs a named
 * subset of the integration suite with DATABASE_URL on the primary and DATABASE_READ_URL on the
 * replica (test databases are created on the primary and read through the replica by the same
 * name), then stops both and removes their folders. The default subset is the officials' tests
 * plus the replica's own test (HOCSO_REPLICA_TESTS=1). Needs `npm run build` first.
 */
import { databaseUrl } from './setup/pg-admin.ts';
import { startReplicaPair } from './setup/replica.ts';
import { runVitest } from './setup/run-vitest.ts';

// The officials' tests that read reports (teams-cli's commands never read the replica: it runs
// through PgBouncer instead), the household dashboards, scorecard and monthly report, and the
// replica's own test (which checks the household pages read the replica).
export const REPLICA_SUBSET = [
  'tests/integration/teams.test.ts',
  'tests/integration/teams-http.test.ts',
  'tests/integration/households.test.ts',
  'tests/integration/scorecard-report.test.ts',
  'tests/integration/replica.test.ts',
];

const files = process.argv.slice(2).filter((a) => a !== '--');
const started = Date.now();
console.log('▶ starting a Postgres primary and streaming replica (tests/setup/replica.ts)');
const pair = await startReplicaPair();
console.log(`▶ primary ${pair.primaryUrl}, replica ${pair.replicaUrl} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
const code = await runVitest(
  files.length ? files : REPLICA_SUBSET,
  { DATABASE_URL: databaseUrl(pair.primaryUrl, 'postgres'), DATABASE_READ_URL: databaseUrl(pair.replicaUrl, 'postgres'), HOCSO_REPLICA_TESTS: '1' },
  async () => {
    await pair.stop();
    console.log(`▶ primary and replica stopped and removed (${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
  },
);
process.exit(code);
