import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('certificate')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // 10 Crockford base32 characters (50 random bits), stored upper-case without the hyphen.
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('edition', 'text', (c) => c.notNull())
    // Frozen at issue: later renames of the learner or the course do not change a printed certificate.
    .addColumn('learner_name', 'text', (c) => c.notNull())
    .addColumn('course_title', 'text', (c) => c.notNull())
    .addColumn('content_version', 'integer', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_reason', 'text')
    .addColumn('revoked_by', 'uuid', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('replaced_at', 'timestamptz')
    .addColumn('replaced_by', 'uuid', (c) => c.references('certificate.id'))
    .addCheckConstraint('certificate_code_check', sql`code ~ '^[0-9A-HJKMNP-TV-Z]{10}$'`)
    .addCheckConstraint('certificate_revoked_check', sql`(revoked_at is null) = (revoked_reason is null)`)
    .execute();
  // One current certificate per learner and course edition: completions issue exactly once; a
  // reissue first marks the old row replaced (replaced_at) and then inserts the new one.
  await sql`create unique index certificate_current_uq on certificate (user_id, course_slug, edition) where replaced_at is null`.execute(db);
  await db.schema.createIndex('certificate_user_idx').on('certificate').column('user_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('certificate').ifExists().execute();
}
