/**
 * Backups of the whole database, and restores from them.
 * - PGlite: a gzipped tarball of the data folder (PGlite's `dumpDataDir`), taken while holding the
 *   folder's single-process lock, so never while the server runs.
 * - Postgres: `pg_dump --format=custom`, restored with `pg_restore --clean --if-exists` in one transaction.
 * Errors meant for the operator are `BackupError`s with a Vietnamese message.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { DataDirLockedError, lockDataDir, openPostgres } from './connect.ts';

/** A problem the operator can act on; the message is shown as is. */
export class BackupError extends Error {}

/** pg_dump or pg_restore is not installed. */
class ToolMissingError extends BackupError {}

/** Which database a backup is taken from or restored into. */
export type BackupTarget = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };

/** What a backup or restore did, for the operator and for benchmarks. */
export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
}

export interface RestoreResult extends BackupResult {
  /** PGlite: where the data that was replaced now lies (kept until the operator deletes it). */
  replacedDir?: string;
}

const LOCK_FILE = 'hocso.lock';

/**
 * pg-boss's schema (src/server/jobs/boss.ts) is left out of Postgres backups and restores: its job
 * rows are derived (recounts are recomputed from raw rows; workers re-send jobs for recount_job rows
 * left without one), and `pg_restore --clean` cannot drop the partitions of its tables.
 */
const JOB_QUEUE_SCHEMA = 'pgboss';

/** The database configured by the environment (the same rule as `openConfiguredDb`). */
export function configuredTarget(env: NodeJS.ProcessEnv = process.env): BackupTarget {
  if (env.DATABASE_URL) return { kind: 'postgres', url: env.DATABASE_URL };
  return { kind: 'pglite', dataDir: path.resolve(env.DATA_DIR || './data', 'db') };
}

/** `backups/hocso-<db>-<UTC timestamp>.<ext>`: `.tar.gz` for PGlite, `.dump` for pg_dump's custom format. */
export function defaultBackupFile(target: BackupTarget, now = new Date(), dir = 'backups'): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const name = target.kind === 'pglite' ? 'pglite' : decodeURIComponent(new URL(target.url).pathname.slice(1)) || 'postgres';
  const ext = target.kind === 'pglite' ? 'tar.gz' : 'dump';
  return path.resolve(dir, `hocso-${name.replace(/[^\w.-]/g, '_')}-${stamp}.${ext}`);
}

/** Takes a backup of `target` into `file` (written to a temporary name first, then renamed; mode 600). */
export async function backupDatabase(target: BackupTarget, file: string): Promise<BackupResult> {
  const started = Date.now();
  const out = path.resolve(file);
  if (fs.existsSync(out)) throw new BackupError(`Tệp ${out} đã có: chọn tên khác, bản sao lưu cũ không bị ghi đè.`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const partial = `${out}.partial-${process.pid}`;
  try {
    if (target.kind === 'pglite') await dumpPglite(target.dataDir, partial);
    else await runTool('pg_dump', ['--format=custom', `--exclude-schema=${JOB_QUEUE_SCHEMA}`, '--no-password', `--file=${partial}`], target.url);
    // Backups hold personal data (names, phone numbers): readable by the owner only.
    fs.chmodSync(partial, 0o600);
    fs.renameSync(partial, out);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return { file: out, bytes: fs.statSync(out).size, ms: Date.now() - started };
}

/**
 * Restores `file` into `target`. Refuses a target that already has tables unless `force`; checks the
 * file is a backup of this kind of database, and readable, before touching the current data.
 */
export async function restoreDatabase(target: BackupTarget, file: string, opts: { force?: boolean } = {}): Promise<RestoreResult> {
  const started = Date.now();
  const src = path.resolve(file);
  if (!fs.existsSync(src) || !fs.statSync(src).isFile()) throw new BackupError(`Không tìm thấy tệp sao lưu ${src}.`);
  const kind = backupKindOf(src);
  if (kind === 'unknown') throw new BackupError(`Tệp ${src} không phải bản sao lưu của Học Số (không nhận ra định dạng).`);
  if (kind !== target.kind) {
    throw new BackupError(
      kind === 'postgres'
        ? `Tệp ${src} là bản sao lưu Postgres (pg_dump), nhưng cơ sở dữ liệu đang cấu hình là PGlite. Đặt DATABASE_URL để khôi phục vào máy chủ Postgres.`
        : `Tệp ${src} là bản sao lưu PGlite, nhưng cơ sở dữ liệu đang cấu hình là Postgres (DATABASE_URL). Bỏ DATABASE_URL để khôi phục vào PGlite.`,
    );
  }
  const result = target.kind === 'pglite' ? await restorePglite(target.dataDir, src, Boolean(opts.force)) : await restorePostgres(target.url, src, Boolean(opts.force));
  return { file: src, bytes: fs.statSync(src).size, ms: Date.now() - started, ...result };
}

/** Recognises a backup by its first bytes: pg_dump's custom format starts with "PGDMP", ours is gzip. */
function backupKindOf(file: string): 'pglite' | 'postgres' | 'unknown' {
  const head = Buffer.alloc(5);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 5, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1') === 'PGDMP') return 'postgres';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'pglite';
  return 'unknown';
}

/** Holds the folder lock: a running server holds it, so the operator gets a clear refusal instead of a torn copy. */
function lockForOperation(dataDir: string, what: string): () => void {
  try {
    return lockDataDir(dataDir);
  } catch (err) {
    if (err instanceof DataDirLockedError) throw new BackupError(`Không ${what} được lúc này. ${err.message}`);
    throw err;
  }
}

async function openPgliteDir(dir: string, loadDataDir?: Blob) {
  const { PGlite } = await import('@electric-sql/pglite');
  return PGlite.create(dir, loadDataDir ? { loadDataDir } : {});
}

async function dumpPglite(dataDir: string, out: string): Promise<void> {
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) throw new BackupError(`Không có cơ sở dữ liệu nhúng nào trong ${dataDir} để sao lưu.`);
  const release = lockForOperation(dataDir, 'sao lưu');
  try {
    const pg = await openPgliteDir(dataDir);
    try {
      const blob = await pg.dumpDataDir('gzip');
      fs.writeFileSync(out, Buffer.from(await blob.arrayBuffer()), { mode: 0o600 });
    } finally {
      await pg.close();
    }
  } finally {
    release();
  }
}

/** Number of tables in the public schema: any table means the target is not empty. */
async function tableCount(db: Kysely<any>): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

function refuseNonEmpty(tables: number, where: string): never {
  throw new BackupError(
    `${where} đã có dữ liệu (${tables} bảng). Khôi phục sẽ ghi đè toàn bộ: nếu chắc chắn, chạy lại với --force ` +
      `(nên sao lưu dữ liệu hiện tại trước bằng npm run db:backup).`,
  );
}

async function restorePglite(dataDir: string, src: string, force: boolean): Promise<{ replacedDir?: string }> {
  const release = lockForOperation(dataDir, 'khôi phục');
  const stamp = new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15);
  const staging = `${dataDir}.restoring-${stamp}`;
  try {
    if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      const { Kysely, PGliteDialect } = await import('kysely');
      const current = await openPgliteDir(dataDir);
      const db = new Kysely<any>({ dialect: new PGliteDialect({ pglite: current }) });
      let tables: number;
      try {
        tables = await tableCount(db);
      } finally {
        await db.destroy();
      }
      if (tables > 0 && !force) refuseNonEmpty(tables, `Thư mục dữ liệu ${dataDir}`);
    }

    // Unpack into a new folder next to the data first: a broken file leaves the current data untouched.
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    try {
      const pg = await openPgliteDir(staging, new Blob([fs.readFileSync(src)]));
      try {
        await pg.query('select count(*) from kysely_migration');
      } finally {
        await pg.close();
      }
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw new BackupError(`Tệp ${src} hỏng hoặc không chứa cơ sở dữ liệu Học Số: ${(err as Error).message}`);
    }

    // Swap folder contents while holding the lock (the lock file itself stays where it is).
    const entries = (dir: string) => fs.readdirSync(dir).filter((e) => e !== LOCK_FILE);
    let replacedDir: string | undefined;
    if (entries(dataDir).length) {
      replacedDir = `${dataDir}.replaced-${stamp}`;
      fs.mkdirSync(replacedDir, { recursive: true });
      for (const e of entries(dataDir)) fs.renameSync(path.join(dataDir, e), path.join(replacedDir, e));
    }
    for (const e of entries(staging)) fs.renameSync(path.join(staging, e), path.join(dataDir, e));
    fs.rmSync(staging, { recursive: true, force: true });
    return { replacedDir };
  } finally {
    release();
  }
}

async function restorePostgres(url: string, src: string, force: boolean): Promise<{ replacedDir?: string }> {
  // Read the archive's table of contents first: a damaged file or a dump of another application
  // fails here, before anything is dropped.
  const toc = await runTool('pg_restore', ['--list', src], undefined).catch((err: Error) => {
    if (err instanceof ToolMissingError) throw err;
    throw new BackupError(`Tệp ${src} hỏng hoặc không đọc được: ${err.message}`);
  });
  if (!/TABLE public kysely_migration /.test(toc)) throw new BackupError(`Tệp ${src} không chứa cơ sở dữ liệu Học Số (không có bảng kysely_migration).`);

  const handle = await openPostgres(url, 1);
  try {
    const tables = await tableCount(handle.db);
    if (tables > 0 && !force) refuseNonEmpty(tables, `Cơ sở dữ liệu ${new URL(url).pathname.slice(1)}`);
  } finally {
    await handle.close();
  }
  // One transaction: a failure part-way leaves the database as it was.
  await runTool('pg_restore', ['--clean', '--if-exists', `--exclude-schema=${JOB_QUEUE_SCHEMA}`, '--no-owner', '--single-transaction', '--exit-on-error', '--no-password', src], url).catch((err: Error) => {
    if (err instanceof ToolMissingError) throw err;
    throw new BackupError(`Khôi phục thất bại và đã được hủy, dữ liệu hiện tại giữ nguyên. Tệp ${src} có thể bị hỏng. ${err.message}`);
  });
  return {};
}

/**
 * Runs a PostgreSQL client tool. The password travels in PGPASSWORD, not on the command line, where
 * any local user could read it from the process list. Resolves with the tool's stdout.
 */
function runTool(tool: 'pg_dump' | 'pg_restore', args: string[], url: string | undefined): Promise<string> {
  const env = { ...process.env };
  const finalArgs = [...args];
  if (url) {
    const u = new URL(url);
    if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
    u.password = '';
    finalArgs.unshift(`--dbname=${u.toString()}`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(tool, finalArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new ToolMissingError(`Không tìm thấy chương trình ${tool}: cài gói postgresql-client (cùng phiên bản chính với máy chủ Postgres hoặc mới hơn).`)
          : err,
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new BackupError(`${tool} thất bại (mã ${code}): ${stderr.trim() || 'không có thông báo'}`));
    });
  });
}
