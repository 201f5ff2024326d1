/** An embedded database folder is opened by one process at a time. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { openPglite } from '../../src/server/db/connect.ts';

const run = promisify(execFile);

it('stops a second process with a clear message instead of opening the folder', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-lock-'));
  const handle = await openPglite({ dataDir: path.join(dir, 'db') });
  try {
    const r = await run(process.execPath, ['src/cli/migrate.ts'], { env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/đang được tiến trình \d+ sử dụng/);
  } finally {
    await handle.close();
  }
  // Once released, the folder opens again (a stale lock from a dead process is ignored too).
  fs.writeFileSync(path.join(dir, 'db', 'hocso.lock'), '999999');
  const again = await run(process.execPath, ['src/cli/migrate.ts'], { env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' } });
  expect(again.stdout).toMatch(/Đã áp dụng|mới nhất/);
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);
