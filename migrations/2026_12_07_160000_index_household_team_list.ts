import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// A team's household list is read one page at a time in its order: households asking for removal
// first, then by label and id. This index holds that order per team, with removal_requested_at
// included so the page's ids come from an index-only scan (no sort, no table read for the rows
// skipped), and only the 50 rows of the page are read from the table. It replaces (team_id, label):
// every query by team (labels, searches, counts) uses its prefix.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index household_team_list_idx on household (team_id, (removal_requested_at is not null) desc, label, id) include (removal_requested_at)`.execute(db);
  await sql`drop index household_team_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('household_team_idx').on('household').columns(['team_id', 'label']).execute();
  await sql`drop index household_team_list_idx`.execute(db);
}
