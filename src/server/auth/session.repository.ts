import type { Kysely } from 'kysely';
import type { Database, Role } from '../db/schema.ts';

/** Session joined with the fields of its user that pages need. */
export interface SessionWithUser {
  id: string;
  secretHash: Uint8Array;
  expiresAt: Date;
  user: { id: string; phone: string; displayName: string; role: Role };
}

export async function insertSession(db: Kysely<Database>, s: { id: string; userId: string; secretHash: Uint8Array; expiresAt: Date }) {
  await db.insertInto('session').values({ id: s.id, user_id: s.userId, secret_hash: s.secretHash, expires_at: s.expiresAt }).execute();
}

export async function findSessionWithUser(db: Kysely<Database>, id: string): Promise<SessionWithUser | undefined> {
  const row = await db
    .selectFrom('session')
    .innerJoin('user', 'user.id', 'session.user_id')
    .select(['session.id', 'session.secret_hash', 'session.expires_at', 'user.id as user_id', 'user.phone', 'user.display_name', 'user.role'])
    .where('session.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    secretHash: new Uint8Array(row.secret_hash),
    expiresAt: new Date(row.expires_at),
    user: { id: row.user_id, phone: row.phone, displayName: row.display_name, role: row.role },
  };
}

export async function updateSessionExpiry(db: Kysely<Database>, id: string, expiresAt: Date) {
  await db.updateTable('session').set({ expires_at: expiresAt }).where('id', '=', id).execute();
}

export async function deleteSession(db: Kysely<Database>, id: string) {
  await db.deleteFrom('session').where('id', '=', id).execute();
}

export async function deleteExpiredSessions(db: Kysely<Database>, userId: string) {
  await db.deleteFrom('session').where('user_id', '=', userId).where('expires_at', '<', new Date()).execute();
}
