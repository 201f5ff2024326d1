/** A fresh, migrated database for the calling test file. */
import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, inject } from 'vitest';
import { openPglite, openPostgres, type DbHandle } from '../../src/server/db/connect.ts';
import { adminUrl, databaseUrl, randomName } from './pg-admin.ts';

/** Creates a database copied from the run's migrated template; dropped after the file. */
export async function createTestDb(): Promise<DbHandle & { url?: string }> {
  const tpl = inject('dbTemplate');
  if (tpl.kind === 'pglite') {
    const blob = new Blob([fs.readFileSync(tpl.name)]);
    const handle = await openPglite({ loadDataDir: blob });
    afterAll(() => handle.close());
    return handle;
  }
  const server = process.env.DATABASE_URL!;
  const name = randomName('hocso_test');
  const admin = await openPostgres(adminUrl(server), 1);
  await sql.raw(`create database ${name} template ${tpl.name}`).execute(admin.db);
  const url = databaseUrl(server, name);
  const handle = await openPostgres(url, 10);
  afterAll(async () => {
    await handle.close();
    await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
    await admin.close();
  });
  return { ...handle, url };
}
