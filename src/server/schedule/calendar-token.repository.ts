import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** Stores a user's feed token hash, replacing any earlier one (so the old URL stops working). */
export async function upsertTokenHash(db: Kysely<Database>, userId: string, tokenHash: string): Promise<void> {
  await db
    .insertInto('calendar_token')
    .values({ user_id: userId, token_hash: tokenHash })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ token_hash: tokenHash, created_at: new Date() }))
    .execute();
}

export async function deleteToken(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom('calendar_token').where('user_id', '=', userId).execute();
}

/** When the user's current feed URL was made, if they have one. */
export async function findTokenCreatedAt(db: Kysely<Database>, userId: string): Promise<Date | undefined> {
  const row = await db.selectFrom('calendar_token').select('created_at').where('user_id', '=', userId).executeTakeFirst();
  return row ? new Date(row.created_at) : undefined;
}

/** The owner of a token hash. */
export async function findUserByTokenHash(db: Kysely<Database>, tokenHash: string): Promise<{ id: string; displayName: string } | undefined> {
  const row = await db
    .selectFrom('calendar_token')
    .innerJoin('user', 'user.id', 'calendar_token.user_id')
    .select(['user.id', 'user.display_name'])
    .where('calendar_token.token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row ? { id: row.id, displayName: row.display_name } : undefined;
}
