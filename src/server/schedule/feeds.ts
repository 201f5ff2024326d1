/**
 * Calendar feeds: the public feed of every monthly Q&A session, and each member's private feed
 * (same sessions plus their required-course due dates) behind an unguessable, revocable token.
 */
import type { Kysely } from 'kysely';
import { generateSecureRandomString, hashToken } from '../auth/session.ts';
import { siteUrl } from '../config.ts';
import { getCatalog } from '../content/catalog.ts';
import type { Database } from '../db/schema.ts';
import * as tokens from './calendar-token.repository.ts';
import { myRequiredCourses } from '../teams/dashboard.ts';
import { EDITION_LABELS, paths } from '../../lib/editions.ts';
import { buildCalendar, type CalendarEvent } from './ical.ts';
import { getSchedule, monthLabel, type Schedule } from './schedule.ts';
import { guardAttempt, LIMITS, RateLimitError, waitText } from '../security/rate-limit.ts';

/** Events of every scheduled session. UIDs are stable per month, so calendars update, not duplicate. */
export function sessionEvents(schedule: Schedule, site: string = siteUrl()): CalendarEvent[] {
  const host = new URL(site).hostname;
  return schedule.topics.map((t) => {
    const page = `${site}/lich/${t.month}`;
    const parts = [t.description, `Khóa học: ${t.course.title}.`, `Đặt câu hỏi trước và xem giải đáp: ${page}`];
    if (t.summary) parts.push(`Tóm tắt: ${t.summary}`);
    if (t.recording) parts.push(`Xem lại: ${t.recording.startsWith('/') ? site + t.recording : t.recording}`);
    return {
      uid: `chuyen-de-${t.month}@${host}`,
      start: t.session.start,
      end: t.session.end,
      summary: `Hỏi đáp chuyên đề ${monthLabel(t.month)}: ${t.course.title}`,
      description: parts.join('\n'),
      location: t.session.place,
      url: page,
    };
  });
}

/** The public feed (/lich.ics). */
export function publicFeed(now: Date = new Date(), schedule: Schedule = getSchedule()): string {
  return buildCalendar({
    name: 'Học Số — Lịch hỏi đáp chuyên đề',
    description: 'Chuyên đề hằng tháng và buổi hỏi đáp trực tuyến',
    events: sessionEvents(schedule),
    now,
  });
}

/** Private feed tokens: 240 random bits in 48 base32 characters. */
const TOKEN = /^[a-z2-7]{48}$/;

/** Makes a new private feed token for the user, replacing (and so revoking) the old one. Returns it once. */
export async function issueCalendarToken(db: Kysely<Database>, userId: string): Promise<string> {
  const token = generateSecureRandomString() + generateSecureRandomString();
  await tokens.upsertTokenHash(db, userId, hashToken(token));
  return token;
}

/** Revokes the user's private feed URL. */
export function revokeCalendarToken(db: Kysely<Database>, userId: string): Promise<void> {
  return tokens.deleteToken(db, userId);
}

/** When the current private feed URL was made, if any (the URL itself is never stored). */
export function calendarTokenCreatedAt(db: Kysely<Database>, userId: string): Promise<Date | undefined> {
  return tokens.findTokenCreatedAt(db, userId);
}

/** The address of a private feed. */
export function privateFeedUrl(token: string, site: string = siteUrl()): string {
  return `${site}/lich/rieng/${token}.ics`;
}

/**
 * `privateFeed` for a request from `client`: unknown tokens count against the client (counted before
 * the lookup, given back when the token exists, so parallel scans cannot all look up). Calendar apps
 * polling a real token never count. Throws RateLimitError when the client is over its limit.
 */
export async function lookupPrivateFeed(db: Kysely<Database>, token: string, client: string): Promise<string | undefined> {
  const r = await guardAttempt(db, [{ key: `calendar:miss:${client}`, limit: LIMITS.calendarMissPerClient, onSuccess: 'refund' }], () => privateFeed(db, token), (body) => body !== undefined);
  if (r.limited) throw new RateLimitError(`Có quá nhiều yêu cầu lịch không hợp lệ từ thiết bị này. Vui lòng đợi ${waitText(r.retryAfter)} rồi thử lại.`, r.retryAfter);
  return r.result;
}

/** The private feed for a token, or undefined when the token is unknown or revoked. */
export async function privateFeed(db: Kysely<Database>, token: string, now: Date = new Date(), schedule: Schedule = getSchedule()): Promise<string | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const user = await tokens.findUserByTokenHash(db, hashToken(token));
  if (!user) return undefined;
  const site = siteUrl();
  const due = await dueEvents(db, user.id, now, site);
  return buildCalendar({
    name: `Học Số — Lịch của ${user.displayName}`,
    description: 'Buổi hỏi đáp chuyên đề và hạn hoàn thành các khóa học bắt buộc',
    events: [...sessionEvents(schedule, site), ...due],
    now,
  });
}

/**
 * The member's required courses still to finish (earliest due date where assignments overlap) as
 * all-day events, each with an alarm at 09:00 the day before (15 hours before the day starts).
 */
export async function dueEvents(db: Kysely<Database>, userId: string, now: Date = new Date(), site: string = siteUrl()): Promise<CalendarEvent[]> {
  const host = new URL(site).hostname;
  const catalog = getCatalog();
  return (await myRequiredCourses(db, userId, now))
    .filter((r) => !r.done)
    .map((r) => {
      const title = catalog.bySlug.get(r.course)?.title ?? r.course;
      return {
        uid: `han-${r.course}-${r.edition}-${userId}@${host}`,
        date: r.due,
        summary: `Hạn hoàn thành khóa học: ${title} (${EDITION_LABELS[r.edition]})`,
        url: `${site}${paths.course(r.course, r.edition)}`,
        alarm: { trigger: DUE_ALARM, description: `Ngày mai là hạn hoàn thành khóa học “${title}” trên Học Số.` },
      };
    });
}

/** 09:00 the day before an all-day due date. */
export const DUE_ALARM = '-PT15H';

/** A downloadable calendar of the member's own due dates (imported, not subscribed, so its alarms are kept). */
export async function dueDatesCalendar(db: Kysely<Database>, user: { id: string; displayName: string }, now: Date = new Date()): Promise<string> {
  return buildCalendar({
    name: `Học Số — Hạn học tập của ${user.displayName}`,
    description: 'Hạn hoàn thành các khóa học bắt buộc, có lời nhắc trước một ngày',
    events: await dueEvents(db, user.id, now),
    now,
  });
}
