/** Queries of account recovery: access codes, personal codes, helper requests, security events. */
import type { Kysely, Transaction } from 'kysely';
import type { AccessCodeTable, Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** An account as recovery needs it. */
export function findAccountByPhone(db: Db, phone: string) {
  return db.selectFrom('user').select(['id', 'phone', 'display_name', 'role', 'password_hash']).where('phone', '=', phone).executeTakeFirst();
}

export function findAccount(db: Db, id: string) {
  return db.selectFrom('user').select(['id', 'phone', 'display_name', 'role', 'password_hash']).where('id', '=', id).executeTakeFirst();
}

export async function setPasswordHash(db: Db, userId: string, hash: string): Promise<void> {
  await db.updateTable('user').set({ password_hash: hash }).where('id', '=', userId).execute();
}

// ─── Access codes ───

/** Inserts a code; an earlier unused one of the same kind stops working. */
export async function insertAccessCode(
  db: Db,
  c: { userId: string; kind: AccessCodeTable['kind']; hash: string; expiresAt: Date; notBefore: Date | null; unitId: number | null; issuedBy: string | null; now: Date },
): Promise<number> {
  await db.updateTable('access_code').set({ used_at: c.now }).where('user_id', '=', c.userId).where('kind', '=', c.kind).where('used_at', 'is', null).execute();
  const r = await db
    .insertInto('access_code')
    .values({ user_id: c.userId, kind: c.kind, code_hash: c.hash, expires_at: c.expiresAt, not_before: c.notBefore, unit_id: c.unitId, issued_by: c.issuedBy, created_at: c.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Unused, unexpired codes of a user, locked for the redeeming transaction. */
export function openAccessCodes(db: Db, userId: string, now: Date) {
  return db
    .selectFrom('access_code')
    .select(['id', 'kind', 'code_hash', 'not_before', 'issued_by', 'unit_id'])
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .forUpdate()
    .execute();
}

/** Marks a code used; false when another request used it first. */
export async function useAccessCode(db: Db, id: number, now: Date): Promise<boolean> {
  // A used slip code is no longer kept, even sealed.
  const r = await db.updateTable('access_code').set({ used_at: now, sealed_code: null }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Voids every other open recovery or in-person code of a user (a reset proves control of the account). */
export async function voidOpenResets(db: Db, userId: string, now: Date): Promise<void> {
  await db.updateTable('access_code').set({ used_at: now }).where('user_id', '=', userId).where('kind', 'in', ['recovery', 'in_person']).where('used_at', 'is', null).execute();
}

/** In-person resets of a user still waiting or usable, with who made them and where. */
export function pendingInPerson(db: Db, userId: string, now: Date) {
  return db
    .selectFrom('access_code as c')
    .leftJoin('user as o', 'o.id', 'c.issued_by')
    .leftJoin('admin_unit as au', 'au.id', 'c.unit_id')
    .select(['c.id', 'c.created_at', 'c.not_before', 'c.expires_at', 'o.display_name as official_name', 'au.name as unit_name'])
    .where('c.user_id', '=', userId)
    .where('c.kind', '=', 'in_person')
    .where('c.used_at', 'is', null)
    .where('c.expires_at', '>', now)
    .orderBy('c.created_at', 'desc')
    .execute();
}

/** Cancels one of a user's open in-person resets; returns it, or undefined when there was none. */
export function cancelInPerson(db: Db, userId: string, id: number, now: Date) {
  return db
    .updateTable('access_code')
    .set({ used_at: now, cancelled_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('kind', '=', 'in_person')
    .where('used_at', 'is', null)
    .returning(['id', 'issued_by', 'unit_id'])
    .executeTakeFirst();
}

// ─── Personal codes ───

export function findPersonalCode(db: Db, userId: string) {
  return db.selectFrom('personal_recovery_code').select(['code_hash', 'created_at']).where('user_id', '=', userId).executeTakeFirst();
}

export async function upsertPersonalCode(db: Db, userId: string, hash: string, now: Date): Promise<void> {
  await db
    .insertInto('personal_recovery_code')
    .values({ user_id: userId, code_hash: hash, created_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ code_hash: hash, created_at: now }))
    .execute();
}

/** Deletes the personal code if it still has this hash (two redemptions of one code: one wins). */
export async function consumePersonalCode(db: Db, userId: string, hash: string): Promise<boolean> {
  const r = await db.deleteFrom('personal_recovery_code').where('user_id', '=', userId).where('code_hash', '=', hash).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ─── Helper requests ───

export async function insertRequest(db: Db, r: { helperId: string; userId: string | null; matchCode: string; now: Date; expiresAt: Date }): Promise<string> {
  const row = await db
    .insertInto('recovery_request')
    .values({ helper_id: r.helperId, user_id: r.userId, match_code: r.matchCode, created_at: r.now, expires_at: r.expiresAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function findRequest(db: Db, id: string) {
  return db.selectFrom('recovery_request').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Requests waiting for this owner's answer, with the helper's name and role. */
export function pendingRequestsFor(db: Db, userId: string, now: Date) {
  return db
    .selectFrom('recovery_request as r')
    .innerJoin('user as h', 'h.id', 'r.helper_id')
    .select(['r.id', 'r.match_code', 'r.created_at', 'h.display_name as helper_name', 'h.role as helper_role'])
    .where('r.user_id', '=', userId)
    .where('r.confirmed_at', 'is', null)
    .where('r.declined_at', 'is', null)
    .where('r.expires_at', '>', now)
    .orderBy('r.created_at', 'desc')
    .execute();
}

/** Records the owner's answer to a request still open; returns the helper's id, or undefined. */
export async function answerRequest(db: Db, id: string, userId: string, accept: boolean, now: Date) {
  return db
    .updateTable('recovery_request')
    .set(accept ? { confirmed_at: now } : { declined_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is', null)
    .where('declined_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['helper_id'])
    .executeTakeFirst();
}

/** Marks that a confirmed request's code was shown; false when it already was. */
export async function markRequestIssued(db: Db, id: string, now: Date): Promise<boolean> {
  const r = await db.updateTable('recovery_request').set({ code_issued_at: now }).where('id', '=', id).where('code_issued_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

// ─── Security events ───

export async function insertEvent(db: Db, e: { userId: string; kind: string; actorId: string | null; unitId: number | null; now: Date; seen: boolean }): Promise<void> {
  await db
    .insertInto('security_event')
    .values({ user_id: e.userId, kind: e.kind, actor_id: e.actorId, unit_id: e.unitId, created_at: e.now, seen_at: e.seen ? e.now : null })
    .execute();
}

/** A user's latest events, newest first, with the actor's name and role and the unit's name. */
export function eventsOf(db: Db, userId: string, limit: number) {
  return db
    .selectFrom('security_event as e')
    .leftJoin('user as a', 'a.id', 'e.actor_id')
    .leftJoin('admin_unit as au', 'au.id', 'e.unit_id')
    .select(['e.id', 'e.kind', 'e.created_at', 'e.seen_at', 'a.display_name as actor_name', 'a.role as actor_role', 'au.name as unit_name'])
    .where('e.user_id', '=', userId)
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute();
}

export async function markEventsSeen(db: Db, userId: string, now: Date): Promise<void> {
  await db.updateTable('security_event').set({ seen_at: now }).where('user_id', '=', userId).where('seen_at', 'is', null).execute();
}

/** Whether anything waits for the owner: an unseen event or a request to answer. */
export async function hasAttention(db: Db, userId: string, now: Date): Promise<boolean> {
  const e = await db.selectFrom('security_event').select('id').where('user_id', '=', userId).where('seen_at', 'is', null).limit(1).executeTakeFirst();
  if (e) return true;
  const r = await db
    .selectFrom('recovery_request')
    .select('id')
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is', null)
    .where('declined_at', 'is', null)
    .where('expires_at', '>', now)
    .limit(1)
    .executeTakeFirst();
  return Boolean(r);
}
