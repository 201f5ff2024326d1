/**
 * Migrates one template database per run; every test file then gets a fresh copy of it
 * (PGlite: a loaded dump in memory; Postgres: CREATE DATABASE … TEMPLATE).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openPglite, openPostgres } from '../../src/server/db/connect.ts';
import { migrateToLatest } from '../../src/server/db/migrate.ts';
import { adminUrl, databaseUrl, randomName } from './pg-admin.ts';

export default async function setup(project: TestProject) {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = randomName('hocso_tpl');
    const admin = await openPostgres(adminUrl(serverUrl), 1);
    const { sql } = await import('kysely');
    await sql.raw(`create database ${name}`).execute(admin.db);
    const tpl = await openPostgres(databaseUrl(serverUrl, name), 1);
    await migrateToLatest(tpl.db);
    await tpl.close();
    project.provide('dbTemplate', { kind: 'postgres', name });
    return async () => {
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
      await admin.close();
    };
  }
  const handle = await openPglite({});
  await migrateToLatest(handle.db);
  const dumpFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-tpl-')), 'template.tar.gz');
  const blob = await handle.pglite!.dumpDataDir('gzip');
  fs.writeFileSync(dumpFile, Buffer.from(await blob.arrayBuffer()));
  await handle.close();
  project.provide('dbTemplate', { kind: 'pglite', name: dumpFile });
  return () => fs.rmSync(path.dirname(dumpFile), { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    dbTemplate: { kind: 'pglite' | 'postgres'; name: string };
  }
}
