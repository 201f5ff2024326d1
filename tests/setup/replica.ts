/**
 * A real Postgres primary and streaming replica of our own, for the read-replica tests: initdb into
 * a temporary folder (as the `postgres` user when run as root: Postgres refuses to run as root),
 * replication allowed from 127.0.0.1 in that cluster's own pg_hba.conf, pg_basebackup -R into a
 * second folder, both on free ports. The shared server on 5432 is never touched.
 *
 * Used by tests/integration/replica.test.ts (its own pair, so pausing replay there disturbs no
 * other test file) and by tests/replica-run.ts (CI: a named subset of the integration suite with
 * DATABASE_READ_URL set).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './server.ts';

/** The folder of the Postgres server binaries: PG_BIN, or the newest /usr/lib/postgresql/<n>/bin. */
export function postgresBin(): string | undefined {
  if (process.env.PG_BIN) return fs.existsSync(path.join(process.env.PG_BIN, 'initdb')) ? process.env.PG_BIN : undefined;
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

/** The account the clusters run as: ourselves, or `postgres` when we are root. */
function runAs(): { user?: string; uid: number; gid: number } {
  if (process.getuid?.() !== 0) return { uid: process.getuid!(), gid: process.getgid!() };
  const user = process.env.PG_RUN_AS || 'postgres';
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { user, uid, gid };
}

/** Runs a Postgres binary as the cluster's user; throws with its output when it fails. */
function pgRun(bin: string, tool: string, args: string[], user: string | undefined, timeout = 120_000): string {
  const cmd = user ? 'runuser' : path.join(bin, tool);
  const argv = user ? ['-u', user, '--', path.join(bin, tool), ...args] : args;
  // A neutral working directory the cluster user can enter (ours may be /root).
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: '/', timeout, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stdout}\n${r.stderr}${r.error ? `\n${r.error.message}` : ''}`);
  return r.stdout;
}

export interface ReplicaPair {
  /** Connection URLs (database `postgres`, user `postgres`, trust). */
  primaryUrl: string;
  replicaUrl: string;
  /** The folder holding both clusters (removed by `stop`). */
  dir: string;
  /** Stops both servers and removes their folders. Idempotent. */
  stop: () => Promise<void>;
}

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Waits until the replica has replayed everything the primary has written so far (for instance a
 * CREATE DATABASE, before connecting to the new database on the replica).
 */
export async function waitForReplay(primaryUrl: string, replicaUrl: string, timeoutMs = 120_000): Promise<void> {
  const lsn = (await query<{ lsn: string }>(primaryUrl, 'select pg_current_wal_lsn()::text as lsn'))[0]!.lsn;
  await until(
    `the replica to replay up to ${lsn}`,
    async () => {
      const [r] = await query<{ ok: boolean | null }>(replicaUrl, 'select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok', [lsn]);
      return r?.ok === true;
    },
    timeoutMs,
  );
}

/** Starts a primary and a streaming replica on free ports. Throws (after cleaning up) if it cannot. */
export async function startReplicaPair(): Promise<ReplicaPair> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found (set PG_BIN, e.g. /usr/lib/postgresql/15/bin).');
  const who = runAs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-replica-'));
  fs.chownSync(dir, who.uid, who.gid);
  fs.chmodSync(dir, 0o700);
  const primaryDir = path.join(dir, 'primary');
  const replicaDir = path.join(dir, 'replica');
  const started: string[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const d of started.reverse()) {
      try {
        pgRun(bin, 'pg_ctl', ['-D', d, '-m', 'immediate', '-w', '-t', '60', 'stop'], who.user);
      } catch (err) {
        console.error(`[replica] ${(err as Error).message}`);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [primaryPort, replicaPort] = [await freePort(), await freePort()];
    pgRun(bin, 'initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], who.user);
    // Throwaway test clusters: durability off for speed; the replica streams through a slot.
    fs.appendFileSync(
      path.join(primaryDir, 'postgresql.conf'),
      [
        '',
        '# hocso test primary (tests/setup/replica.ts)',
        `port = ${primaryPort}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        'wal_level = replica',
        'max_wal_senders = 4',
        'max_replication_slots = 4',
        'hot_standby = on',
        'max_connections = 200',
        'shared_buffers = 32MB',
        'fsync = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(primaryDir, 'pg_hba.conf'),
      ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust', ''].join('\n'),
    );
    pgRun(bin, 'pg_ctl', ['-D', primaryDir, '-l', path.join(dir, 'primary.log'), '-w', '-t', '60', 'start'], who.user);
    started.push(primaryDir);
    pgRun(
      bin,
      'pg_basebackup',
      ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '-C', '-S', 'hocso_replica', '--checkpoint=fast'],
      who.user,
    );
    fs.appendFileSync(path.join(replicaDir, 'postgresql.conf'), `\n# hocso test replica\nport = ${replicaPort}\n`);
    pgRun(bin, 'pg_ctl', ['-D', replicaDir, '-l', path.join(dir, 'replica.log'), '-w', '-t', '60', 'start'], who.user);
    started.push(replicaDir);
    const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
    const replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/postgres`;
    await until('the replica to be in recovery', async () => (await query<{ r: boolean }>(replicaUrl, 'select pg_is_in_recovery() as r'))[0]?.r === true);
    await until(
      'the primary to stream to the replica',
      async () => (await query<{ n: number }>(primaryUrl, "select count(*)::int as n from pg_stat_replication where state = 'streaming'"))[0]?.n === 1,
    );
    // A write on the primary must show on the replica.
    await query(primaryUrl, 'create table hocso_replica_probe (id int); drop table hocso_replica_probe');
    await waitForReplay(primaryUrl, replicaUrl);
    return { primaryUrl, replicaUrl, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
