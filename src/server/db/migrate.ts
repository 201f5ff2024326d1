import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { FileMigrationProvider, Migrator, type MigrationResultSet } from 'kysely/migration';
import { installJobSchema } from '../jobs/boss.ts';

/** Folder of migration files; overridable so the built server can run from another cwd. */
export function migrationsDir(): string {
  return path.resolve(process.env.MIGRATIONS_DIR || 'migrations');
}

/** Key of the transaction-level advisory lock that serialises migration runs. */
const MIGRATE_LOCK = 724_100_001;

class MigrationFailed extends Error {
  readonly result: MigrationResultSet;
  constructor(result: MigrationResultSet) {
    super('migration failed');
    this.result = result;
  }
}

/**
 * Applies all pending migrations in one transaction, then installs or upgrades pg-boss's own schema
 * (`pgboss`, versioned by pg-boss itself); throws with the failing migration's name.
 *
 * The migrator is given that transaction. Kysely then takes and releases its session-level
 * migration lock (`pg_advisory_lock`) inside it, on the same server connection. Its default takes
 * the lock on a pinned connection and migrates in a separate transaction. Behind PgBouncer in
 * transaction pooling mode those statements can land on different server connections, so the lock
 * stays held on one of them and the next start waits on it (up to an hour). A transaction-level
 * advisory lock taken first serialises concurrent starts: the second waits for the first to commit,
 * then finds nothing to do.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const provider = new FileMigrationProvider({ fs, path, migrationFolder: migrationsDir() });
  let outcome: MigrationResultSet;
  try {
    outcome = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${MIGRATE_LOCK})`.execute(trx);
      const r = await new Migrator({ db: trx, provider }).migrateToLatest();
      if (r.error) throw new MigrationFailed(r); // rolls the whole run back
      return r;
    });
  } catch (err) {
    outcome = err instanceof MigrationFailed ? err.result : { error: err };
  }
  const { error, results } = outcome;
  const failed = results?.find((r) => r.status === 'Error');
  if (error) throw new Error(`Migration ${failed?.migrationName ?? ''} thất bại: ${String((error as Error).message ?? error)}`);
  await installJobSchema(db);
  return (results ?? []).map((r) => r.migrationName);
}

/** Names of migrations in the folder that the database has not applied (empty when up to date). */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder: migrationsDir() }) });
  const all = await migrator.getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
