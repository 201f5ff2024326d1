import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// Households kept by a team, help visits ("lượt hỗ trợ"), links from a citizen's account to the
// visit that helped them, and the household counters kept in the same transaction as each change.
export async function up(db: Kysely<any>): Promise<void> {
  // A household: a label the family agreed to, an optional phone and note. No ID numbers, no birth dates.
  await db.schema
    .createTable('household')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('team_id', 'integer', (c) => c.notNull().references('team.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('note', 'text')
    // 'given' (asked at the doorstep), 'not_asked' (imported; a member records it later).
    .addColumn('consent', 'text', (c) => c.notNull())
    .addColumn('consent_at', 'timestamptz')
    .addColumn('consent_by', 'uuid', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('created_by', 'uuid', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('removal_requested_at', 'timestamptz')
    // The coverage state last counted (see src/server/households/coverage.ts): bit i = skill i.
    .addColumn('covered_mask', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('verified_mask', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('meets_target', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('linked', 'integer', (c) => c.notNull().defaultTo(0))
    .addCheckConstraint('household_consent_check', sql`consent in ('given', 'not_asked')`)
    .execute();
  await db.schema.createIndex('household_team_idx').on('household').columns(['team_id', 'label']).execute();
  await db.schema.createIndex('household_created_by_idx').on('household').column('created_by').execute();
  await db.schema.createIndex('household_consent_by_idx').on('household').column('consent_by').execute();

  // A help visit. Declined consent: household_id and person are NULL (activity only, never coverage).
  await db.schema
    .createTable('help_visit')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('team_id', 'integer', (c) => c.notNull().references('team.id'))
    .addColumn('household_id', 'uuid', (c) => c.references('household.id'))
    .addColumn('member_id', 'uuid', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('visit_date', 'date', (c) => c.notNull())
    .addColumn('person', 'text')
    .addColumn('consent', 'boolean', (c) => c.notNull())
    // { "<skill>": "tu-lam" | "can-ho-tro" }
    .addColumn('outcomes', 'jsonb', (c) => c.notNull())
    .addColumn('tasks', 'jsonb', (c) => c.notNull())
    .addColumn('material', 'text')
    // A client-made idempotency key (uuid): a replayed POST stores once.
    .addColumn('client_key', 'uuid', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('help_visit_consent_check', sql`consent = (household_id is not null)`)
    .execute();
  await db.schema.createIndex('help_visit_household_idx').on('help_visit').columns(['household_id', 'visit_date']).execute();
  await db.schema.createIndex('help_visit_team_idx').on('help_visit').columns(['team_id', 'visit_date']).execute();
  await db.schema.createIndex('help_visit_member_idx').on('help_visit').column('member_id').execute();

  // Six-digit codes a member shows so the citizen can link their account; only a hash is kept.
  await db.schema
    .createTable('household_link_code')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('visit_id', 'uuid', (c) => c.notNull().references('help_visit.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('household_link_code_hash_idx').on('household_link_code').column('code_hash').execute();
  await db.schema.createIndex('household_link_code_visit_idx').on('household_link_code').column('visit_id').execute();

  // A citizen's account linked to a household through the visit that helped them ("được hỗ trợ bởi").
  await db.schema
    .createTable('household_link')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('household_id', 'uuid', (c) => c.notNull().references('household.id'))
    .addColumn('visit_id', 'uuid', (c) => c.references('help_visit.id').onDelete('set null'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id').onDelete('cascade'))
    // The person in the household the visit helped (folded), so visits and courses meet in one person.
    .addColumn('person_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('undone_at', 'timestamptz')
    .execute();
  await sql`create unique index household_link_user_active_uq on household_link (user_id) where undone_at is null`.execute(db);
  await db.schema.createIndex('household_link_user_idx').on('household_link').column('user_id').execute();
  await db.schema.createIndex('household_link_household_idx').on('household_link').column('household_id').execute();
  await db.schema.createIndex('household_link_visit_idx').on('household_link').column('visit_id').execute();

  // Per-team counters (a team sits under one commune), summed over the subtree when read: a visit or
  // link touches only its own team's row, never a national one.
  await db.schema
    .createTable('household_team_counter')
    .addColumn('team_id', 'integer', (c) => c.primaryKey().references('team.id'))
    .addColumn('households', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('consented', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('meeting_target', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('linked_citizens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cov_dich_vu_cong', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cov_mua_sam', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cov_thanh_toan', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cov_tu_bao_ve', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cov_nen_tang_dia_phuong', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('all_skills', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Visits per team and month (Vietnam dates), and who helped.
  await db.schema
    .createTable('help_month_counter')
    .addColumn('team_id', 'integer', (c) => c.notNull().references('team.id'))
    .addColumn('month', 'date', (c) => c.notNull())
    // The helping member; the nil uuid once they deleted their account (their visits stay as activity).
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('visits', 'integer', (c) => c.notNull())
    .addColumn('anonymous', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('help_month_counter_pk', ['team_id', 'month', 'member_id'])
    .execute();

  // Household imports: parsed rows kept for the preview until committed (like roster imports).
  await db.schema
    .createTable('household_import')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('team_id', 'integer', (c) => c.notNull().references('team.id'))
    .addColumn('by_id', 'uuid', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('rows', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('preview'))
    .addColumn('summary', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('committed_at', 'timestamptz')
    .addCheckConstraint('household_import_status_check', sql`status in ('preview', 'committed')`)
    .execute();
  await db.schema.createIndex('household_import_team_idx').on('household_import').column('team_id').execute();
  await db.schema.createIndex('household_import_by_idx').on('household_import').column('by_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['household_import', 'help_month_counter', 'household_team_counter', 'household_link', 'household_link_code', 'help_visit', 'household']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
