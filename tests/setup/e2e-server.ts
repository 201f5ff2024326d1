/**
 * The server for browser tests: a fresh database (a new PGlite folder, or a throwaway database on the
 * Postgres server named by DATABASE_URL), migrated, with demo data and the pool of test accounts
 * (tests/setup/e2e-accounts.ts), then src/cli/serve.ts. Playwright stops it with SIGTERM
 * (`gracefulShutdown` in playwright.config.ts); it then stops the server and removes the database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { openConfiguredDb } from '../../src/server/db/connect.ts';
import { migrateToLatest } from '../../src/server/db/migrate.ts';
import { hashPassword } from '../../src/server/auth/password.ts';
import { seedDemo } from '../../src/server/demo/seed.ts';
import { createScratchDb, recordChild, removeRunDirIfEmpty, runTempDir } from './pg-admin.ts';
import { POOL_PASSWORD, poolPhones } from './e2e-accounts.ts';
import { DEMO_TEAMS } from '../../src/server/teams/seed.ts';
import * as teamsRepo from '../../src/server/teams/teams.repository.ts';
import { recountAll } from '../../src/server/teams/counters.ts';

const env: NodeJS.ProcessEnv = { ...process.env };
let cleanup: () => Promise<void> | void = () => {};
let child: ChildProcess | undefined;
let stopping = false;

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  try {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
  } finally {
    await cleanup();
    removeRunDirIfEmpty();
    process.exit(code);
  }
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));

try {
  if (process.env.DATABASE_URL) {
    const scratch = await createScratchDb(process.env.DATABASE_URL, 'e2e');
    env.DATABASE_URL = scratch.url;
    cleanup = scratch.drop;
  } else {
    const dir = runTempDir('e2e');
    env.DATA_DIR = dir;
    cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const handle = await openConfiguredDb(env);
  try {
    await migrateToLatest(handle.db);
    await seedDemo(handle.db);
    const hash = await hashPassword(POOL_PASSWORD);
    await handle.db
      .insertInto('user')
      .values(poolPhones().map((phone, i) => ({ phone, display_name: `Người học thử ${i + 1}`, password_hash: hash })))
      .onConflict((oc) => oc.column('phone').doNothing())
      .execute();
    // Members overdue on a required course, for the dashboards' overdue figures and reminders: the
    // forms refuse a past due date, so the test data sets one directly (10 days ago) in commune A.
    const commune = await teamsRepo.findUnitByStatCode(handle.db, DEMO_TEAMS.communeA);
    const official = await teamsRepo.findUserByPhone(handle.db, DEMO_TEAMS.officialA);
    if (commune && official) {
      const due = new Date(Date.now() + 7 * 3600_000 - 10 * 86_400_000).toISOString().slice(0, 10);
      await teamsRepo.upsertAssignment(handle.db, { unitId: commune.id, course: 'bao-ve-ban-than', edition: 'member', due, by: official.id });
      await recountAll(handle.db, { fix: true });
    }
  } finally {
    await handle.close();
  }
} catch (err) {
  console.error(err);
  await stop(1);
}

// Demo data is in place already; the server must not seed again.
child = spawn(process.execPath, ['src/cli/serve.ts'], { env: { ...env, SEED_DEMO: '0' }, stdio: 'inherit' });
const forget = recordChild(child.pid!);
child.on('exit', (code) => {
  forget();
  void stop(code ?? 1);
});
