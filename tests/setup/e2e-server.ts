/**
 * The server for browser tests: a fresh database (a new PGlite folder, or a throwaway database on the
 * Postgres server named by DATABASE_URL), demo data, then src/cli/serve.ts. Cleans up on exit.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openPostgres } from '../../src/server/db/connect.ts';
import { adminUrl, databaseUrl, randomName } from './pg-admin.ts';

const env: NodeJS.ProcessEnv = { ...process.env, SEED_DEMO: '1' };
let cleanup: () => Promise<void> | void;
if (process.env.DATABASE_URL) {
  const name = randomName('hocso_e2e');
  const admin = await openPostgres(adminUrl(process.env.DATABASE_URL), 1);
  await sql.raw(`create database ${name}`).execute(admin.db);
  env.DATABASE_URL = databaseUrl(process.env.DATABASE_URL, name);
  cleanup = async () => {
    await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
    await admin.close();
  };
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-e2e-'));
  env.DATA_DIR = dir;
  cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
}

const child = spawn(process.execPath, ['src/cli/serve.ts'], { env, stdio: 'inherit' });
let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await cleanup();
  process.exit(code);
}
child.on('exit', (code) => void stop(code ?? 1));
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
