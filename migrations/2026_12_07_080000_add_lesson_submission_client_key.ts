/**
 * Lesson checks answered offline are sent again and again until an answer arrives (Background Sync,
 * reconnects, a flaky 3G link). Each carries an idempotency key made on the device; the unique index
 * stores it once whatever the number of replays, and a replay returns the stored result.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('lesson_submission').addColumn('client_key', 'uuid').execute();
  await db.schema.createIndex('lesson_submission_client_key_key').on('lesson_submission').column('client_key').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('lesson_submission_client_key_key').ifExists().execute();
  await db.schema.alterTable('lesson_submission').dropColumn('client_key').execute();
}
