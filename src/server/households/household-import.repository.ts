/** Stored household-list previews (parsed rows) awaiting commit, and the bulk insert of a commit. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertImport(db: Db, i: { teamId: number; by: string; fileName: string; rows: unknown }): Promise<string> {
  const r = await db
    .insertInto('household_import')
    .values({ team_id: i.teamId, by_id: i.by, file_name: i.fileName, rows: JSON.stringify(i.rows) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export function findImport(db: Db, id: string) {
  return db.selectFrom('household_import').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockImport(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('household_import').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Marks an import committed, keeping only its summary: the rows (labels, phones, notes) now live in `household`. */
export async function markCommitted(db: Db, id: string, summary: unknown): Promise<void> {
  await db.updateTable('household_import').set({ status: 'committed', summary: JSON.stringify(summary), rows: JSON.stringify([]), committed_at: sql`now()` }).where('id', '=', id).execute();
}

/** Deletes a team's previews never committed within `days` (their rows are personal data nobody uses). */
export async function deleteStalePreviews(db: Db, teamId: number, days: number): Promise<void> {
  await db
    .deleteFrom('household_import')
    .where('team_id', '=', teamId)
    .where('status', '=', 'preview')
    .where('created_at', '<', sql<Date>`now() - make_interval(days => ${days}::int)`)
    .execute();
}

/** Labels already on a team's list (to skip households imported twice). */
export async function labelsOfTeam(db: Db, teamId: number): Promise<string[]> {
  return (await db.selectFrom('household').select('label').where('team_id', '=', teamId).execute()).map((r) => r.label);
}

/** Inserts imported households, consent "not asked", in chunks of one statement each. */
export async function insertImported(trx: Transaction<Database>, teamId: number, by: string, rows: { label: string; phone: string | null; note: string | null }[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await trx
      .insertInto('household')
      .values(chunk.map((r) => ({ team_id: teamId, label: r.label, phone: r.phone, note: r.note, consent: 'not_asked' as const, created_by: by })))
      .execute();
    n += chunk.length;
  }
  return n;
}
