import { sql, type Kysely } from 'kysely';
import type { Database, Role } from '../db/schema.ts';

/** Session joined with the fields of its user that pages need. */
export interface SessionWithUser {
  id: string;
  secretHash: Uint8Array;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  user: { id: string; phone: string; displayName: string; role: Role };
  /** Something about the account awaits its owner: an unseen security event or a recovery request to answer. */
  attention: boolean;
}

/** One row of a person's session list. */
export interface SessionSummary {
  id: string;
  device: string | null;
  createdAt: Date;
  lastSeenAt: Date;
}

export async function insertSession(
  db: Kysely<Database>,
  s: { id: string; userId: string; secretHash: Uint8Array; expiresAt: Date; device: string | null },
) {
  await db
    .insertInto('session')
    .values({ id: s.id, user_id: s.userId, secret_hash: s.secretHash, expires_at: s.expiresAt, device: s.device })
    .execute();
}

export async function findSessionWithUser(db: Kysely<Database>, id: string): Promise<SessionWithUser | undefined> {
  const row = await db
    .selectFrom('session')
    .innerJoin('user', 'user.id', 'session.user_id')
    .select([
      'session.id',
      'session.secret_hash',
      'session.created_at',
      'session.expires_at',
      'session.last_seen_at',
      'user.id as user_id',
      'user.phone',
      'user.display_name',
      'user.role',
    ])
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
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    lastSeenAt: new Date(row.last_seen_at),
    user: { id: row.user_id, phone: row.phone, displayName: row.display_name, role: row.role },
    attention: Boolean(row.attention),
  };
}

/** Moves the idle expiry and/or the last-seen time of a session. */
export async function touchSession(db: Kysely<Database>, id: string, change: { expiresAt?: Date; lastSeenAt?: Date }) {
  await db
    .updateTable('session')
    .set({
      ...(change.expiresAt ? { expires_at: change.expiresAt } : {}),
      ...(change.lastSeenAt ? { last_seen_at: change.lastSeenAt } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteSession(db: Kysely<Database>, id: string) {
  await db.deleteFrom('session').where('id', '=', id).execute();
}

/** Deletes one session only when it belongs to `userId`; returns whether a row went. */
export async function deleteOwnSession(db: Kysely<Database>, userId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('session').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Deletes every session of a user, except `exceptId` when given; returns how many ended. */
export async function deleteUserSessions(db: Kysely<Database>, userId: string, exceptId?: string): Promise<number> {
  let q = db.deleteFrom('session').where('user_id', '=', userId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Deletes a user's sessions past their idle expiry or started before `startedBefore`. */
export async function deleteExpiredSessions(db: Kysely<Database>, userId: string, startedBefore: Date) {
  await db
    .deleteFrom('session')
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('expires_at', '<', new Date()), eb('created_at', '<', startedBefore)]))
    .execute();
}

/** A user's sessions still within both lifetimes, most recently used first. */
export async function listSessions(db: Kysely<Database>, userId: string, startedAfter: Date): Promise<SessionSummary[]> {
  const rows = await db
    .selectFrom('session')
    .select(['id', 'device', 'created_at', 'last_seen_at'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', new Date())
    .where('created_at', '>', startedAfter)
    .orderBy('last_seen_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, device: r.device, createdAt: new Date(r.created_at), lastSeenAt: new Date(r.last_seen_at) }));
}
