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

export function findByCode(db: Db, code: string): Promise<CertificateRow | undefined> {
  return db.selectFrom('certificate').selectAll().where('code', '=', code).executeTakeFirst();
}

export function findById(db: Db, id: string): Promise<CertificateRow | undefined> {
  return db.selectFrom('certificate').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks a certificate row for an admin change. */
export function lockByCode(trx: Transaction<Database>, code: string): Promise<CertificateRow | undefined> {
  return trx.selectFrom('certificate').selectAll().where('code', '=', code).forUpdate().executeTakeFirst();
}

/** The learner's current (not replaced) certificates, newest first. */
export function currentOfUser(db: Db, userId: string): Promise<CertificateRow[]> {
  return db.selectFrom('certificate').selectAll().where('user_id', '=', userId).where('replaced_at', 'is', null).orderBy('issued_at', 'desc').execute();
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

/** The certificate this one replaced, if it is a reissue. */
export function findReplacedBy(db: Db, replacementId: string): Promise<CertificateRow | undefined> {
  return db.selectFrom('certificate').selectAll().where('replaced_by', '=', replacementId).executeTakeFirst();
}

/** Records an admin's change to a certificate in the audit log (no unit: certificates are site-wide). */
export async function insertAudit(trx: Transaction<Database>, a: { actorId: string; action: string; detail: Record<string, unknown> }): Promise<void> {
  await trx.insertInto('audit_log').values({ actor_id: a.actorId, unit_id: null, action: a.action, detail: JSON.stringify(a.detail) }).execute();
}
