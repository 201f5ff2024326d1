/**
 * The deletes of the daily housekeeping (src/server/housekeeping/housekeeping.ts holds the rules and
 * their periods). Each call deletes one bounded page: the first `limit` doomed rows in primary-key
 * order after `after`, in one statement of its own (no transaction around pages), so no lock is held
 * for long and a page never scans the table again from its start. The rule is checked again by the
 * delete itself, so a row changed between the page's read and its delete (a rate-limit window
 * restarted by a new hit, say) is left alone.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.ts';

/** A primary key value as the database hands it back (text, uuid or integer). */
export type PageKey = string | number;

export interface PageResult {
  /** Rows the page found doomed (at most `limit`): fewer than `limit` means the table is done. */
  scanned: number;
  /** Rows deleted: the page's rows still doomed at the delete. */
  deleted: number;
  /** The page's largest key, to continue after; undefined when the page was empty. */
  last?: PageKey;
}

export interface Page {
  limit: number;
  after?: PageKey;
}

type Table = 'session' | 'rate_limit' | 'household_link_code' | 'access_code' | 'recovery_request' | 'household_import' | 'roster_import' | 'lesson_submission' | 'reminder' | 'recount_job';

async function deletePage(db: Kysely<Database>, table: Table, key: string, doomed: RawBuilder<boolean>, page: Page): Promise<PageResult> {
  const t = sql.table(table);
  const k = sql.ref(`${table}.${key}`);
  const after = page.after === undefined ? sql`true` : sql`${k} > ${page.after}`;
  const r = await sql<{ scanned: number; deleted: number; last: PageKey | null }>`
    with page as (
      select ${k} as pk from ${t} where ${doomed} and ${after} order by ${k} limit ${page.limit}
    ), gone as (
      delete from ${t} where ${k} in (select pk from page) and ${doomed} returning ${k} as pk
    )
    select (select count(*)::int from page) as scanned, (select count(*)::int from gone) as deleted,
      (select pk from page order by pk desc limit 1) as last`.execute(db);
  const row = r.rows[0]!;
  return { scanned: Number(row.scanned), deleted: Number(row.deleted), last: row.last ?? undefined };
}

/** Sessions past their idle expiry, or started before `startedBefore` (the absolute lifetime). */
export function deleteEndedSessions(db: Kysely<Database>, now: Date, startedBefore: Date, page: Page) {
  return deletePage(db, 'session', 'id', sql<boolean>`(session.expires_at <= ${now} or session.created_at <= ${startedBefore})`, page);
}

/** Rate-limit rows whose window started before `windowStartedBefore` (every limit's window has ended). */
export function deleteEndedRateLimits(db: Kysely<Database>, windowStartedBefore: Date, page: Page) {
  return deletePage(db, 'rate_limit', 'key', sql<boolean>`rate_limit.window_start <= ${windowStartedBefore}`, page);
}

/** Household link codes used or expired. */
export function deleteSpentLinkCodes(db: Kysely<Database>, now: Date, page: Page) {
  return deletePage(db, 'household_link_code', 'id', sql<boolean>`(household_link_code.used_at is not null or household_link_code.expires_at <= ${now})`, page);
}

/**
 * Activation, recovery and in-person codes used (or replaced, or cancelled: both set `used_at`) or
 * expired. An unused activation code that still works is kept (with its sealed text, for reprinting).
 */
export function deleteSpentAccessCodes(db: Kysely<Database>, now: Date, page: Page) {
  return deletePage(db, 'access_code', 'id', sql<boolean>`(access_code.used_at is not null or access_code.expires_at <= ${now})`, page);
}

/** Helpers' recovery requests that expired before `expiredBefore` (answered or not). */
export function deleteClosedRecoveryRequests(db: Kysely<Database>, expiredBefore: Date, page: Page) {
  return deletePage(db, 'recovery_request', 'id', sql<boolean>`recovery_request.expires_at <= ${expiredBefore}`, page);
}

/** Household-list previews never committed, uploaded before `createdBefore`. */
export function deleteStaleHouseholdPreviews(db: Kysely<Database>, createdBefore: Date, page: Page) {
  return deletePage(db, 'household_import', 'id', sql<boolean>`(household_import.status = 'preview' and household_import.created_at <= ${createdBefore})`, page);
}

/** Roster previews never committed, uploaded before `createdBefore`. */
export function deleteStaleRosterPreviews(db: Kysely<Database>, createdBefore: Date, page: Page) {
  return deletePage(db, 'roster_import', 'id', sql<boolean>`(roster_import.status = 'preview' and roster_import.created_at <= ${createdBefore})`, page);
}

/**
 * Guests' lesson answers and "done" marks never claimed by an account, given before `createdBefore`
 * (their guest cookie has expired, so nobody can claim them). Read in key order through the partial
 * index of guests' rows, which holds their times too.
 */
export function deleteUnclaimedGuestAnswers(db: Kysely<Database>, createdBefore: Date, page: Page) {
  return deletePage(db, 'lesson_submission', 'id', sql<boolean>`(lesson_submission.user_id is null and lesson_submission.created_at <= ${createdBefore})`, page);
}

/**
 * Reminders sent before `createdBefore`, with their recipient lists (cascade), unless they are the
 * latest of their unit or team: that one's date and count show as "last sent" on the dashboard.
 */
export function deleteOldReminders(db: Kysely<Database>, createdBefore: Date, page: Page) {
  return deletePage(
    db,
    'reminder',
    'id',
    sql<boolean>`(reminder.created_at <= ${createdBefore} and exists (select 1 from reminder later where later.scope_key = reminder.scope_key and later.day > reminder.day))`,
    page,
  );
}

/**
 * Finished recounts (done or failed) that finished before `finishedBefore`, once a later recount of
 * the same unit has finished done: dashboards show the last one done and the failures since, which
 * these rows no longer change.
 */
export function deleteFinishedRecounts(db: Kysely<Database>, finishedBefore: Date, page: Page) {
  return deletePage(
    db,
    'recount_job',
    'id',
    sql<boolean>`(recount_job.state in ('done', 'failed') and recount_job.finished_at <= ${finishedBefore} and exists (select 1 from recount_job later where later.unit_id = recount_job.unit_id and later.state = 'done' and later.created_at > recount_job.created_at and later.finished_at >= recount_job.finished_at))`,
    page,
  );
}
