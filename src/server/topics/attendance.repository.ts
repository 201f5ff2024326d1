import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** Records a check-in once; returns when the person was (first) recorded and whether this call did it. */
export async function insertAttendance(db: Kysely<Database>, userId: string, month: string): Promise<{ at: Date; recorded: boolean }> {
  const inserted = await db
    .insertInto('session_attendance')
    .values({ user_id: userId, month })
    .onConflict((oc) => oc.columns(['user_id', 'month']).doNothing())
    .returning('checked_in_at')
    .executeTakeFirst();
  if (inserted) return { at: new Date(inserted.checked_in_at), recorded: true };
  const existing = await findAttendance(db, userId, month);
  return { at: existing!, recorded: false };
}

/** When the user checked in to a month's session, if they did. */
export async function findAttendance(db: Kysely<Database>, userId: string, month: string): Promise<Date | undefined> {
  const row = await db.selectFrom('session_attendance').select('checked_in_at').where('user_id', '=', userId).where('month', '=', month).executeTakeFirst();
  return row ? new Date(row.checked_in_at) : undefined;
}

/**
 * How many people checked in to a month's session; with `userIds`, only among them (an official's
 * dashboard passes the members of their unit).
 */
export async function countAttendance(db: Kysely<Database>, month: string, userIds?: readonly string[]): Promise<number> {
  if (userIds && userIds.length === 0) return 0;
  let q = db.selectFrom('session_attendance').select((eb) => eb.fn.countAll<number>().as('n')).where('month', '=', month);
  if (userIds) q = q.where('user_id', 'in', userIds);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}
