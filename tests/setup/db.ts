/** A fresh, migrated database for the calling test file. */
import fs from 'node:fs';
import { afterAll, inject } from 'vitest';
import { openPglite, openPostgres, withReplica, type DbHandle } from '../../src/server/db/connect.ts';
import { createScratchDb, replicaUrlFor } from './pg-admin.ts';

// Registered while the test file is being collected (this module is imported at its top). A hook
// registered later, from inside beforeAll, is silently never run by vitest: that is how every
// Postgres test database used to outlive its run.
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  const errors: unknown[] = [];
  for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => errors.push(e));
  if (errors.length) throw errors[0];
});

/** Creates a database copied from the run's migrated template; closed (and dropped) after the file. */
export async function createTestDb(): Promise<DbHandle & { url?: string }> {
  const tpl = inject('dbTemplate');
  if (tpl.kind === 'pglite') {
    const blob = new Blob([fs.readFileSync(tpl.name)]);
    const handle = await openPglite({ loadDataDir: blob });
    cleanups.push(() => handle.close());
    return handle;
  }
  const scratch = await createScratchDb(process.env.DATABASE_URL!, 'test', tpl.name);
  cleanups.push(scratch.drop);
  // With DATABASE_READ_URL (a streaming replica of DATABASE_URL's server), `read` is the same database there.
  const readUrl = replicaUrlFor(scratch.name);
  const primary = await openPostgres(scratch.url, 10);
  const handle = readUrl ? await withReplica(primary, readUrl, 10) : primary;
  cleanups.push(() => handle.close());
  return { ...handle, url: scratch.url };
}
