import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// Household counters and help activity kept at commune level (summed above it when read), so the coverage dashboards of a
// province or the country read one row per commune and month instead of one per team, month and
// member: visits, anonymous visits, members active in the month, and members whose last active
// month it is (so "members active in the last 12 months" is a sum). Members are counted per team
// (a member who changed teams counts in each). The commune of a team is the unit at depth 2 on its
// path (its own unit when that is a province or the country). Backfilled from help_month_counter.
const COLS = ['households', 'consented', 'meeting_target', 'linked_citizens', 'cov_dich_vu_cong', 'cov_mua_sam', 'cov_thanh_toan', 'cov_tu_bao_ve', 'cov_nen_tang_dia_phuong', 'all_skills'];

export async function up(db: Kysely<any>): Promise<void> {
  // The household counters of every team of a commune, summed (kept with the team rows, same transaction).
  let t = db.schema.createTable('household_commune_counter').addColumn('commune_id', 'integer', (c) => c.primaryKey().references('admin_unit.id').onDelete('cascade'));
  for (const col of COLS) t = t.addColumn(col, 'integer', (c) => c.notNull().defaultTo(0));
  await t.execute();
  await db.schema
    .createTable('help_commune_month')
    .addColumn('commune_id', 'integer', (c) => c.notNull().references('admin_unit.id').onDelete('cascade'))
    .addColumn('month', 'date', (c) => c.notNull())
    .addColumn('visits', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('anonymous', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('members', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_members', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('help_commune_month_pk', ['commune_id', 'month'])
    .execute();
  // The last month each member helped for each team (null: none any more).
  await db.schema
    .createTable('help_member_last')
    .addColumn('team_id', 'integer', (c) => c.notNull().references('team.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('last_month', 'date')
    .addPrimaryKeyConstraint('help_member_last_pk', ['team_id', 'member_id'])
    .execute();
  await db.schema.createIndex('help_member_last_member_idx').on('help_member_last').column('member_id').execute();
  const nil = sql.lit('00000000-0000-0000-0000-000000000000');
  const commune = sql.raw(`coalesce(nullif(split_part(au.path, '/', 4), ''), au.id::text)::int`);
  await sql`insert into household_commune_counter (commune_id, ${sql.raw(COLS.join(', '))})
    select ${commune}, ${sql.raw(COLS.map((c) => `sum(k.${c})`).join(', '))}
    from household_team_counter k join team t on t.id = k.team_id join admin_unit au on au.id = t.unit_id group by 1`.execute(db);
  await sql`insert into help_member_last (team_id, member_id, last_month)
    select team_id, member_id, max(month) from help_month_counter where member_id <> ${nil}::uuid and visits > 0 group by 1, 2`.execute(db);
  await sql`insert into help_commune_month (commune_id, month, visits, anonymous, members, last_members)
    select commune_id, month, sum(visits), sum(anonymous), sum(members), sum(last_members) from (
      select ${commune} as commune_id, c.month, c.visits, c.anonymous, case when c.member_id <> ${nil}::uuid and c.visits > 0 then 1 else 0 end as members, 0 as last_members
      from help_month_counter c join team t on t.id = c.team_id join admin_unit au on au.id = t.unit_id
      union all
      select ${commune}, b.last_month, 0, 0, 0, 1 from help_member_last b join team t on t.id = b.team_id join admin_unit au on au.id = t.unit_id
      where b.last_month is not null) x
    group by 1, 2`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('help_member_last').ifExists().execute();
  await db.schema.dropTable('help_commune_month').ifExists().execute();
  await db.schema.dropTable('household_commune_counter').ifExists().execute();
}
