/**
 * Starts the built server (src/cli/serve.ts) as a child process on a free port with its own fresh
 * database: a new PGlite folder, or a new database on the Postgres server when DATABASE_URL is set.
 * If start-up fails, the child is killed and its database dropped before the error is thrown; a child
 * its test never stopped is killed by the run's teardown (its pid is recorded).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import { createScratchDb, recordChild, replicaUrlFor, runTempDir } from './pg-admin.ts';

export interface TestServer {
  url: string;
  /** Process id of the current server process. */
  readonly pid: number;
  /** Where its database lives: the PGlite folder (DATA_DIR) or the Postgres URL (DATABASE_URL). */
  readonly database: { dataDir?: string; url?: string };
  /** Everything the server printed (for assertions that nothing leaked), across restarts. */
  output: () => string;
  /** Stops the server (SIGTERM) and drops its database. */
  stop: () => Promise<void>;
  /** Sends `signal` to the server process and waits until it has exited; the database is kept. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
  /** Starts the server again on the same port and database (after `kill`). */
  restart: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Starts a server; `env` overrides (e.g. DIST_DIR, CONTENT_DIR, NODE_ENV, DATABASE_URL). */
export async function startServer(env: Record<string, string> = {}, opts: { waitHealthy?: boolean } = {}): Promise<TestServer> {
  const port = await freePort();
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanUp = async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  };
  const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: '1', ...env };
  let child: ChildProcess | undefined;
  let out = '';
  const url = `http://127.0.0.1:${port}`;

  const stopChild = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c) return;
    if (c.exitCode === null && c.signalCode === null) c.kill(signal);
    await exited(c);
  };
  const launch = async () => {
    const c = spawn(process.execPath, ['src/cli/serve.ts'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    const forget = recordChild(c.pid!);
    c.once('exit', forget);
    c.stdout!.on('data', (d) => (out += d));
    c.stderr!.on('data', (d) => (out += d));
    const deadline = Date.now() + 110_000;
    for (;;) {
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`server exited: ${out}`);
      try {
        const r = await fetch(`${url}/healthz`);
        if (r.ok || opts.waitHealthy === false) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  try {
    if (childEnv.DATABASE_URL && !env.DATABASE_URL) {
      // A throwaway database on the server named by DATABASE_URL.
      const scratch = await createScratchDb(childEnv.DATABASE_URL, 'http');
      cleanups.push(scratch.drop);
      childEnv.DATABASE_URL = scratch.url;
      // The run's replica (DATABASE_READ_URL) holds the same database: the server reads reports there.
      const readUrl = replicaUrlFor(scratch.name);
      if (readUrl && !env.DATABASE_READ_URL) childEnv.DATABASE_READ_URL = readUrl;
    } else if (env.DATABASE_URL && !env.DATABASE_READ_URL) {
      // A database chosen by the test: the run's replica URL would name another database.
      delete childEnv.DATABASE_READ_URL;
    } else if (!childEnv.DATABASE_URL && !env.DATA_DIR) {
      const dir = runTempDir('srv');
      childEnv.DATA_DIR = dir;
      cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    }
    // Registered after the database, so it runs first: the server goes before its database is dropped.
    cleanups.push(() => stopChild('SIGKILL'));
    await launch();
  } catch (err) {
    await cleanUp();
    throw err;
  }
  return {
    url,
    get pid() {
      return child!.pid!;
    },
    database: childEnv.DATABASE_URL ? { url: childEnv.DATABASE_URL } : { dataDir: childEnv.DATA_DIR || './data' },
    output: () => out,
    stop: async () => {
      try {
        await stopChild('SIGTERM');
      } finally {
        await cleanUp();
      }
    },
    kill: (signal = 'SIGKILL') => stopChild(signal),
    restart: async () => {
      await stopChild('SIGKILL');
      await launch();
    },
  };
}

/** A tiny cookie-keeping client speaking like a browser on this site. */
export class Client {
  cookies = new Map<string, string>();
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(p: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.cookieHeader());
    const r = await fetch(this.base + p, { ...init, headers, redirect: 'manual' });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const k = pair!.slice(0, i);
      const v = pair!.slice(i + 1);
      if (v === '' || /max-age=0/i.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    return r;
  }

  get(p: string, headers: Record<string, string> = {}) {
    return this.request(p, { headers });
  }

  /** A same-origin form POST, as a browser sends it. */
  post(p: string, fields: [string, string][] | Record<string, string>, headers: Record<string, string> = {}) {
    const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
    return this.request(p, { method: 'POST', body, headers: { origin: this.base, 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  }
}
