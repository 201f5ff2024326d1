/**
 * The test setup cleans up after itself: a server that fails to start leaves no database, folder or
 * process; the end-of-run sweep drops a run's leftover databases and kills its leftover servers, and
 * touches nothing of other runs. Each case works under a run id of its own, so files running in
 * parallel (with their own databases) cannot disturb what it counts.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createScratchDb, recordChild, runDatabases, runDir, sweepRun, testRunId } from '../setup/pg-admin.ts';
import { startServer } from '../setup/server.ts';

const server = process.env.DATABASE_URL;
let outer: string;
let inner: string;
beforeEach(() => {
  outer = testRunId();
  inner = `sub${crypto.randomBytes(4).toString('hex')}`;
  process.env.HOCSO_TEST_RUN = inner;
});
afterEach(async () => {
  process.env.HOCSO_TEST_RUN = outer;
  await sweepRun(server, inner);
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('a server that cannot start leaves nothing behind', async () => {
  await expect(startServer({ DIST_DIR: path.resolve('does-not-exist') })).rejects.toThrow(/server exited/);
  if (server) expect(await runDatabases(server, inner)).toEqual([]);
  const left = fs.existsSync(runDir(inner)) ? fs.readdirSync(runDir(inner)).filter((f) => f !== 'pids') : [];
  expect(left).toEqual([]);
  const pids = path.join(runDir(inner), 'pids');
  expect(fs.existsSync(pids) ? fs.readdirSync(pids) : []).toEqual([]);
}, 120_000);

it('the sweep kills the run’s leftover servers and drops its databases, and only those', async () => {
  // A stand-in for a server whose test never stopped it (same entry in its command line).
  const orphan = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'src/cli/serve.ts'], { stdio: 'ignore' });
  const gone = new Promise((r) => orphan.once('exit', r));
  recordChild(orphan.pid!);
  // A recorded pid that is not one of our servers (this very process) must survive the sweep.
  recordChild(process.pid);
  const mine = server ? await createScratchDb(server, 'left') : undefined;
  process.env.HOCSO_TEST_RUN = outer;
  const others = server ? await createScratchDb(server, 'other') : undefined;
  try {
    const swept = await sweepRun(server, inner);
    await gone;
    expect(swept.killed).toEqual([orphan.pid]);
    expect(alive(orphan.pid!)).toBe(false);
    expect(alive(process.pid)).toBe(true);
    expect(swept.databases).toEqual(mine ? [mine.name] : []);
    if (server) {
      expect(await runDatabases(server, inner)).toEqual([]);
      expect(await runDatabases(server, outer)).toContain(others!.name);
    }
    expect(fs.existsSync(runDir(inner))).toBe(false);
  } finally {
    await others?.drop();
    if (alive(orphan.pid!)) orphan.kill('SIGKILL');
  }
}, 120_000);
