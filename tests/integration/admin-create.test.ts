/** npm run admin:create: creates or promotes an admin, refuses common passwords, idempotent. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type DbHandle } from '../../src/server/db/connect.ts';
import { migrateToLatest } from '../../src/server/db/migrate.ts';
import { createTestDb } from '../setup/db.ts';

let env: NodeJS.ProcessEnv;
let open: () => Promise<DbHandle>;
let scratchDir: string | undefined;
// At the top level: vitest never runs an afterAll registered from inside beforeAll.
afterAll(() => scratchDir && fs.rmSync(scratchDir, { recursive: true, force: true }));
beforeAll(async () => {
  if (process.env.DATABASE_URL) {
    const t = await createTestDb();
    env = { ...process.env, DATABASE_URL: t.url! };
    open = async () => ({ ...t, close: async () => {} });
  } else {
    const dir = (scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-admin-')));
    env = { ...process.env, DATA_DIR: dir };
    delete env.DATABASE_URL;
    open = async () => {
      const h = await openPglite({ dataDir: path.join(dir, 'db') });
      await migrateToLatest(h.db);
      return h;
    };
  }
});

function run(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; out: string }> {
  const child = spawn(process.execPath, ['src/cli/admin-create.ts', ...args], { env: { ...env, ...extra } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, out })));
}

// Each run opens the embedded database in a new process (seconds on a busy machine).
const SLOW = 180_000;

async function user(phone: string) {
  const h = await open();
  try {
    return await h.db.selectFrom('user').select(['role', 'display_name', 'password_hash']).where('phone', '=', phone).executeTakeFirst();
  } finally {
    await h.close();
  }
}

describe('admin:create', () => {
  it('refuses a common password and a bad number, creating nothing', async () => {
    const common = await run(['--phone', '0912345670', '--name', 'Quản Trị', '--password', 'matkhau123']);
    expect(common.status).not.toBe(0);
    expect(common.out).toMatch(/quá phổ biến/);
    const bad = await run(['--phone', '12345']);
    expect(bad.status).not.toBe(0);
    expect(bad.out).toMatch(/Số điện thoại/);
    expect(await user('+84912345670')).toBeUndefined();
  }, SLOW);

  it('creates an admin from environment variables, then promotes idempotently keeping the password', async () => {
    const made = await run([], { ADMIN_PHONE: '0912 345 671', ADMIN_NAME: 'Nguyễn Văn Quản', ADMIN_PASSWORD: 'ba con mèo trèo cây cau' });
    expect(made.status, made.out).toBe(0);
    expect(made.out).toMatch(/Đã tạo tài khoản quản trị/);
    const first = await user('+84912345671');
    expect(first).toMatchObject({ role: 'admin', display_name: 'Nguyễn Văn Quản' });
    const again = await run(['--phone', '0912345671']);
    expect(again.status, again.out).toBe(0);
    expect(again.out).toMatch(/nay là quản trị viên/);
    expect((await user('+84912345671'))!.password_hash).toBe(first!.password_hash);
  }, SLOW);
});
