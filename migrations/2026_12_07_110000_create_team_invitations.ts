import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// Consent, reprintable slips and visible due-date changes (issue 14):
// - a roster row whose number already has an account of its own becomes an invitation the person
//   accepts or declines at their next sign-in; nothing applies to them before they accept;
// - activation codes keep their clear text sealed (AES-GCM under a FORM_SECRET-derived key), so slips
//   can be reprinted with the same codes;
// - a changed due date keeps the previous one, so members are told what changed.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('team_invitation')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('team_id', 'integer', (c) => c.notNull().references('team.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    // The name typed in the roster file: what the official sees until the person accepts (never the account's name).
    .addColumn('name_in_file', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'uuid', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('import_id', 'uuid', (c) => c.references('roster_import.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('responded_at', 'timestamptz')
    .addCheckConstraint('team_invitation_role_check', sql`role in ('member', 'leader')`)
    .addCheckConstraint('team_invitation_status_check', sql`status in ('pending', 'accepted', 'declined', 'cancelled')`)
    .execute();
  // At most one open invitation per person.
  await sql`create unique index team_invitation_pending_idx on team_invitation (user_id) where status = 'pending'`.execute(db);
  await db.schema.createIndex('team_invitation_user_idx').on('team_invitation').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('team_invitation_team_idx').on('team_invitation').columns(['team_id', 'status']).execute();
  await db.schema.createIndex('team_invitation_invited_by_idx').on('team_invitation').column('invited_by').execute();
  await db.schema.createIndex('team_invitation_import_idx').on('team_invitation').column('import_id').execute();

  await db.schema.alterTable('access_code').addColumn('sealed_code', 'text').execute();

  await db.schema.alterTable('course_assignment').addColumn('previous_due_date', 'date').addColumn('due_changed_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('course_assignment').dropColumn('previous_due_date').dropColumn('due_changed_at').execute();
  await db.schema.alterTable('access_code').dropColumn('sealed_code').execute();
  await db.schema.dropTable('team_invitation').ifExists().execute();
}
