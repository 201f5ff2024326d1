/**
 * Runs inside `npm run test:pgbouncer` (HOCSO_PGBOUNCER=1): checks that the run really goes through
 * PgBouncer in transaction pooling mode, and that the transaction-level forms the app uses
 * (advisory xact locks, temporary tables dropped at commit) work there, transaction after transaction.
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDb } from '../setup/db.ts';
import { openPostgres } from '../../src/server/db/connect.ts';
import { migrateToLatest, migrationsDir, pendingMigrations } from '../../src/server/db/migrate.ts';
import { createScratchDb, databaseUrl } from '../setup/pg-admin.ts';

describe.skipIf(process.env.HOCSO_PGBOUNCER !== '1')('through PgBouncer (HOCSO_PGBOUNCER=1)', () => {
  async function consoleRows(command: string): Promise<Record<string, unknown>[]> {
    const c = new pg.Client({ connectionString: databaseUrl(process.env.DATABASE_URL!, 'pgbouncer') });
    await c.connect();
    try {
      return (await c.query(command)).rows;
    } finally {
      await c.end();
    }
  }

  it('is in transaction pooling mode and serves this file’s database', async () => {
    const h = await createTestDb();
    await sql`select 1`.execute(h.db);
    const config = await consoleRows('show config');
    expect(config.find((r) => r.key === 'pool_mode')?.value).toBe('transaction');
    const name = new URL(h.url!).pathname.slice(1);
    expect((await consoleRows('show pools')).map((r) => r.database)).toContain(name);
  });

  it('migrates a fresh database from two processes at once and leaves no lock behind', async () => {
    // A database without the template, created on Postgres directly and migrated through PgBouncer.
    const scratch = await createScratchDb(process.env.DATABASE_URL!, 'bouncer');
    const a = await openPostgres(scratch.url, 2);
    const b = await openPostgres(scratch.url, 2);
    try {
      const [ra, rb] = await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)]);
      // One run applied everything, the other waited for it and found nothing to do.
      expect([ra.length, rb.length].sort((x, y) => x - y)[0]).toBe(0);
      expect(Math.max(ra.length, rb.length)).toBe(fs.readdirSync(migrationsDir()).filter((f) => f.endsWith('.ts')).length);
      expect(await pendingMigrations(a.db)).toEqual([]);
      // Kysely's session-level migration lock was taken and released inside one transaction: no
      // server connection PgBouncer keeps for this database still holds an advisory lock, so the
      // next start does not wait for it.
      const locks = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`.execute(a.db);
      expect(locks.rows[0]!.n).toBe(0);
      expect(await migrateToLatest(b.db)).toEqual([]);
    } finally {
      await a.close();
      await b.close();
      await scratch.drop();
    }
  });

  it('transaction-level locks and temporary tables work, transaction after transaction', async () => {
    const h = await createTestDb();
    const once = () =>
      h.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(42)`.execute(trx);
        await sql`set local lock_timeout = '5s'`.execute(trx);
        await sql`create temp table bouncer_probe (n int) on commit drop`.execute(trx);
        await sql`insert into bouncer_probe select generate_series(1, 10)`.execute(trx);
        return (await sql<{ n: number }>`select count(*)::int as n from bouncer_probe`.execute(trx)).rows[0]!.n;
      });
    const results = await Promise.all(Array.from({ length: 8 }, once));
    expect(results).toEqual(Array(8).fill(10));
    // Nothing of it stayed behind on any server connection.
    const left = await sql<{ n: number }>`select count(*)::int as n from pg_class where relname = 'bouncer_probe'`.execute(h.db);
    expect(left.rows[0]!.n).toBe(0);
    const locks = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`.execute(h.db);
    expect(locks.rows[0]!.n).toBe(0);
  });
});
