/**
 * Opens the database: PGlite in DATA_DIR when DATABASE_URL is unset, a Postgres server otherwise.
 * Type differences between the two drivers (int8/count, numeric) are normalised here, once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import type { Database } from './schema.ts';

export type DbKind = 'pglite' | 'postgres';

export interface DbHandle {
  /** The primary: every write, and every read that must see the person's own writes. */
  db: Kysely<Database>;
  /**
   * Where reports may read (dashboards, exports, the audit log): a streaming replica when
   * DATABASE_READ_URL is set, otherwise `db` itself (PGlite: always the same instance).
   */
  read: Kysely<Database>;
  /** Whether `read` is a separate replica (and may lag behind `db`). */
  replica: boolean;
  kind: DbKind;
  /** The PGlite instance, for dumps (embedded database only). */
  pglite?: import('@electric-sql/pglite').PGlite;
  close(): Promise<void>;
}

/**
 * The driver-level side of a Kysely instance opened here, for pg-boss (src/server/jobs): it runs
 * its own SQL, some of it several statements at once, which Kysely cannot carry. `executeSql` has
 * pg-boss's `IDatabase` shape. Close hooks run before the database closes (job workers stop first).
 */
export interface RawDb {
  kind: DbKind;
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
  /** PGlite only: the instance, for pg-boss's own PGlite adapter. */
  pglite?: import('@electric-sql/pglite').PGlite;
  closeHooks: (() => Promise<void>)[];
}

// Shared through globalThis: the server entry (src/cli/serve.ts) and Astro's bundle each have their
// own copy of this module, and both must find the handle the entry opened (see index.ts).
const RAW_KEY = Symbol.for('hocso.db.raw');
const raw: WeakMap<object, RawDb> = ((globalThis as Record<symbol, unknown>)[RAW_KEY] as WeakMap<object, RawDb> | undefined) ?? new WeakMap();
(globalThis as Record<symbol, unknown>)[RAW_KEY] = raw;

/** The driver-level handle of a Kysely instance opened by this module (undefined for any other). */
export function rawDbOf(db: Kysely<any>): RawDb | undefined {
  return raw.get(db);
}

async function runCloseHooks(db: Kysely<any>): Promise<void> {
  const r = raw.get(db);
  for (const hook of r?.closeHooks.splice(0).reverse() ?? []) await hook().catch((err: Error) => console.error('[db] lỗi khi đóng:', err.message));
}

/** Thrown when another process already holds the embedded database folder. */
export class DataDirLockedError extends Error {}

let pgTypesConfigured = false;

async function configurePgTypes(): Promise<typeof import('pg')> {
  const pg = await import('pg');
  if (!pgTypesConfigured) {
    // count(*) and bigint columns: numbers, as PGlite returns them. Our counts stay far below 2^53.
    pg.default.types.setTypeParser(20, (v: string) => Number(v));
    pg.default.types.setTypeParser(1700, (v: string) => Number(v));
    pgTypesConfigured = true;
  }
  return pg;
}

/** Connects to a Postgres server. */
export async function openPostgres(connectionString: string, max = 10): Promise<DbHandle> {
  const pg = await configurePgTypes();
  const pool = new pg.default.Pool({ connectionString, max, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection must not crash the process.
  pool.on('error', (err) => console.error('[db] lỗi kết nối Postgres:', err.message));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  raw.set(db, {
    kind: 'postgres',
    // Several statements without parameters come back as one result each: keep every row.
    executeSql: async (text, values) => {
      const r = (await pool.query(text, values as unknown[] | undefined)) as unknown as { rows?: any[] } | { rows?: any[] }[];
      return { rows: Array.isArray(r) ? r.flatMap((x) => x.rows ?? []) : (r.rows ?? []) };
    },
    closeHooks: [],
  });
  return {
    db,
    read: db,
    replica: false,
    kind: 'postgres',
    close: async () => {
      await runCloseHooks(db);
      await db.destroy();
    },
  };
}

/**
 * Adds a read replica to a Postgres handle: `read` becomes a second pool on `readUrl`, and closing
 * the handle closes both.
 */
export async function withReplica(primary: DbHandle, readUrl: string, max = 10): Promise<DbHandle> {
  const replica = await openPostgres(readUrl, max);
  return {
    ...primary,
    read: replica.db,
    replica: true,
    close: async () => {
      await Promise.all([primary.close(), replica.close()]);
    },
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the single-process lock of an embedded data folder. PGlite silently loses writes when two
 * processes open one folder, so a second process must stop with a clear message instead.
 */
export function lockDataDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const lockFile = path.join(dir, 'hocso.lock');
  for (let tries = 0; tries < 2; tries++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(lockFile, 'utf8') === String(process.pid)) fs.unlinkSync(lockFile);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(lockFile, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
        throw new DataDirLockedError(
          `Thư mục dữ liệu ${dir} đang được tiến trình ${pid} sử dụng (có lẽ máy chủ đang chạy). ` +
            `Cơ sở dữ liệu nhúng chỉ cho một tiến trình mở một lúc: hãy dừng tiến trình đó rồi chạy lại, ` +
            `hoặc dùng DATABASE_URL để kết nối máy chủ Postgres.`,
        );
      }
      fs.unlinkSync(lockFile); // stale lock from a process that died
    }
  }
  throw new DataDirLockedError(`Không lấy được khóa thư mục dữ liệu ${dir}.`);
}

/** Opens PGlite on a folder (locked for this process) or in memory, from a dump if given (both: a new folder from a dump). */
export async function openPglite(opts: { dataDir?: string; loadDataDir?: Blob }): Promise<DbHandle> {
  const { PGlite } = await import('@electric-sql/pglite');
  const release = opts.dataDir ? lockDataDir(opts.dataDir) : () => {};
  try {
    const load = opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {};
    const client = opts.dataDir ? await PGlite.create(opts.dataDir, load) : await PGlite.create(load);
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite: client }) });
    raw.set(db, {
      kind: 'pglite',
      pglite: client,
      executeSql: async (text, values) => {
        if (values?.length) return { rows: (await client.query(text, values)).rows as any[] };
        return { rows: (await client.exec(text)).flatMap((r) => r.rows as any[]) };
      },
      closeHooks: [],
    });
    return {
      db,
      read: db,
      replica: false,
      kind: 'pglite',
      pglite: client,
      close: async () => {
        await runCloseHooks(db);
        await db.destroy();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** Opens the database configured by the environment. */
export async function openConfiguredDb(env: NodeJS.ProcessEnv = process.env): Promise<DbHandle> {
  if (env.DATABASE_URL) {
    const primary = await openPostgres(env.DATABASE_URL);
    // A replica URL equal to the primary's adds nothing but a second pool.
    if (!env.DATABASE_READ_URL || env.DATABASE_READ_URL === env.DATABASE_URL) return primary;
    return withReplica(primary, env.DATABASE_READ_URL);
  }
  return openPglite({ dataDir: path.resolve(env.DATA_DIR || './data', 'db') });
}
