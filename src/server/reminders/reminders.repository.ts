/** Reminders: one per scope and Vietnam day, their recipients, and what a member has not dismissed. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { memberCourseQuery } from '../teams/dashboard.repository.ts';
import { pathUpper } from '../teams/counters.repository.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Inserts today's reminder of a scope, or returns undefined when one was already sent today. */
export async function insertReminder(db: Db, r: { unitId: number; teamId: number | null; senderId: string; scopeKey: string; day: string }): Promise<string | undefined> {
  const row = await db
    .insertInto('reminder')
    .values({ unit_id: r.unitId, team_id: r.teamId, sender_id: r.senderId, scope_key: r.scopeKey, day: r.day })
    .onConflict((oc) => oc.columns(['scope_key', 'day']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Adds every active member with an overdue required course under the scope; returns how many. */
export async function insertOverdueRecipients(db: Db, reminderId: string, scope: { path: string } | { teamId: number }, cutoff: string): Promise<number> {
  const where = 'path' in scope ? sql`au.path >= ${scope.path} and au.path < ${pathUpper(scope.path)} and tm.active` : sql`t.id = ${scope.teamId} and tm.active`;
  const overdue = memberCourseQuery(where, undefined, sql`and r.due_date <= ${cutoff}::date and cc.user_id is null`);
  const r = await sql<{ user_id: string }>`insert into reminder_recipient (reminder_id, user_id)
    select distinct ${reminderId}::uuid, q.user_id from (${overdue}) q on conflict do nothing returning user_id`.execute(db);
  const n = r.rows.length;
  await db.updateTable('reminder').set({ recipients: n }).where('id', '=', reminderId).execute();
  return n;
}

/** Recipients of a reminder with their phone and name (for a channel). */
export function recipientsOf(db: Db, reminderId: string) {
  return db
    .selectFrom('reminder_recipient as rr')
    .innerJoin('user as u', 'u.id', 'rr.user_id')
    .select(['u.id', 'u.phone', 'u.display_name'])
    .where('rr.reminder_id', '=', reminderId)
    .orderBy('u.id')
    .execute();
}

/** The reminders a member has not dismissed, newest first, with the sender's scope name. */
export async function openRemindersOf(db: Db, userId: string, since: Date, limit = 3) {
  return (
    await sql<{ id: string; created_at: Date; unit_name: string; team_name: string | null }>`
      select r.id, r.created_at, au.name as unit_name, t.name as team_name
      from reminder_recipient rr
      join reminder r on r.id = rr.reminder_id
      join admin_unit au on au.id = r.unit_id
      left join team t on t.id = r.team_id
      where rr.user_id = ${userId} and rr.dismissed_at is null and r.created_at >= ${since}
      order by r.created_at desc limit ${limit}`.execute(db)
  ).rows;
}

/** Dismisses one of the member's own reminders; false when it is not theirs. */
export async function dismiss(db: Db, userId: string, reminderId: string): Promise<boolean> {
  const r = await db.updateTable('reminder_recipient').set({ dismissed_at: new Date() }).where('reminder_id', '=', reminderId).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The latest reminder of a scope, to show "last sent" on the dashboard. */
export function lastReminderOf(db: Db, scopeKey: string) {
  return db.selectFrom('reminder').select(['day', 'created_at', 'recipients']).where('scope_key', '=', scopeKey).orderBy('day', 'desc').limit(1).executeTakeFirst();
}
