/**
 * Reminders to overdue members: sent once a Vietnam day per unit or team, audit-logged, handed to the
 * channel, shown to each recipient until dismissed; countdowns; the due-date calendar with alarms.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import ICAL from 'ical.js';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
import type { Database } from '../../src/server/db/schema.ts';
import { dueCountdown } from '../../src/lib/format.ts';
import { myRequiredCourses, overdueByTeam } from '../../src/server/teams/dashboard.ts';
import { dismissReminder, myReminders, remindTeam, remindUnit } from '../../src/server/reminders/reminders.ts';
import { LoggingChannel, type ReminderChannel, type ReminderMessage } from '../../src/server/reminders/channel.ts';
import { dueDatesCalendar } from '../../src/server/schedule/feeds.ts';
import { commitRoster, uploadRoster } from '../../src/server/teams/roster.ts';
import { seedAdministrativeUnits } from '../../src/server/teams/seed.ts';
import * as repo from '../../src/server/teams/teams.repository.ts';
import { type Viewer } from '../../src/server/teams/access.ts';
import { assignCourse } from '../../src/server/teams/assignments.ts';
import { runPendingJobs } from '../../src/server/jobs/worker.ts';
import { createTestDb } from '../setup/db.ts';

/** When the courses were assigned: due dates must be today or later at assignment time. */
const ASSIGNED_ON = new Date('2026-11-01T00:00:00+07:00');

let db: Kysely<Database>;
let official: Viewer;
let outsider: Viewer;
let commune: repo.UnitRow;
let ids: Record<string, string>;
let teamWest: number;
const NOW = new Date('2026-12-05T03:00:00Z'); // 10:00 in Vietnam

class Capture implements ReminderChannel {
  readonly name = 'test';
  sent: ReminderMessage[] = [];
  async send(m: ReminderMessage) {
    this.sent.push(m);
  }
}

beforeAll(async () => {
  db = (await createTestDb()).db;
  await seedAdministrativeUnits(db);
  commune = (await repo.findUnitByStatCode(db, '00004'))!;
  const other = (await repo.findUnitByStatCode(db, '00008'))!;
  const person = async (phone: string) => (await db.insertInto('user').values({ phone, display_name: 'Cán bộ thử', role: 'official', password_hash: null }).returning('id').executeTakeFirstOrThrow()).id;
  const o = await person('+84915200001');
  await repo.insertScope(db, o, commune.id, null);
  official = { id: o, role: 'official' };
  const b = await person('+84915200002');
  await repo.insertScope(db, b, other.id, null);
  outsider = { id: b, role: 'official' };
  const lines = [
    'Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò',
    'Nguyễn Văn An,0916200001,Thôn Đông,Tổ CNSCĐ thôn Đông,Tổ trưởng',
    'Trần Thị Bích,0916200002,Thôn Đông,Tổ CNSCĐ thôn Đông,Thành viên',
    'Lê Văn Cường,0916200003,Thôn Tây,Tổ CNSCĐ thôn Tây,Tổ trưởng',
  ];
  await commitRoster(db, official, await uploadRoster(db, official, String(commune.id), { bytes: new TextEncoder().encode(lines.join('\r\n')), name: 'ds.csv' }), []);
  const rows = await db.selectFrom('user').select(['id', 'phone']).where('phone', 'like', '+8491620000%').execute();
  ids = Object.fromEntries(rows.map((r) => [r.phone.slice(-1), r.id]));
  const west = (await db.selectFrom('team_member').select('team_id').where('user_id', '=', ids['3']!).executeTakeFirstOrThrow()).team_id;
  teamWest = west;
  // Overdue since 2026-12-01 for everyone; a second course due in 10 days.
  await assignCourse(db, official, String(commune.id), { course: 'khoa-thu-nghiem', edition: 'member', due: '2026-12-01' }, ASSIGNED_ON);
  await assignCourse(db, official, String(commune.id), { course: 'khoa-thu-nghiem', edition: 'citizen', due: '2026-12-15' }, ASSIGNED_ON);
  await runPendingJobs(db); // the assignments' recounts, as the worker would run them
}, 120_000);

describe('countdowns', () => {
  it('say “còn N ngày”, “hạn chót hôm nay” and “quá hạn N ngày” in Vietnam days', async () => {
    const mine = await myRequiredCourses(db, ids['1']!, NOW);
    const member = mine.find((c) => c.edition === 'member')!;
    const citizen = mine.find((c) => c.edition === 'citizen')!;
    expect(dueCountdown(member)).toBe('Quá hạn 4 ngày');
    expect(dueCountdown(citizen)).toBe('Còn 10 ngày');
    // At 23:00 in Vietnam on the due day it is still due today; at 23:59 it is overdue.
    const onDay = await myRequiredCourses(db, ids['1']!, new Date('2026-12-15T16:00:00Z'));
    expect(dueCountdown(onDay.find((c) => c.edition === 'citizen')!)).toBe('Hạn chót hôm nay');
    const late = await myRequiredCourses(db, ids['1']!, new Date('2026-12-15T16:59:00Z'));
    expect(dueCountdown(late.find((c) => c.edition === 'citizen')!)).toBe('Quá hạn 1 ngày');
  });
});

describe('reminders', () => {
  it('a team reminder reaches its overdue members only, once a day, audit-logged, through the channel', async () => {
    const channel = new Capture();
    expect(await remindTeam(db, official, String(teamWest), NOW, channel)).toEqual({ recipients: 1 });
    expect(channel.sent).toHaveLength(1);
    expect(channel.sent[0]).toMatchObject({ userId: ids['3'], from: 'Tổ CNSCĐ thôn Tây', courses: [{ due: '2026-12-01', daysOverdue: 4 }] });
    // Same team, same Vietnam day (even at 23:00): refused with a 429 until midnight.
    await expect(remindTeam(db, official, String(teamWest), new Date('2026-12-05T16:00:00Z'), channel)).rejects.toMatchObject({ status: 429, retryAfter: 3600 });
    expect(channel.sent).toHaveLength(1);
    // The next day it may be sent again.
    expect(await remindTeam(db, official, String(teamWest), new Date('2026-12-05T17:00:00Z'), channel)).toEqual({ recipients: 1 });
    const audit = await db.selectFrom('audit_log').select(['action', 'unit_id', 'actor_id']).where('action', '=', 'reminder.send').execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]!.actor_id).toBe(official.id);
  });

  it('a unit reminder reaches every overdue member below it; other communes get a 404', async () => {
    const channel = new Capture();
    expect(await remindUnit(db, official, String(commune.id), NOW, channel)).toEqual({ recipients: 3 });
    await expect(remindUnit(db, official, String(commune.id), NOW, channel)).rejects.toMatchObject({ status: 429 });
    await expect(remindUnit(db, outsider, String(commune.id), NOW, channel)).rejects.toMatchObject({ status: 404 });
    await expect(remindTeam(db, outsider, String(teamWest), NOW, channel)).rejects.toMatchObject({ status: 404 });
  });

  it('the team leader may remind their own team', async () => {
    const leader = { id: ids['1']!, role: 'leader' as const };
    const east = (await db.selectFrom('team_member').select('team_id').where('user_id', '=', ids['1']!).executeTakeFirstOrThrow()).team_id;
    expect(await remindTeam(db, leader, String(east), NOW, new Capture())).toEqual({ recipients: 2 });
    await expect(remindTeam(db, leader, String(teamWest), NOW, new Capture())).rejects.toMatchObject({ status: 404 });
  });

  it('nobody overdue: nothing is sent and the day’s reminder stays available', async () => {
    const empty = (await repo.findUnitByStatCode(db, '00008'))!;
    await expect(remindUnit(db, outsider, String(empty.id), NOW, new Capture())).rejects.toMatchObject({ status: 409 });
    expect(await db.selectFrom('reminder').select('id').where('unit_id', '=', empty.id).execute()).toEqual([]);
  });

  it('members see open reminders until they dismiss them; another person’s id is a 404', async () => {
    const open = await myReminders(db, ids['3']!, NOW);
    expect(open.length).toBeGreaterThanOrEqual(2);
    expect(open[0]!.courses.map((c) => c.edition)).toEqual(['member']);
    await expect(dismissReminder(db, ids['2']!, open.find((r) => r.from === 'Tổ CNSCĐ thôn Tây')!.id)).rejects.toMatchObject({ status: 404 });
    for (const r of open) await dismissReminder(db, ids['3']!, r.id);
    expect(await myReminders(db, ids['3']!, NOW)).toEqual([]);
    // Still open for others.
    expect((await myReminders(db, ids['2']!, NOW)).length).toBeGreaterThan(0);
  });

  it('the logging channel masks the phone number', async () => {
    const lines: string[] = [];
    await new LoggingChannel((l) => lines.push(l)).send({ userId: 'x', phone: '+84916200001', name: 'An', from: 'Tổ', courses: [], link: '/' });
    expect(lines[0]).toContain('001');
    expect(lines[0]).not.toContain('916200001');
  });

  it('the printable list groups overdue members by team', async () => {
    const p = await overdueByTeam(db, official, String(commune.id), NOW);
    expect(p.teams.map((t) => [t.name, t.rows.length]).sort()).toEqual([['Tổ CNSCĐ thôn Tây', 1], ['Tổ CNSCĐ thôn Đông', 2]]);
    await expect(overdueByTeam(db, outsider, String(commune.id), NOW)).rejects.toMatchObject({ status: 404 });
  });
});

describe('due-date calendar', () => {
  it('each unfinished required course is an all-day event with an alarm at 09:00 the day before', async () => {
    const text = await dueDatesCalendar(db, { id: ids['2']!, displayName: 'Trần Thị Bích' }, NOW);
    const cal = new ICAL.Component(ICAL.parse(text));
    const events = cal.getAllSubcomponents('vevent');
    expect(events).toHaveLength(2);
    for (const e of events) {
      const alarm = e.getFirstSubcomponent('valarm')!;
      expect(alarm.getFirstPropertyValue('action')).toBe('DISPLAY');
      expect(String(alarm.getFirstPropertyValue('trigger'))).toBe('-PT15H');
      expect(String(alarm.getFirstPropertyValue('description'))).toMatch(/^Ngày mai là hạn hoàn thành khóa học “/);
    }
  });
});
