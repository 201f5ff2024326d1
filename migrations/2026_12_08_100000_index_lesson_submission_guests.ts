import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// The daily housekeeping deletes guests' lesson answers that nobody can claim any more (their guest
// cookie has expired). It pages through guests' rows in key order; this partial index holds only
// those rows, with their time, so a page reads the index alone and never the accounts' answers.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index lesson_submission_unclaimed_idx on lesson_submission (id, created_at) where user_id is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index lesson_submission_unclaimed_idx`.execute(db);
}
