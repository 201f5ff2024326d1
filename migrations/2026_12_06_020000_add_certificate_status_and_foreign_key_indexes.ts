import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
//
// 1. Every foreign key gets an index led by its columns. Postgres indexes the referenced side only:
//    without one on the referencing side, each delete or key change of a parent row (deleting a user,
//    replacing a certificate) scans the child table, and lookups by these columns scan too.
// 2. Each certificate gets a position in a W3C Bitstring Status List, allocated once from a sequence.

/** Foreign keys that had no index led by their column: [table, column, index name]. */
const FK_INDEXES: [string, string, string][] = [
  ['lesson_submission', 'user_id', 'lesson_submission_user_idx'],
  ['course_completion', 'attempt_id', 'course_completion_attempt_idx'],
  ['certificate', 'revoked_by', 'certificate_revoked_by_idx'],
  ['topic_question', 'answered_by', 'topic_question_answered_by_idx'],
  ['official_scope', 'unit_id', 'official_scope_unit_idx'],
  ['official_scope', 'granted_by', 'official_scope_granted_by_idx'],
  ['course_assignment', 'created_by', 'course_assignment_created_by_idx'],
  ['access_code', 'issued_by', 'access_code_issued_by_idx'],
  ['roster_import', 'unit_id', 'roster_import_unit_idx'],
  ['roster_import', 'official_id', 'roster_import_official_idx'],
  ['audit_log', 'actor_id', 'audit_log_actor_idx'],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [table, column, name] of FK_INDEXES) {
    await db.schema.createIndex(name).on(table).column(column).execute();
  }
  // A certificate is replaced by at most one other: unique, and it serves the verification page's
  // "this one replaced …" join and the foreign-key check when a certificate row is deleted.
  await db.schema.createIndex('certificate_replaced_by_uq').on('certificate').column('replaced_by').unique().execute();

  // Status-list positions start at 0 (the spec's first index) and are never reused.
  await sql`create sequence certificate_status_index_seq as integer minvalue 0 start with 0`.execute(db);
  // The volatile default gives every existing certificate its own position as the column is added.
  await db.schema
    .alterTable('certificate')
    .addColumn('status_index', 'integer', (c) => c.notNull().defaultTo(sql`nextval('certificate_status_index_seq')`))
    .execute();
  await sql`alter sequence certificate_status_index_seq owned by certificate.status_index`.execute(db);
  await db.schema.alterTable('certificate').addUniqueConstraint('certificate_status_index_uq', ['status_index']).execute();
  // Building a status list reads only the positions that are set (revoked or replaced), by range.
  await sql`create index certificate_status_set_idx on certificate (status_index) where revoked_at is not null or replaced_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('certificate_status_set_idx').ifExists().execute();
  await db.schema.alterTable('certificate').dropConstraint('certificate_status_index_uq').execute();
  // Dropping the column drops the sequence it owns.
  await db.schema.alterTable('certificate').dropColumn('status_index').execute();
  await sql`drop sequence if exists certificate_status_index_seq`.execute(db);
  await db.schema.dropIndex('certificate_replaced_by_uq').ifExists().execute();
  for (const [, , name] of [...FK_INDEXES].reverse()) await db.schema.dropIndex(name).ifExists().execute();
}
