/**
 * Reminders to overdue members: an official (for a unit) or a team's leader or official (for a team)
 * sends one, at most once a Vietnam day per unit or team. It is audit-logged, shown to each recipient
 * in the site until they dismiss it, and handed to the reminder channel (a log here; see channel.ts).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { siteUrl } from '../config.ts';
import { getCatalog } from '../content/catalog.ts';
import { requireTeamAccess, requireUnitAccess, TeamsError, type Viewer } from '../teams/access.ts';
import { myRequiredCourses, overdueCutoff, vnToday } from '../teams/dashboard.ts';
import { insertAudit } from '../teams/teams.repository.ts';
import { RateLimitError } from '../security/rate-limit.ts';
import { reminderChannel, type ReminderChannel } from './channel.ts';
import * as repo from './reminders.repository.ts';

/** Reminders older than this are no longer shown. */
const SHOW_DAYS = 30;

/** Seconds until the next Vietnam midnight (when the next reminder may be sent). */
function untilVnMidnight(now: Date): number {
  const vn = now.getTime() + 7 * 3600_000;
  return Math.max(1, Math.ceil((Math.ceil(vn / 86_400_000) * 86_400_000 - vn) / 1000));
}

export interface SendResult {
  recipients: number;
}

async function send(
  db: Kysely<Database>,
  v: Viewer,
  scope: { unitId: number; teamId: number | null; key: string; name: string; where: { path: string } | { teamId: number } },
  now: Date,
  channel: ReminderChannel,
): Promise<SendResult> {
  const cutoff = overdueCutoff(now);
  const sent = await db.transaction().execute(async (trx) => {
    const id = await repo.insertReminder(trx, { unitId: scope.unitId, teamId: scope.teamId, senderId: v.id, scopeKey: scope.key, day: vnToday(now) });
    if (!id) throw new RateLimitError(`Hôm nay đã có lời nhắc gửi cho ${scope.name}. Mỗi đơn vị hoặc tổ gửi được một lần mỗi ngày; hãy gửi lại vào ngày mai.`, untilVnMidnight(now));
    const n = await repo.insertOverdueRecipients(trx, id, scope.where, cutoff);
    // Nothing to remind: roll back, so today's reminder stays available.
    if (n === 0) throw new TeamsError(409, `Không có ai quá hạn trong ${scope.name}, nên không cần gửi lời nhắc.`);
    await insertAudit(trx, { actorId: v.id, unitId: scope.unitId, action: 'reminder.send', detail: { reminder: id, team: scope.teamId, recipients: n, channel: channel.name } });
    return { id, n };
  });
  // The channel is an extra: the in-site reminder is already committed, so a refused message is logged, not fatal.
  const catalog = getCatalog();
  for (const r of await repo.recipientsOf(db, sent.id)) {
    const courses = (await myRequiredCourses(db, r.id, now)).filter((c) => c.overdue);
    await channel
      .send({
        userId: r.id,
        phone: r.phone,
        name: r.display_name,
        from: scope.name,
        courses: courses.map((c) => ({ title: catalog.bySlug.get(c.course)?.title ?? c.course, due: c.due, daysOverdue: -c.daysLeft })),
        link: `${siteUrl()}/`,
      })
      .catch((err: unknown) => console.error(`[nhắc nhở] kênh ${channel.name} từ chối: ${(err as Error).message}`));
  }
  return { recipients: sent.n };
}

/** Sends a reminder to every overdue member under a unit the viewer manages. */
export async function remindUnit(db: Kysely<Database>, v: Viewer, unitId: string | undefined, now = new Date(), channel = reminderChannel()): Promise<SendResult> {
  const unit = await requireUnitAccess(db, v, unitId);
  return send(db, v, { unitId: unit.id, teamId: null, key: `unit:${unit.id}`, name: unit.name, where: { path: unit.path } }, now, channel);
}

/** Sends a reminder to the overdue members of a team (its official or its leader). */
export async function remindTeam(db: Kysely<Database>, v: Viewer, teamId: string | undefined, now = new Date(), channel = reminderChannel()): Promise<SendResult> {
  const team = await requireTeamAccess(db, v, teamId);
  return send(db, v, { unitId: team.unit_id, teamId: team.id, key: `team:${team.id}`, name: team.name, where: { teamId: team.id } }, now, channel);
}

/** When the scope was last reminded (for the dashboard). */
export async function lastReminder(db: Kysely<Database>, scope: { unitId: number } | { teamId: number }) {
  const r = await repo.lastReminderOf(db, 'unitId' in scope ? `unit:${scope.unitId}` : `team:${scope.teamId}`);
  return r ? { day: r.day, at: new Date(r.created_at), recipients: r.recipients } : undefined;
}

/**
 * The reminders a member should see now: not dismissed, from the last 30 days, and only while they
 * still have an overdue required course (a reminder about work since finished is not shown).
 */
export async function myReminders(db: Kysely<Database>, userId: string, now = new Date()) {
  const rows = await repo.openRemindersOf(db, userId, new Date(now.getTime() - SHOW_DAYS * 86_400_000));
  if (rows.length === 0) return [];
  const overdue = (await myRequiredCourses(db, userId, now)).filter((c) => c.overdue);
  if (overdue.length === 0) return [];
  return rows.map((r) => ({ id: r.id, at: new Date(r.created_at), from: r.team_name ?? r.unit_name, courses: overdue }));
}

/** Dismisses one of the member's own reminders; anyone else's id is "not found". */
export async function dismissReminder(db: Kysely<Database>, userId: string, reminderId: string): Promise<void> {
  if (!(await repo.dismiss(db, userId, reminderId))) throw new TeamsError(404, 'Không tìm thấy lời nhắc này.');
}
