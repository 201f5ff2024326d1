/**
 * Queries behind the self-service account pages: password and name changes, the data export and
 * account deletion. Every query is keyed by the one user id it was given.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export function findUser(db: Db, userId: string) {
  return db.selectFrom('user').select(['id', 'phone', 'display_name', 'role', 'password_hash', 'created_at']).where('id', '=', userId).executeTakeFirst();
}

export async function setPasswordHash(db: Db, userId: string, hash: string): Promise<void> {
  await db.updateTable('user').set({ password_hash: hash }).where('id', '=', userId).execute();
}

export async function setDisplayName(db: Db, userId: string, name: string): Promise<void> {
  await db.updateTable('user').set({ display_name: name }).where('id', '=', userId).execute();
}

/** The person's team membership (active or not), with team and unit names. */
export function membership(db: Db, userId: string) {
  return db
    .selectFrom('team_member as tm')
    .innerJoin('team as t', 't.id', 'tm.team_id')
    .innerJoin('admin_unit as au', 'au.id', 't.unit_id')
    .select(['tm.team_id', 'tm.role', 'tm.active', 'tm.since', 'tm.deactivated_at', 't.unit_id', 't.name as team_name', 'au.name as unit_name'])
    .where('tm.user_id', '=', userId)
    .executeTakeFirst();
}

export function officialScopes(db: Db, userId: string) {
  return db
    .selectFrom('official_scope as s')
    .innerJoin('admin_unit as au', 'au.id', 's.unit_id')
    .select(['au.name as unit_name', 's.created_at'])
    .where('s.user_id', '=', userId)
    .orderBy('au.name')
    .execute();
}

/** Invitations to join a team, with the name the official's roster file gave the person. */
export function invitations(db: Db, userId: string) {
  return db
    .selectFrom('team_invitation as i')
    .innerJoin('team as t', 't.id', 'i.team_id')
    .innerJoin('admin_unit as au', 'au.id', 't.unit_id')
    .select(['t.name as team_name', 'au.name as unit_name', 'i.name_in_file', 'i.role', 'i.status', 'i.created_at', 'i.responded_at'])
    .where('i.user_id', '=', userId)
    .orderBy('i.created_at')
    .execute();
}

export function sessions(db: Db, userId: string) {
  return db.selectFrom('session').select(['device', 'created_at', 'last_seen_at']).where('user_id', '=', userId).orderBy('created_at').execute();
}

export function lessonProgress(db: Db, userId: string) {
  return db
    .selectFrom('lesson_progress')
    .select(['course_slug', 'lesson_id', 'edition', 'via', 'completed_at'])
    .where('user_id', '=', userId)
    .orderBy('completed_at')
    .execute();
}

export function lessonSubmissions(db: Db, userId: string) {
  return db
    .selectFrom('lesson_submission')
    .select(['kind', 'course_slug', 'edition', 'lesson_id', 'answers', 'results', 'passed', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

export function quizAttempts(db: Db, userId: string) {
  return db
    .selectFrom('quiz_attempt')
    .select(['course_slug', 'edition', 'answers', 'results', 'score', 'total', 'pass_mark', 'passed', 'started_at', 'submitted_at'])
    .where('user_id', '=', userId)
    .orderBy('started_at')
    .execute();
}

export function completions(db: Db, userId: string) {
  return db.selectFrom('course_completion').select(['course_slug', 'edition', 'completed_at']).where('user_id', '=', userId).orderBy('completed_at').execute();
}

export function certificates(db: Db, userId: string) {
  return db
    .selectFrom('certificate')
    .select(['code', 'learner_name', 'course_title', 'course_slug', 'edition', 'issued_at', 'revoked_at', 'revoked_reason', 'replaced_at'])
    .where('user_id', '=', userId)
    .orderBy('issued_at')
    .execute();
}

export function questions(db: Db, userId: string) {
  return db
    .selectFrom('topic_question')
    .select(['month', 'course_slug', 'text', 'status', 'answer', 'created_at', 'answered_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

export function attendance(db: Db, userId: string) {
  return db.selectFrom('session_attendance').select(['month', 'checked_in_at']).where('user_id', '=', userId).orderBy('month').execute();
}

/** The person's links to households (active and undone), with what the household and visit say. */
export function householdLinks(db: Db, userId: string) {
  return db
    .selectFrom('household_link as l')
    .innerJoin('household as h', 'h.id', 'l.household_id')
    .innerJoin('team as t', 't.id', 'h.team_id')
    .leftJoin('help_visit as v', 'v.id', 'l.visit_id')
    // The visit's day as written (YYYY-MM-DD), not a Date at the server's midnight.
    .select(['h.label', 't.name as team_name', 'l.person_key', sql<string | null>`v.visit_date::text`.as('visit_date'), 'v.person', 'l.created_at', 'l.undone_at'])
    .where('l.user_id', '=', userId)
    .orderBy('l.created_at')
    .execute();
}

export function calendarToken(db: Db, userId: string) {
  return db.selectFrom('calendar_token').select(['created_at']).where('user_id', '=', userId).executeTakeFirst();
}

/**
 * Removes the person's phone number from audit entries that name them as the subject (recovery codes,
 * scope grants) and replaces their id there by null; the entry itself stays, for the officials'
 * accountability, without saying whom it was about.
 */
export async function scrubAuditSubject(trx: Transaction<Database>, userId: string): Promise<void> {
  await sql`update audit_log set detail = (detail - 'phone') || jsonb_build_object('user', null)
    where detail->>'user' = ${userId}`.execute(trx);
}

/**
 * Blanks the person's name and number in roster files officials uploaded (stored rows of
 * `roster_import`). The row stays, marked with an error, so a preview not yet committed cannot
 * recreate the account.
 */
export async function scrubRosterRows(trx: Transaction<Database>, phone: string): Promise<void> {
  const blank = JSON.stringify({ name: '(đã xóa)', phone: '(đã xóa)', errors: ['Người này đã xóa tài khoản Học Số.'] });
  await sql`update roster_import set rows = (
      select jsonb_agg(case when t.r->>'phone' = ${phone} then t.r || ${blank}::jsonb else t.r end order by t.ord)
      from jsonb_array_elements(rows) with ordinality as t(r, ord))
    where jsonb_typeof(rows) = 'array' and rows @> jsonb_build_array(jsonb_build_object('phone', ${phone}::text))`.execute(trx);
}

/** Forgets rate-limit windows whose keys name the person's number or account id. */
export async function deleteOwnLimits(trx: Transaction<Database>, phone: string, userId: string): Promise<void> {
  await trx
    .deleteFrom('rate_limit')
    .where((eb) => eb.or([eb('key', 'like', `%${phone}%`), eb('key', 'like', `%${userId}%`)]))
    .execute();
}

/**
 * Deletes the user row. Their sessions, progress, answers, attempts, completions, questions,
 * attendance, calendar token, codes, team membership and official scopes go with it (ON DELETE
 * CASCADE); certificates stay with user_id NULL and their frozen name; records of what they did for
 * others keep a NULL actor.
 */
export async function deleteUser(trx: Transaction<Database>, userId: string): Promise<boolean> {
  const r = await trx.deleteFrom('user').where('id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function insertAudit(trx: Transaction<Database>, a: { unitId: number | null; action: string; detail: Record<string, unknown> }) {
  await trx.insertInto('audit_log').values({ actor_id: null, unit_id: a.unitId, action: a.action, detail: JSON.stringify(a.detail) }).execute();
}
