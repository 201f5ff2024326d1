/**
 * Throwaway databases on the Postgres server named by DATABASE_URL, and the bookkeeping that lets a
 * test run find and remove everything it made, even after a crash.
 *
 * Every database a run creates is named `hocso_t<run>_<kind>_<random>`, where <run> is this run's id
 * (HOCSO_TEST_RUN, set once by tests/run.ts or the vitest global setup and inherited by every worker
 * and child process). Other runs on the same server (other checkouts, CI) use other ids, so a run
 * only ever drops its own databases.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openPostgres } from '../../src/server/db/connect.ts';
import { waitForReplay } from './replica.ts';

/**
 * The same server, connected to its maintenance database. When the app connects through a pooler
 * (PgBouncer, see tests/pgbouncer-run.ts), DATABASE_ADMIN_URL names the Postgres server behind it:
 * databases are created and dropped there, never through the pooler.
 */
export function adminUrl(url: string): string {
  return databaseUrl(directUrl(url), 'postgres');
}

/** `url` with the pooler (DATABASE_URL's host) replaced by the server behind it (DATABASE_ADMIN_URL), if any. */
export function directUrl(url: string): string {
  const admin = process.env.DATABASE_ADMIN_URL;
  const app = process.env.DATABASE_URL;
  if (!admin || !app || new URL(url).host !== new URL(app).host) return url;
  return databaseUrl(admin, new URL(url).pathname.slice(1));
}

/** The replica's URL for database `name`, when the run has one (DATABASE_READ_URL): the same database, replicated. */
export function replicaUrlFor(name: string): string | undefined {
  return process.env.DATABASE_READ_URL ? databaseUrl(process.env.DATABASE_READ_URL, name) : undefined;
}

/** The same server and credentials, another database. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A unique, safe database name (for tools outside a test run, such as benchmarks). */
export function randomName(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
}

/** This run's id, created on first use and exported to child processes through the environment. */
export function testRunId(): string {
  if (!/^[a-z0-9]{4,16}$/.test(process.env.HOCSO_TEST_RUN ?? '')) process.env.HOCSO_TEST_RUN = crypto.randomBytes(4).toString('hex');
  return process.env.HOCSO_TEST_RUN!;
}

/** The name prefix of every database created by run `run`. */
export function runPrefix(run = testRunId()): string {
  return `hocso_t${run}_`;
}

/** A new database name for this run; `kind` says who made it (tpl, test, http, e2e, backup…). */
export function testDbName(kind: string): string {
  return `${runPrefix()}${kind}_${crypto.randomBytes(4).toString('hex')}`;
}

/** This run's scratch folder (PGlite data folders, pid files of child servers). */
export function runDir(run = testRunId()): string {
  return path.join(os.tmpdir(), `hocso-test-${run}`);
}

/** A new scratch folder inside this run's folder. */
export function runTempDir(kind: string): string {
  fs.mkdirSync(runDir(), { recursive: true });
  return fs.mkdtempSync(path.join(runDir(), `${kind}-`));
}

/** A database created on the server, with the way to drop it. */
export interface ScratchDb {
  name: string;
  url: string;
  /** Drops the database, ending any session still connected to it. Idempotent. */
  drop: () => Promise<void>;
}

/** Creates a database for this run (optionally copied from `template`). */
export async function createScratchDb(server: string, kind: string, template?: string): Promise<ScratchDb> {
  const name = testDbName(kind);
  const admin = await openPostgres(adminUrl(server), 1);
  try {
    await sql.raw(`create database ${name}${template ? ` template ${template}` : ''}`).execute(admin.db);
  } finally {
    await admin.close();
  }
  // On a streaming replica the new database appears once the CREATE is replayed: wait for that.
  if (process.env.DATABASE_READ_URL) await waitForReplay(adminUrl(server), databaseUrl(process.env.DATABASE_READ_URL, 'postgres'));
  let dropped = false;
  return {
    name,
    url: databaseUrl(server, name),
    drop: async () => {
      if (dropped) return;
      const a = await openPostgres(adminUrl(server), 1);
      try {
        await sql.raw(`drop database if exists ${name} with (force)`).execute(a.db);
        dropped = true;
      } finally {
        await a.close();
      }
    },
  };
}

/** Names of the databases run `run` created that still exist. */
export async function runDatabases(server: string, run = testRunId()): Promise<string[]> {
  const prefix = runPrefix(run);
  const admin = await openPostgres(adminUrl(server), 1);
  try {
    const r = await sql<{ datname: string }>`select datname from pg_database where left(datname, ${prefix.length}) = ${prefix} order by datname`.execute(admin.db);
    return r.rows.map((x) => x.datname);
  } finally {
    await admin.close();
  }
}

/** Drops every database run `run` left behind; returns their names. */
export async function dropRunDatabases(server: string, run = testRunId()): Promise<string[]> {
  const left = await runDatabases(server, run);
  if (!left.length) return [];
  const admin = await openPostgres(adminUrl(server), 1);
  try {
    for (const name of left) await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
  } finally {
    await admin.close();
  }
  return left;
}

/** Records a child server's pid so the run's teardown can stop it if its test could not. */
export function recordChild(pid: number): () => void {
  const dir = path.join(runDir(), 'pids');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, String(pid));
  fs.writeFileSync(file, '');
  return () => fs.rmSync(file, { force: true });
}

/** Removes this run's scratch folder if nothing is left in it (for a lone process at its very end). */
export function removeRunDirIfEmpty(run = testRunId()): void {
  for (const dir of [path.join(runDir(run), 'pids'), runDir(run)]) {
    try {
      fs.rmdirSync(dir);
    } catch {
      /* missing or still in use */
    }
  }
}

/**
 * Kills (SIGKILL) every recorded child server (or `npm run cluster` supervisor) of run `run` that is
 * still alive, and stops (SIGTERM) a recorded nginx master running from the run's folder, checking
 * each pid still runs one of them (a pid may have been reused). Returns the pids it killed.
 */
export function killRunChildren(run = testRunId()): number[] {
  const dir = path.join(runDir(run), 'pids');
  if (!fs.existsSync(dir)) return [];
  const killed: number[] = [];
  for (const f of fs.readdirSync(dir)) {
    const pid = Number(f);
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      /* gone */
    }
    // Our servers and cluster supervisors get SIGKILL; an nginx master of this run (its scratch folder is
    // in the run's folder) gets SIGTERM, so it stops its workers too.
    const ours = cmdline.includes('src/cli/serve.ts') || cmdline.includes('src/cli/cluster.ts');
    const nginx = /^nginx: master process/.test(cmdline) && cmdline.includes(runDir(run));
    if (ours || nginx) {
      try {
        process.kill(pid, ours ? 'SIGKILL' : 'SIGTERM');
        killed.push(pid);
      } catch {
        /* exited meanwhile */
      }
    }
    fs.rmSync(path.join(dir, f), { force: true });
  }
  return killed;
}

/**
 * The end of a run: stops leftover child servers, drops leftover databases and removes the scratch
 * folder. Returns what had been left behind (empty when every test cleaned up after itself).
 */
export async function sweepRun(server: string | undefined, run = testRunId()): Promise<{ killed: number[]; databases: string[] }> {
  const killed = killRunChildren(run);
  const databases = server ? await dropRunDatabases(server, run) : [];
  fs.rmSync(runDir(run), { recursive: true, force: true });
  return { killed, databases };
}
