import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// Monthly snapshots of the household and member counters (for "change from last month"), and the
// real number of households of a unit (a village) entered by an official from the commune's records.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per month closed: the snapshot of that month was written when the next one began.
  await db.schema
    .createTable('snapshot_month')
    .addColumn('month', 'date', (c) => c.primaryKey())
    .addColumn('taken_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  let t = db.schema
    .createTable('household_team_snapshot')
    .addColumn('team_id', 'integer', (c) => c.notNull().references('team.id').onDelete('cascade'))
    .addColumn('month', 'date', (c) => c.notNull());
  for (const col of ['households', 'consented', 'meeting_target', 'linked_citizens', 'cov_dich_vu_cong', 'cov_mua_sam', 'cov_thanh_toan', 'cov_tu_bao_ve', 'cov_nen_tang_dia_phuong', 'all_skills']) {
    t = t.addColumn(col, 'integer', (c) => c.notNull().defaultTo(0));
  }
  await t.addPrimaryKeyConstraint('household_team_snapshot_pk', ['month', 'team_id']).execute();
  await db.schema.createIndex('household_team_snapshot_team_idx').on('household_team_snapshot').column('team_id').execute();
  await db.schema
    .createTable('unit_member_snapshot')
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('admin_unit.id').onDelete('cascade'))
    .addColumn('month', 'date', (c) => c.notNull())
    .addColumn('members', 'integer', (c) => c.notNull())
    .addColumn('with_required', 'integer', (c) => c.notNull())
    .addColumn('all_done', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('unit_member_snapshot_pk', ['month', 'unit_id'])
    .execute();
  await db.schema.createIndex('unit_member_snapshot_unit_idx').on('unit_member_snapshot').column('unit_id').execute();
  // The real number of households of a unit (from the commune's records), entered by an official.
  await db.schema
    .createTable('unit_household_total')
    .addColumn('unit_id', 'integer', (c) => c.primaryKey().references('admin_unit.id').onDelete('cascade'))
    .addColumn('households', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'uuid', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('unit_household_total_check', sql`households >= 0 and households <= 100000`)
    .execute();
  await db.schema.createIndex('unit_household_total_by_idx').on('unit_household_total').column('updated_by').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['unit_household_total', 'unit_member_snapshot', 'household_team_snapshot', 'snapshot_month']) await db.schema.dropTable(t).ifExists().execute();
}
