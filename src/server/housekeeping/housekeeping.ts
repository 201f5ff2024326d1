/**
 * Daily housekeeping: deletes the short-lived rows nothing else deletes when their owner never comes
 * back (sessions, rate-limit windows, spent codes, closed recovery requests, abandoned import
 * previews), and old reminders and finished recounts. `RETENTION` is the one list of rules and periods; README "Retention" repeats it.
 * It runs as the `housekeeping` job, scheduled every day at 03:15 Vietnam time (src/server/jobs),
 * and by hand with `npm run db:housekeeping`. Every delete goes in bounded pages (5,000 rows per
 * statement by default), so it never holds long locks; running it twice deletes nothing more.
 * Kept, whatever their age: certificates, unused activation codes that still work (sealed for
 * reprinting), security events, audit entries, committed imports' summaries and everything the
 * README lists as kept.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { SESSION_IDLE_DAYS, SESSION_MAX_DAYS } from '../auth/session.ts';
import { LIMITS } from '../security/rate-limit.ts';
import { PREVIEW_KEEP_DAYS } from '../households/household-import.ts';
import { LINK_CODE_MINUTES } from '../households/links.ts';
import { GUEST_COOKIE_DAYS } from '../learning/guest.ts';
import { REQUEST_MINUTES } from '../recovery/recovery.ts';
import * as repo from './housekeeping.repository.ts';

const DAY = 24 * 60 * 60 * 1000;

/** The longest rate-limit window: once it has passed since a row's window started, every limit's window has ended. */
export const LONGEST_LIMIT_WINDOW_SECONDS = Math.max(...Object.values(LIMITS).map((l) => l.windowSeconds));
/** A helper's request is kept this long after it expired, so the helper's page still says "closed". */
export const RECOVERY_REQUEST_GRACE_DAYS = 7;
/** Roster previews never committed are kept as long as household-list previews. */
export const ROSTER_PREVIEW_KEEP_DAYS = PREVIEW_KEEP_DAYS;
/** A guest's answers are kept one day past their cookie's life, whatever the clocks' difference. */
export const GUEST_ANSWERS_KEEP_DAYS = GUEST_COOKIE_DAYS + 1;
/** Reminders are kept a year (members see one for 30 days; officials look back over the year). */
export const REMINDER_KEEP_DAYS = 365;
/** Finished recounts are kept 90 days (what went wrong, and when, stays readable for a quarter). */
export const RECOUNT_KEEP_DAYS = 90;
/** Rows per delete statement. */
export const DEFAULT_PAGE_SIZE = 5000;

export type HousekeepingKind = 'sessions' | 'rateLimits' | 'linkCodes' | 'accessCodes' | 'recoveryRequests' | 'householdPreviews' | 'rosterPreviews' | 'guestAnswers' | 'reminders' | 'recounts';

export interface RetentionRule {
  kind: HousekeepingKind;
  table: string;
  /** What is deleted, and when (English, as README "Retention" says it). */
  rule: string;
  /** Label of the count in the CLI's output. */
  label: string;
  deletePage: (db: Kysely<Database>, now: Date, page: repo.Page) => Promise<repo.PageResult>;
}

const ago = (now: Date, ms: number) => new Date(now.getTime() - ms);

/** Every rule of the housekeeping, in the order it runs. */
export const RETENTION: readonly RetentionRule[] = [
  {
    kind: 'sessions',
    table: 'session',
    rule: `sessions past their idle expiry (${SESSION_IDLE_DAYS} days without use) or their absolute end (${SESSION_MAX_DAYS} days after sign-in)`,
    label: 'Phiên đăng nhập đã hết hạn',
    deletePage: (db, now, page) => repo.deleteEndedSessions(db, now, ago(now, SESSION_MAX_DAYS * DAY), page),
  },
  {
    kind: 'rateLimits',
    table: 'rate_limit',
    rule: `rate-limit windows that started more than ${LONGEST_LIMIT_WINDOW_SECONDS / 3600} hours ago (the longest window: every limit's window has ended)`,
    label: 'Cửa sổ giới hạn tần suất đã kết thúc',
    deletePage: (db, now, page) => repo.deleteEndedRateLimits(db, ago(now, LONGEST_LIMIT_WINDOW_SECONDS * 1000), page),
  },
  {
    kind: 'linkCodes',
    table: 'household_link_code',
    rule: `household link codes once used, replaced or expired (they live ${LINK_CODE_MINUTES} minutes)`,
    label: 'Mã liên kết hộ đã dùng hoặc hết hạn',
    deletePage: (db, now, page) => repo.deleteSpentLinkCodes(db, now, page),
  },
  {
    kind: 'accessCodes',
    table: 'access_code',
    rule: 'activation, recovery and in-person codes once used, replaced, cancelled or expired; an unused activation code that still works is kept, sealed, for reprinting',
    label: 'Mã kích hoạt, khôi phục đã dùng hoặc hết hạn',
    deletePage: (db, now, page) => repo.deleteSpentAccessCodes(db, now, page),
  },
  {
    kind: 'recoveryRequests',
    table: 'recovery_request',
    rule: `helpers' recovery requests ${RECOVERY_REQUEST_GRACE_DAYS} days after they expired (they last ${REQUEST_MINUTES} minutes), whatever the answer`,
    label: 'Yêu cầu khôi phục đã đóng',
    deletePage: (db, now, page) => repo.deleteClosedRecoveryRequests(db, ago(now, RECOVERY_REQUEST_GRACE_DAYS * DAY), page),
  },
  {
    kind: 'householdPreviews',
    table: 'household_import',
    rule: `household-list previews never committed, ${PREVIEW_KEEP_DAYS} days after upload (with their rows)`,
    label: 'Bản xem trước danh sách hộ không được lưu',
    deletePage: (db, now, page) => repo.deleteStaleHouseholdPreviews(db, ago(now, PREVIEW_KEEP_DAYS * DAY), page),
  },
  {
    kind: 'rosterPreviews',
    table: 'roster_import',
    rule: `roster previews never committed, ${ROSTER_PREVIEW_KEEP_DAYS} days after upload (with their rows)`,
    label: 'Bản xem trước danh sách thành viên không được lưu',
    deletePage: (db, now, page) => repo.deleteStaleRosterPreviews(db, ago(now, ROSTER_PREVIEW_KEEP_DAYS * DAY), page),
  },
  {
    kind: 'guestAnswers',
    table: 'lesson_submission',
    rule: `guests' lesson answers never claimed by an account, ${GUEST_ANSWERS_KEEP_DAYS} days after they were given (the guest cookie that could claim them lasts ${GUEST_COOKIE_DAYS} days)`,
    label: 'Câu trả lời của khách không được nhận về tài khoản',
    deletePage: (db, now, page) => repo.deleteUnclaimedGuestAnswers(db, ago(now, GUEST_ANSWERS_KEEP_DAYS * DAY), page),
  },
  {
    kind: 'reminders',
    table: 'reminder',
    rule: `reminders to overdue members ${REMINDER_KEEP_DAYS} days after they were sent, with their recipient lists, except the latest of each unit or team (the dashboard shows when it was sent and to how many)`,
    label: 'Lời nhắc đã gửi quá một năm',
    deletePage: (db, now, page) => repo.deleteOldReminders(db, ago(now, REMINDER_KEEP_DAYS * DAY), page),
  },
  {
    kind: 'recounts',
    table: 'recount_job',
    rule: `finished recounts ${RECOUNT_KEEP_DAYS} days after they finished, once a later recount of the same unit has finished (the dashboard shows the last one and the failures since)`,
    label: 'Lần đếm lại đã xong',
    deletePage: (db, now, page) => repo.deleteFinishedRecounts(db, ago(now, RECOUNT_KEEP_DAYS * DAY), page),
  },
];

export type HousekeepingCounts = Record<HousekeepingKind, number>;

export interface HousekeepingOptions {
  /** The moment the rules are judged at (tests move it); now by default. */
  now?: Date;
  /** Rows per delete statement (default 5,000). */
  pageSize?: number;
  /** Stops between pages (a worker stopping); the pages done stay done. */
  signal?: AbortSignal;
  /** Called after every page (the job's heartbeat). */
  onPage?: () => Promise<void> | void;
}

/** Runs every rule to its end; returns the rows deleted per kind. */
export async function runHousekeeping(db: Kysely<Database>, opts: HousekeepingOptions = {}): Promise<HousekeepingCounts> {
  const now = opts.now ?? new Date();
  const limit = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`housekeeping: page size must be a positive integer, not ${limit}`);
  const counts = Object.fromEntries(RETENTION.map((r) => [r.kind, 0])) as HousekeepingCounts;
  for (const rule of RETENTION) {
    let after: repo.PageKey | undefined;
    for (;;) {
      if (opts.signal?.aborted) throw new Error('housekeeping stopped before the end (worker stopping)');
      const r = await rule.deletePage(db, now, { limit, after });
      counts[rule.kind] += r.deleted;
      after = r.last;
      await opts.onPage?.();
      if (r.scanned < limit) break;
    }
  }
  return counts;
}

/** One line per kind, for the CLI and the worker's log. */
export function describeCounts(counts: HousekeepingCounts): string[] {
  return RETENTION.map((r) => `${r.label}: ${counts[r.kind]}`);
}
