import { sql, type Kysely } from 'kysely';
import type { Database, Role } from '../db/schema.ts';

/** Session joined with the fields of its user that pages need. */
export interface SessionWithUser {
  id: string;
  secretHash: Uint8Array;
  expiresAt: Date;
  user: { id: string; phone: string; displayName: string; role: Role };
  /** Something about the account awaits its owner: an unseen security event or a recovery request to answer. */
  attention: boolean;
}

export async function insertSession(db: Kysely<Database>, s: { id: string; userId: string; secretHash: Uint8Array; expiresAt: Date }) {
  await db.insertInto('session').values({ id: s.id, user_id: s.userId, secret_hash: s.secretHash, expires_at: s.expiresAt }).execute();
}

export async function findSessionWithUser(db: Kysely<Database>, id: string): Promise<SessionWithUser | undefined> {
  const row = await db
    .selectFrom('session')
    .innerJoin('user', 'user.id', 'session.user_id')
    .select(['session.id', 'session.secret_hash', 'session.expires_at', 'user.id as user_id', 'user.phone', 'user.display_name', 'user.role'])
    // Read with the session (one round trip), so every page can show the banner without another query.
    .select(
      sql<boolean>`(exists (select 1 from security_event e where e.user_id = "user".id and e.seen_at is null)
        or exists (select 1 from recovery_request r where r.user_id = "user".id and r.confirmed_at is null
                   and r.declined_at is null and r.expires_at > now()))`.as('attention'),
    )
    .where('session.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    secretHash: new Uint8Array(row.secret_hash),
    expiresAt: new Date(row.expires_at),
    user: { id: row.user_id, phone: row.phone, displayName: row.display_name, role: row.role },
    attention: Boolean(row.attention),
  };
}

export async function updateSessionExpiry(db: Kysely<Database>, id: string, expiresAt: Date) {
  await db.updateTable('session').set({ expires_at: expiresAt }).where('id', '=', id).execute();
}

export async function deleteSession(db: Kysely<Database>, id: string) {
  await db.deleteFrom('session').where('id', '=', id).execute();
}

/** Deletes every session of a user, except `exceptId` when given; returns how many ended. */
export async function deleteUserSessions(db: Kysely<Database>, userId: string, exceptId?: string): Promise<number> {
  let q = db.deleteFrom('session').where('user_id', '=', userId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteExpiredSessions(db: Kysely<Database>, userId: string) {
  await db.deleteFrom('session').where('user_id', '=', userId).where('expires_at', '<', new Date()).execute();
}
