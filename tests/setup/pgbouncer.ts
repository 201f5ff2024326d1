/**
 * A PgBouncer of our own in transaction pooling mode (Debian's /usr/sbin/pgbouncer), in front of a
 * Postgres server: a generated pgbouncer.ini in a temporary folder (a wildcard database entry, so
 * every database on the server is reachable by name; trust auth with an auth_file), a free port,
 * run in the foreground as a non-root user (PgBouncer refuses root). Used by tests/pgbouncer-run.ts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './server.ts';

export const PGBOUNCER = process.env.PGBOUNCER_BIN || '/usr/sbin/pgbouncer';

export interface Bouncer {
  /** postgres://…@127.0.0.1:<port>/postgres through PgBouncer. */
  url: string;
  /** Everything PgBouncer logged. */
  output: () => string;
  /** Stops PgBouncer (SIGTERM to its process group, then SIGKILL) and removes its folder. Idempotent. */
  stop: () => Promise<void>;
}

function exited(c: ChildProcess): Promise<void> {
  return c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));
}

/** Starts PgBouncer in front of `server` (a postgres:// URL: host, port and user are used). */
export async function startPgBouncer(server: string): Promise<Bouncer> {
  if (!fs.existsSync(PGBOUNCER)) throw new Error(`${PGBOUNCER} not found: apt-get install -y pgbouncer`);
  const target = new URL(server);
  const user = decodeURIComponent(target.username || 'postgres');
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-pgbouncer-'));
  const runAs = process.getuid?.() === 0 ? process.env.PG_RUN_AS || 'postgres' : undefined;
  fs.writeFileSync(path.join(dir, 'userlist.txt'), `"${user}" ""\n`);
  fs.writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      // Any database name goes to the same server: test databases created there are reachable at once.
      `* = host=${target.hostname} port=${target.port || 5432}`,
      '',
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 2000',
      'default_pool_size = 20',
      // Sent by some clients at start-up; PgBouncer would refuse the connection otherwise.
      'ignore_startup_parameters = extra_float_digits,options',
      'server_login_retry = 1',
      // The admin console (database `pgbouncer`), for tests that check what PgBouncer is doing.
      `admin_users = ${user}`,
      '',
    ].join('\n'),
  );
  if (runAs) {
    const uid = Number(execFileSync('id', ['-u', runAs], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', runAs], { encoding: 'utf8' }).trim());
    for (const f of ['', 'userlist.txt', 'pgbouncer.ini']) fs.chownSync(path.join(dir, f), uid, gid);
  }
  const ini = path.join(dir, 'pgbouncer.ini');
  // Its own process group, so stop() reaches PgBouncer behind runuser too.
  const child = runAs
    ? spawn('runuser', ['-u', runAs, '--', PGBOUNCER, ini], { cwd: '/', detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(PGBOUNCER, [ini], { cwd: '/', detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const killTimer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 10_000);
      await exited(child);
      clearTimeout(killTimer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const url = `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/postgres`;
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`pgbouncer exited: ${out}`);
      try {
        const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
        await c.connect();
        await c.query('select 1');
        await c.end();
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`pgbouncer did not answer at ${url}: ${(err as Error).message}\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, output: () => out, stop };
}
