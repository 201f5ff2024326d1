import { sql, type Kysely, type Transaction } from 'kysely';
import type { CertificateRow, Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Inserts a certificate unless the learner already holds a current one for the edition. */
export async function insertCertificate(
  db: Db,
  c: { code: string; userId: string | null; course: string; edition: string; learnerName: string; courseTitle: string; contentVersion: number },
): Promise<CertificateRow | undefined> {
  return db
    .insertInto('certificate')
    .values({
      code: c.code,
      user_id: c.userId,
      course_slug: c.course,
      edition: c.edition,
      learner_name: c.learnerName,
      course_title: c.courseTitle,
      content_version: c.contentVersion,
    })
    .onConflict((oc) => oc.columns(['user_id', 'course_slug', 'edition']).where('replaced_at', 'is', null).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** A certificate with the codes of the certificate that replaced it and of the one it replaced. */
export type CertificateViewRow = CertificateRow & { replaced_by_code: string | null; replaces_code: string | null };

/**
 * The one query behind every certificate view: the row and both neighbours of a reissue, through
 * the primary key and the unique index on replaced_by, so a lookup is a single round trip.
 */
export function viewQuery(db: Db) {
  return db
    .selectFrom('certificate as c')
    .leftJoin('certificate as next', 'next.id', 'c.replaced_by')
    .leftJoin('certificate as prev', 'prev.replaced_by', 'c.id')
    .selectAll('c')
    .select(['next.code as replaced_by_code', 'prev.code as replaces_code']);
}

/** Lookup by verification code (unique index), with the reissue neighbours' codes. */
export function findViewByCode(db: Db, code: string): Promise<CertificateViewRow | undefined> {
  return viewQuery(db).where('c.code', '=', code).executeTakeFirst();
}

/** Lookup by id (primary key), with the reissue neighbours' codes. */
export function findViewById(db: Db, id: string): Promise<CertificateViewRow | undefined> {
  return viewQuery(db).where('c.id', '=', id).executeTakeFirst();
}

/** Locks a certificate row for an admin change. */
export function lockByCode(trx: Transaction<Database>, code: string): Promise<CertificateRow | undefined> {
  return trx.selectFrom('certificate').selectAll().where('code', '=', code).forUpdate().executeTakeFirst();
}

/** The learner's current (not replaced) certificates, newest first, with the reissue neighbours' codes. */
export function currentOfUser(db: Db, userId: string): Promise<CertificateViewRow[]> {
  return viewQuery(db).where('c.user_id', '=', userId).where('c.replaced_at', 'is', null).orderBy('c.issued_at', 'desc').execute();
}

export async function markRevoked(db: Db, id: string, r: { reason: string; by: string }): Promise<boolean> {
  const res = await db
    .updateTable('certificate')
    .set({ revoked_at: sql`now()`, revoked_reason: r.reason, revoked_by: r.by })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where('replaced_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Takes a certificate out of the "current" index so its replacement can be inserted. */
export async function markReplacing(trx: Transaction<Database>, id: string): Promise<void> {
  await trx.updateTable('certificate').set({ replaced_at: sql`now()` }).where('id', '=', id).execute();
}

export async function setReplacedBy(trx: Transaction<Database>, id: string, replacementId: string): Promise<void> {
  await trx.updateTable('certificate').set({ replaced_by: replacementId }).where('id', '=', id).execute();
}

/** The learner's current name (frozen onto the certificate at issue). */
export async function learnerName(db: Db, userId: string): Promise<string> {
  const row = await db.selectFrom('user').select('display_name').where('id', '=', userId).executeTakeFirstOrThrow();
  return row.display_name;
}

export async function updateLearnerName(db: Db, userId: string, name: string): Promise<void> {
  await db.updateTable('user').set({ display_name: name }).where('id', '=', userId).execute();
}

/** Whether any certificate holds a status-list position in [from, to) (unique index on status_index). */
export async function statusRangeInUse(db: Db, from: number, to: number): Promise<boolean> {
  const row = await db.selectFrom('certificate').select('status_index').where('status_index', '>=', from).where('status_index', '<', to).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * Status-list positions in [from, to) whose bit is set: revoked or replaced certificates. The
 * condition repeats the predicate of the partial index certificate_status_set_idx, so only set
 * positions are read, however many certificates share the list.
 */
export async function setStatusIndexes(db: Db, from: number, to: number): Promise<number[]> {
  const rows = await db
    .selectFrom('certificate')
    .select('status_index')
    .where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('replaced_at', 'is not', null)]))
    .where('status_index', '>=', from)
    .where('status_index', '<', to)
    .execute();
  return rows.map((r) => r.status_index);
}

/** Records an admin's change to a certificate in the audit log (no unit: certificates are site-wide). */
export async function insertAudit(trx: Transaction<Database>, a: { actorId: string; action: string; detail: Record<string, unknown> }): Promise<void> {
  await trx.insertInto('audit_log').values({ actor_id: a.actorId, unit_id: null, action: a.action, detail: JSON.stringify(a.detail) }).execute();
}
