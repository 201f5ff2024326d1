/**
 * /healthz is readiness, not just `select 1`: a database behind the code (a migration in the folder
 * not applied) or one with no tables at all answers 503 with a Vietnamese message; once the schema
 * matches again it answers 200. The migrations folder is a copy, so the test can add one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/server/db/connect.ts';
import { runTempDir } from '../setup/pg-admin.ts';
import { startServer, type TestServer } from '../setup/server.ts';

let server: TestServer;
let migrations: string;

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  // A copy the test may add to; node_modules beside it so the migrations still import kysely.
  const root = runTempDir('migrations');
  fs.symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'), 'dir');
  migrations = path.join(root, 'migrations');
  fs.cpSync('migrations', migrations, { recursive: true });
  server = await startServer({ MIGRATIONS_DIR: migrations });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  if (migrations) fs.rmSync(path.dirname(migrations), { recursive: true, force: true });
});

async function health(): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${server.url}/healthz`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('/healthz checks the schema, not only the connection', () => {
  it('answers 200 when every migration is applied', async () => {
    const h = await health();
    expect(h.status).toBe(200);
    expect(h.body.status).toBe('ok');
  });

  it('answers 503 when the folder holds a migration the database has not applied, and 200 again without it', async () => {
    const extra = path.join(migrations, '2099_01_01_000000_not_applied_yet.ts');
    fs.writeFileSync(extra, 'export async function up(): Promise<void> {}\n');
    try {
      const h = await health();
      expect(h.status).toBe(503);
      expect(h.body).toMatchObject({ status: 'error', pending: 1, message: expect.stringMatching(/chưa được cập nhật cấu trúc/) });
    } finally {
      fs.rmSync(extra);
    }
    expect((await health()).status).toBe(200);
  });

  it.runIf(Boolean(process.env.DATABASE_URL))('answers 503 for a database with no tables (Postgres)', async () => {
    const admin = await openPostgres(server.database.url!, 1);
    try {
      await sql`drop schema public cascade`.execute(admin.db);
      await sql`create schema public`.execute(admin.db);
    } finally {
      await admin.close();
    }
    const h = await health();
    expect(h.status).toBe(503);
    expect(h.body.pending).toBe(fs.readdirSync(migrations).filter((f) => /\.(ts|js)$/.test(f)).length);
  });
});
