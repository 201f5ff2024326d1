/**
 * Starts the built server (src/cli/serve.ts) as a child process on a free port with its own fresh
 * database: a new PGlite folder, or a new database on the Postgres server when DATABASE_URL is set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openPostgres } from '../../src/server/db/connect.ts';
import { adminUrl, databaseUrl, randomName } from './pg-admin.ts';

export interface TestServer {
  url: string;
  /** Everything the server printed (for assertions that nothing leaked). */
  output: () => string;
  stop: () => Promise<void>;
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

/** Starts a server; `env` overrides (e.g. DIST_DIR, CONTENT_DIR, NODE_ENV, DATABASE_URL). */
export async function startServer(env: Record<string, string> = {}, opts: { waitHealthy?: boolean } = {}): Promise<TestServer> {
  const port = await freePort();
  const cleanups: (() => Promise<void> | void)[] = [];
  const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: '1', ...env };
  if (childEnv.DATABASE_URL && !env.DATABASE_URL) {
    // A throwaway database on the server named by DATABASE_URL.
    const server = childEnv.DATABASE_URL;
    const name = randomName('hocso_http');
    const admin = await openPostgres(adminUrl(server), 1);
    await sql.raw(`create database ${name}`).execute(admin.db);
    childEnv.DATABASE_URL = databaseUrl(server, name);
    cleanups.push(async () => {
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
      await admin.close();
    });
  } else if (!childEnv.DATABASE_URL && !env.DATA_DIR) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-srv-'));
    childEnv.DATA_DIR = dir;
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  }
  let out = '';
  const child: ChildProcess = spawn(process.execPath, ['src/cli/serve.ts'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok || opts.waitHealthy === false) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      // Stop it and clean up, or it lingers (holding its port, data folder and CPU) after the test fails.
      child.kill('SIGTERM');
      for (const c of cleanups) await c();
      throw new Error(`server did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      for (const c of cleanups) await c();
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
