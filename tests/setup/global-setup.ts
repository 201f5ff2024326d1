/**
 * Migrates one template database per run; every test file then gets a fresh copy of it
 * (PGlite: a loaded dump in memory; Postgres: CREATE DATABASE … TEMPLATE).
 * The teardown then sweeps up after the whole run: child servers still alive, databases of this run
 * still on the Postgres server, scratch folders. Anything left behind fails the run, after removal.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openPglite, openPostgres } from '../../src/server/db/connect.ts';
import { migrateToLatest } from '../../src/server/db/migrate.ts';
import { createScratchDb, directUrl, runTempDir, sweepRun, testRunId } from './pg-admin.ts';

export default async function setup(project: TestProject) {
  // Set before any worker starts, so every worker and child process names its databases after this run.
  const run = testRunId();
  const serverUrl = process.env.DATABASE_URL;
  const teardown = async (template: () => Promise<void>) => {
    await template();
    const left = await sweepRun(serverUrl, run);
    if (left.killed.length || left.databases.length) {
      throw new Error(
        `Test run ${run} left things behind (now removed): ` +
          `${left.killed.length} server process(es) ${left.killed.join(', ')}; ` +
          `${left.databases.length} database(s) ${left.databases.join(', ')}. A test is missing its clean-up.`,
      );
    }
  };
  if (serverUrl) {
    const tpl = await createScratchDb(serverUrl, 'tpl');
    try {
      // Migrated on the server itself, not through a pooler: a pooler would keep server connections to
      // the template open, and CREATE DATABASE … TEMPLATE refuses a template anyone is connected to.
      const handle = await openPostgres(directUrl(tpl.url), 1);
      try {
        await migrateToLatest(handle.db);
      } finally {
        await handle.close();
      }
    } catch (err) {
      await tpl.drop();
      throw err;
    }
    project.provide('dbTemplate', { kind: 'postgres', name: tpl.name });
    return () => teardown(tpl.drop);
  }
  const handle = await openPglite({});
  await migrateToLatest(handle.db);
  const dumpFile = path.join(runTempDir('tpl'), 'template.tar.gz');
  const blob = await handle.pglite!.dumpDataDir('gzip');
  fs.writeFileSync(dumpFile, Buffer.from(await blob.arrayBuffer()));
  await handle.close();
  project.provide('dbTemplate', { kind: 'pglite', name: dumpFile });
  return () => teardown(async () => fs.rmSync(path.dirname(dumpFile), { recursive: true, force: true }));
}

declare module 'vitest' {
  export interface ProvidedContext {
    dbTemplate: { kind: 'pglite' | 'postgres'; name: string };
  }
}
