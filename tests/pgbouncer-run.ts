/**
 * `npm run test:pgbouncer [-- files…]`: starts PgBouncer in transaction pooling mode in front of the
 * Postgres server named by DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * runs a named subset of the integration suite with DATABASE_URL pointing at PgBouncer, then stops
 * it. Test databases are created and dropped directly on Postgres (DATABASE_ADMIN_URL, see
 * tests/setup/pg-admin.ts); the tests, the servers they start and the CLI commands they run all
 * connect through PgBouncer. Needs `npm run build` first.
 */
import { databaseUrl } from './setup/pg-admin.ts';
import { startPgBouncer } from './setup/pgbouncer.ts';
import { runVitest } from './setup/run-vitest.ts';

export const PGBOUNCER_SUBSET = [
  'tests/integration/teams.test.ts',
  'tests/integration/teams-http.test.ts',
  'tests/integration/teams-cli.test.ts',
  'tests/integration/learning.test.ts',
  'tests/integration/certificates.test.ts',
  'tests/integration/rate-limits.test.ts',
  'tests/integration/housekeeping.test.ts',
  'tests/integration/pgbouncer.test.ts',
];

const files = process.argv.slice(2).filter((a) => a !== '--');
const admin = process.env.DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const started = Date.now();
const bouncer = await startPgBouncer(admin);
console.log(`▶ PgBouncer (transaction pooling) at ${bouncer.url} in front of ${new URL(admin).host}`);
const code = await runVitest(
  files.length ? files : PGBOUNCER_SUBSET,
  { DATABASE_URL: databaseUrl(bouncer.url, 'postgres'), DATABASE_ADMIN_URL: admin, HOCSO_PGBOUNCER: '1' },
  async () => {
    await bouncer.stop();
    console.log(`▶ PgBouncer stopped (${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
  },
);
process.exit(code);
