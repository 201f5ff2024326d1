/**
 * Indexes for the foreign keys added by the recovery tables: every foreign key is led by an index, so
 * deleting a user or a unit never scans these tables row by row.
 */
import type { Kysely } from 'kysely';

const INDEXES: [table: string, column: string, name: string][] = [
  ['access_code', 'unit_id', 'access_code_unit_idx'],
  ['recovery_request', 'helper_id', 'recovery_request_helper_idx'],
  ['security_event', 'actor_id', 'security_event_actor_idx'],
  ['security_event', 'unit_id', 'security_event_unit_idx'],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [table, column, name] of INDEXES) await db.schema.createIndex(name).on(table).column(column).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [, , name] of INDEXES) await db.schema.dropIndex(name).ifExists().execute();
}
