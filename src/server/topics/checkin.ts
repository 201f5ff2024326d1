/**
 * Check-in at the live Q&A session. The host's screen shows a six-digit code derived by HMAC from a
 * server secret, the month and the current 5-minute step (like TOTP, RFC 6238), so codes rotate
 * without storing anything, and a code read out in the room stops working minutes later.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { getSchedule, type Schedule, type Topic } from '../schedule/schedule.ts';
import { consume, LIMITS, waitText } from '../security/rate-limit.ts';
import * as repo from './attendance.repository.ts';
import { checkinSecret } from './checkin-secret.ts';
import { TopicError } from './errors.ts';

/** Seconds a code is shown for; the previous step's code is still accepted (people type slowly). */
export const CODE_STEP_SECONDS = 5 * 60;
/** Check-in opens this long before the session starts and closes this long after it ends. */
export const WINDOW_MARGIN_MINUTES = 15;

/** The six-digit code of one month and time step (dynamic truncation as in RFC 4226). */
export function codeFor(secret: string, month: string, step: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${month}:${step}`).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

/** The time step of an instant. */
export function stepOf(now: Date): number {
  return Math.floor(now.getTime() / 1000 / CODE_STEP_SECONDS);
}

/** When check-in is open for a topic's session. */
export function checkInWindow(topic: Topic): { opens: Date; closes: Date } {
  const m = WINDOW_MARGIN_MINUTES * 60_000;
  return { opens: new Date(topic.session.start.getTime() - m), closes: new Date(topic.session.end.getTime() + m) };
}

export type WindowState = 'before' | 'open' | 'after';

/** Whether check-in is open now. */
export function windowState(topic: Topic, now: Date = new Date()): WindowState {
  const w = checkInWindow(topic);
  if (now < w.opens) return 'before';
  return now < w.closes ? 'open' : 'after';
}

function findTopic(schedule: Schedule, month: string): Topic {
  const topic = schedule.byMonth.get(month);
  if (!topic) throw new TopicError(404, 'Không tìm thấy buổi hỏi đáp của tháng này.');
  return topic;
}

/** The code the host shows now and until when it is shown; undefined outside the window. */
export function hostCode(month: string, now: Date = new Date(), schedule: Schedule = getSchedule()): { code: string; changesAt: Date } | undefined {
  const topic = findTopic(schedule, month);
  if (windowState(topic, now) !== 'open') return undefined;
  const step = stepOf(now);
  return { code: codeFor(checkinSecret(), month, step), changesAt: new Date((step + 1) * CODE_STEP_SECONDS * 1000) };
}

/**
 * Records the user's attendance when the code is current (this step or the previous one) and the
 * window is open. Idempotent: a second check-in returns the first time. Throws TopicError.
 */
export async function checkIn(
  db: Kysely<Database>,
  input: { userId: string; month: string; code: unknown },
  now: Date = new Date(),
  schedule: Schedule = getSchedule(),
): Promise<{ at: Date; recorded: boolean }> {
  const topic = findTopic(schedule, input.month);
  const state = windowState(topic, now);
  if (state === 'before') throw new TopicError(409, 'Chưa đến giờ điểm danh. Điểm danh mở 15 phút trước khi buổi hỏi đáp bắt đầu.');
  if (state === 'after') throw new TopicError(409, 'Buổi hỏi đáp đã kết thúc, không còn điểm danh được nữa.');
  const code = typeof input.code === 'string' ? input.code.replace(/[\s.-]/g, '') : '';
  if (!/^\d{6}$/.test(code)) throw new TopicError(400, 'Mã điểm danh gồm 6 chữ số.');
  const already = await repo.findAttendance(db, input.userId, topic.month);
  if (already) return { at: already, recorded: false };
  const limit = await consume(db, `checkin:${input.userId}`, LIMITS.checkInPerUser);
  if (!limit.allowed) throw new TopicError(429, `Bạn đã nhập sai quá nhiều lần. Hãy thử lại sau ${waitText(limit.retryAfter)}.`);
  const secret = checkinSecret();
  const step = stepOf(now);
  const valid = [step, step - 1].some((s) => crypto.timingSafeEqual(Buffer.from(codeFor(secret, topic.month, s)), Buffer.from(code)));
  if (!valid) throw new TopicError(400, 'Mã điểm danh không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trên màn hình.');
  return repo.insertAttendance(db, input.userId, topic.month);
}

/** When the user checked in to a month's session, if they did. */
export function attendanceOf(db: Kysely<Database>, userId: string, month: string): Promise<Date | undefined> {
  return repo.findAttendance(db, userId, month);
}

/** Attendance count of a month's session, optionally among some users (officials' dashboards). */
export function attendanceCount(db: Kysely<Database>, month: string, userIds?: readonly string[]): Promise<number> {
  return repo.countAttendance(db, month, userIds);
}
