import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// Officials see the removal requests still waiting in their scope (their dashboards). Requests are
// few and short-lived (the team acts on them), so a partial index holds only those households and
// the dashboard reads them whatever the size of the household table.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index household_removal_pending_idx on household (team_id, removal_requested_at) where removal_requested_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index household_removal_pending_idx`.execute(db);
}
