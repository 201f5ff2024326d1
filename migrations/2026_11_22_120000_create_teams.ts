import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// Administrative units, teams, officials' scopes, required courses, their counters, access codes,
// roster imports and the officials' audit log.
export async function up(db: Kysely<any>): Promise<void> {
  // A tree of any depth. `path` holds the ids of every ancestor and the unit itself ('/1/23/456/'),
  // compared in the C collation so "everything below" is one index range scan at any depth.
  await db.schema
    .createTable('admin_unit')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('parent_id', 'integer', (c) => c.references('admin_unit.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('stat_code', 'text', (c) => c.unique())
    .addColumn('path', sql`text collate "C"`, (c) => c.notNull().unique())
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('synthetic', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('admin_unit_parent_idx').on('admin_unit').columns(['parent_id', 'name']).execute();

  await db.schema
    .createTable('team')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('admin_unit.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('synthetic', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('team_unit_name_uq', ['unit_id', 'name'])
    .execute();

  // One team per person; leaving a team deactivates the row, it is never deleted.
  await db.schema
    .createTable('team_member')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('user.id'))
    .addColumn('team_id', 'integer', (c) => c.notNull().references('team.id'))
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('member'))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('since', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deactivated_at', 'timestamptz')
    .addCheckConstraint('team_member_role_check', sql`role in ('member', 'leader')`)
    .execute();
  await db.schema.createIndex('team_member_team_idx').on('team_member').columns(['team_id', 'active']).execute();

  await db.schema
    .createTable('official_scope')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id'))
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('admin_unit.id'))
    .addColumn('granted_by', 'uuid', (c) => c.references('user.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('official_scope_pk', ['user_id', 'unit_id'])
    .execute();

  await db.schema
    .createTable('course_assignment')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('admin_unit.id'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('edition', 'text', (c) => c.notNull())
    .addColumn('due_date', 'date', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('user.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('course_assignment_uq', ['unit_id', 'course_slug', 'edition'])
    .execute();

  // Counters, kept in the transaction of every change; each unit counts its whole subtree.
  await db.schema
    .createTable('unit_course_counter')
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('admin_unit.id'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('edition', 'text', (c) => c.notNull())
    .addColumn('due_date', 'date', (c) => c.notNull())
    .addColumn('assigned', 'integer', (c) => c.notNull())
    .addColumn('completed', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('unit_course_counter_pk', ['unit_id', 'course_slug', 'edition', 'due_date'])
    .execute();
  await db.schema
    .createTable('unit_member_counter')
    .addColumn('unit_id', 'integer', (c) => c.primaryKey().references('admin_unit.id'))
    .addColumn('members', 'integer', (c) => c.notNull())
    .addColumn('activated', 'integer', (c) => c.notNull())
    .addColumn('with_required', 'integer', (c) => c.notNull())
    .addColumn('all_done', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('unit_week_counter')
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('admin_unit.id'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('edition', 'text', (c) => c.notNull())
    .addColumn('week', 'date', (c) => c.notNull())
    .addColumn('completed', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('unit_week_counter_pk', ['unit_id', 'course_slug', 'edition', 'week'])
    .execute();

  // Activation and recovery codes: only a hash is kept; single use; expiring.
  await db.schema
    .createTable('access_code')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('issued_by', 'uuid', (c) => c.references('user.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('access_code_kind_check', sql`kind in ('activation', 'recovery')`)
    .execute();
  await db.schema.createIndex('access_code_user_idx').on('access_code').column('user_id').execute();

  await db.schema
    .createTable('roster_import')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('admin_unit.id'))
    .addColumn('official_id', 'uuid', (c) => c.notNull().references('user.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('rows', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('preview'))
    .addColumn('summary', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('committed_at', 'timestamptz')
    .addCheckConstraint('roster_import_status_check', sql`status in ('preview', 'committed')`)
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('actor_id', 'uuid', (c) => c.references('user.id'))
    .addColumn('unit_id', 'integer', (c) => c.references('admin_unit.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('audit_log_unit_idx').on('audit_log').columns(['unit_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'audit_log',
    'roster_import',
    'access_code',
    'unit_week_counter',
    'unit_member_counter',
    'unit_course_counter',
    'course_assignment',
    'official_scope',
    'team_member',
    'team',
    'admin_unit',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
