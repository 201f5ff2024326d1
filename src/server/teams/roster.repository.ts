/** Stored roster previews (the parsed, normalised rows) awaiting the official's commit. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertImport(db: Db, i: { unitId: number; officialId: string; fileName: string; rows: unknown }): Promise<string> {
  const r = await db
    .insertInto('roster_import')
    .values({ unit_id: i.unitId, official_id: i.officialId, file_name: i.fileName, rows: JSON.stringify(i.rows) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export function findImport(db: Db, id: string) {
  return db.selectFrom('roster_import').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockImport(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('roster_import').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function markCommitted(db: Db, id: string, summary: unknown): Promise<void> {
  await db.updateTable('roster_import').set({ status: 'committed', summary: JSON.stringify(summary), committed_at: sql`now()` }).where('id', '=', id).execute();
}
