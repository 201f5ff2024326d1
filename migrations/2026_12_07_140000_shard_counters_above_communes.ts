import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// Counter rows of units above communes (provinces, the country) are updated by every completion below
// them. Each such unit's counters are spread over up to 16 rows (`shard`, the commune's id mod 16):
// a completion touches only its commune's shard, so completions across the country stop queueing on
// one national row. Reads sum the shards. Rows of communes and below keep shard 0.
const TABLES = [
  { table: 'unit_course_counter', key: ['unit_id', 'course_slug', 'edition', 'due_date'] },
  { table: 'unit_week_counter', key: ['unit_id', 'course_slug', 'edition', 'week'] },
  { table: 'unit_member_counter', key: ['unit_id'] },
];

async function primaryKeyName(db: Kysely<any>, table: string): Promise<string> {
  const r = await sql<{ name: string }>`select conname as name from pg_constraint where conrelid = ${table}::regclass and contype = 'p'`.execute(db);
  return r.rows[0]!.name;
}

export async function up(db: Kysely<any>): Promise<void> {
  for (const { table, key } of TABLES) {
    const pk = await primaryKeyName(db, table);
    await sql`alter table ${sql.table(table)} add column shard smallint not null default 0`.execute(db);
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(pk)}`.execute(db);
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(`${table}_pk`)} primary key (${sql.join([...key, 'shard'].map((c) => sql.id(c)))})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const { table, key } of TABLES) {
    const cols = sql.join(key.map((c) => sql.id(c)));
    const rest = table === 'unit_member_counter' ? ['members', 'activated', 'with_required', 'all_done'] : table === 'unit_course_counter' ? ['assigned', 'completed'] : ['completed'];
    await sql`create temp table counter_sum on commit drop as select ${cols}, ${sql.join(rest.map((c) => sql`sum(${sql.id(c)})::int as ${sql.id(c)}`))} from ${sql.table(table)} group by ${cols}`.execute(db);
    await sql`delete from ${sql.table(table)}`.execute(db);
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(`${table}_pk`)}`.execute(db);
    await sql`alter table ${sql.table(table)} drop column shard`.execute(db);
    await sql`insert into ${sql.table(table)} select * from counter_sum`.execute(db);
    await sql`drop table counter_sum`.execute(db);
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(`${table}_pk`)} primary key (${cols})`.execute(db);
  }
}
