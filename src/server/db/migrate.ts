import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { FileMigrationProvider, Migrator } from 'kysely/migration';
import { installJobSchema } from '../jobs/boss.ts';

/** Folder of migration files; overridable so the built server can run from another cwd. */
export function migrationsDir(): string {
  return path.resolve(process.env.MIGRATIONS_DIR || 'migrations');
}

/**
 * Applies all pending migrations, then installs or upgrades pg-boss's own schema (`pgboss`, versioned
 * by pg-boss itself); throws with the failing migration's name.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder: migrationsDir() }) });
  const { error, results } = await migrator.migrateToLatest();
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
