import { type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// A limit with a backoff (sign-in per number) refuses further hits until this moment once its
// window's threshold is passed; null when no backoff is running.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rate_limit').addColumn('blocked_until', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rate_limit').dropColumn('blocked_until').execute();
}
