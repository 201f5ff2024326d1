/** Households, visits, links and their counters: every query of src/server/households. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, VisitOutcome } from '../db/schema.ts';
import { pathUpper } from '../teams/counters.repository.ts';
import type { MembershipRow } from '../teams/teams.repository.ts';
import type { CounterVector } from './coverage.ts';

type Db = Kysely<Database> | Transaction<Database>;
type Trx = Transaction<Database>;

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * The commune a team's counters are kept under as well: the unit at depth 2 on its path (its own unit
 * when that is a province or the country). Units at commune level and above read these rows.
 */
const COMMUNE = sql.raw(`coalesce(nullif(split_part(au.path, '/', 4), ''), au.id::text)::int`);
const communeOfTeam = (teamId: number) => sql`(select ${COMMUNE} from team t join admin_unit au on au.id = t.unit_id where t.id = ${teamId})`;

/** Whether a unit path is a commune or above (its figures are read from the commune rows). */
const communeOrAbove = (path: string) => path.split('/').filter(Boolean).length <= 3;

// ─── Households ───

export interface HouseholdRow {
  id: string;
  team_id: number;
  label: string;
  phone: string | null;
  note: string | null;
  consent: 'given' | 'not_asked';
  consent_at: Date | null;
  created_at: Date;
  removal_requested_at: Date | null;
  covered_mask: number;
  verified_mask: number;
  meets_target: boolean;
  linked: number;
  team_name: string;
  unit_id: number;
  unit_path: string;
  unit_name: string;
  created_by_name: string | null;
}

function householdQuery(db: Db) {
  return db
    .selectFrom('household as h')
    .innerJoin('team as t', 't.id', 'h.team_id')
    .innerJoin('admin_unit as au', 'au.id', 't.unit_id')
    .select([
      'h.id', 'h.team_id', 'h.label', 'h.phone', 'h.note', 'h.consent', 'h.consent_at', 'h.created_at', 'h.removal_requested_at',
      'h.covered_mask', 'h.verified_mask', 'h.meets_target', 'h.linked',
      't.name as team_name', 't.unit_id', 'au.path as unit_path', 'au.name as unit_name',
      // A lookup per row by primary key: a join let the planner hash the whole user table for a team's list.
      sql<string | null>`(select u.display_name from "user" u where u.id = h.created_by)`.as('created_by_name'),
    ]);
}

export function findHousehold(db: Db, id: string): Promise<HouseholdRow | undefined> {
  return householdQuery(db).where('h.id', '=', id).executeTakeFirst() as Promise<HouseholdRow | undefined>;
}

export function householdsOfTeam(db: Db, teamId: number): Promise<HouseholdRow[]> {
  return householdQuery(db).where('h.team_id', '=', teamId).orderBy('h.label').orderBy('h.id').execute() as Promise<HouseholdRow[]>;
}

/**
 * A label folded for search in SQL, as `foldLabel` folds it in JS: decomposed (NFD), combining marks
 * (U+0300–U+036F) removed, đ/Đ → d, lower case. Labels are stored with their white space already
 * collapsed and trimmed (`HouseholdLabelSchema`, on every path that writes one), so that part of the
 * fold is left out: a regular expression over every label of a team cost more than the rest.
 */
const FOLDED_LABEL = sql`lower(translate(regexp_replace(normalize(h.label, NFD), ${'[\u0300-\u036f]'}, '', 'g'), 'đĐ', 'dd'))`;

/** The households of a team whose folded label contains `folded` (all of them when it is empty). */
function teamListScope(db: Db, teamId: number, folded: string) {
  let q = db.selectFrom('household as h').where('h.team_id', '=', teamId);
  if (folded) q = q.where(sql<boolean>`strpos(${FOLDED_LABEL}, ${folded}) > 0`);
  return q;
}

/**
 * One page of a team's household list, in the list's order (households asking for removal first,
 * then by label and id), searched in SQL by folded label. The page's ids are picked from the
 * `household_team_list_idx` index alone; only the page's rows are read from the table.
 */
export function teamHouseholdPage(db: Db, teamId: number, folded: string, offset: number, limit: number): Promise<HouseholdRow[]> {
  const ids = teamListScope(db, teamId, folded)
    .select('h.id')
    .orderBy(sql`(h.removal_requested_at is not null)`, 'desc')
    .orderBy('h.label')
    .orderBy('h.id')
    .offset(offset)
    .limit(limit);
  return householdQuery(db)
    .where('h.id', 'in', ids)
    .orderBy(sql`(h.removal_requested_at is not null)`, 'desc')
    .orderBy('h.label')
    .orderBy('h.id')
    .execute() as Promise<HouseholdRow[]>;
}

/** How many households of a team match a folded search (an index-only count). */
export async function countTeamHouseholds(db: Db, teamId: number, folded: string): Promise<number> {
  const r = await teamListScope(db, teamId, folded).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertHousehold(
  db: Db,
  h: { teamId: number; label: string; phone: string | null; note: string | null; consent: 'given' | 'not_asked'; by: string },
): Promise<string> {
  const r = await db
    .insertInto('household')
    .values({
      team_id: h.teamId,
      label: h.label,
      phone: h.phone,
      note: h.note,
      consent: h.consent,
      consent_at: h.consent === 'given' ? new Date() : null,
      consent_by: h.consent === 'given' ? h.by : null,
      created_by: h.by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** The id and label of every household of a team. */
export async function teamLabels(db: Db, teamId: number): Promise<{ id: string; label: string }[]> {
  return db.selectFrom('household').select(['id', 'label']).where('team_id', '=', teamId).execute();
}

export async function updateHousehold(db: Db, id: string, patch: { label?: string; phone?: string | null; note?: string | null; team_id?: number }): Promise<void> {
  await db.updateTable('household').set(patch).where('id', '=', id).execute();
}

export async function recordConsent(db: Db, id: string, by: string): Promise<void> {
  await db.updateTable('household').set({ consent: 'given', consent_at: new Date(), consent_by: by }).where('id', '=', id).execute();
}

/** Flags a household's removal request; false when it was already flagged (nothing changes). */
export async function requestRemoval(db: Db, id: string): Promise<boolean> {
  const r = await db.updateTable('household').set({ removal_requested_at: new Date() }).where('id', '=', id).where('removal_requested_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The stored coverage state of a household, locked until the transaction ends. */
export function lockHousehold(trx: Trx, id: string) {
  return trx
    .selectFrom('household')
    .select(['id', 'team_id', 'consent', 'covered_mask', 'verified_mask', 'meets_target', 'linked'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function setHouseholdState(trx: Trx, id: string, s: { covered_mask: number; verified_mask: number; meets_target: boolean; linked: number }): Promise<void> {
  await trx.updateTable('household').set(s).where('id', '=', id).execute();
}

export async function deleteHousehold(trx: Trx, id: string): Promise<void> {
  await trx.deleteFrom('household_link').where('household_id', '=', id).execute();
  await trx.deleteFrom('household').where('id', '=', id).execute();
}

// ─── Visits ───

export interface VisitRow {
  id: string;
  team_id: number;
  household_id: string | null;
  member_id: string | null;
  visit_date: string;
  person: string | null;
  consent: boolean;
  outcomes: Record<string, VisitOutcome>;
  tasks: string[];
  material: string | null;
  created_at: Date;
  updated_at: Date;
  member_name: string | null;
}

function visitQuery(db: Db) {
  return db
    .selectFrom('help_visit as v')
    .leftJoin('user as u', 'u.id', 'v.member_id')
    .select([
      'v.id', 'v.team_id', 'v.household_id', 'v.member_id', sql<string>`v.visit_date::text`.as('visit_date'), 'v.person', 'v.consent',
      'v.outcomes', 'v.tasks', 'v.material', 'v.created_at', 'v.updated_at', 'u.display_name as member_name',
    ]);
}

export function findVisit(db: Db, id: string): Promise<VisitRow | undefined> {
  return visitQuery(db).where('v.id', '=', id).executeTakeFirst() as Promise<VisitRow | undefined>;
}

/** A visit, its row locked until the transaction ends (corrections of one visit queue on it). */
export function lockVisit(trx: Trx, id: string): Promise<VisitRow | undefined> {
  return visitQuery(trx).where('v.id', '=', id).forUpdate('v').executeTakeFirst() as Promise<VisitRow | undefined>;
}

export function visitsOfHousehold(db: Db, householdId: string): Promise<VisitRow[]> {
  return visitQuery(db).where('v.household_id', '=', householdId).orderBy('v.visit_date', 'desc').orderBy('v.created_at', 'desc').execute() as Promise<VisitRow[]>;
}

export function recentVisitsOfMember(db: Db, memberId: string, limit = 20): Promise<VisitRow[]> {
  // Newest visit first (a visit recorded late for an earlier day falls into its place).
  return visitQuery(db).where('v.member_id', '=', memberId).orderBy('v.visit_date', 'desc').orderBy('v.created_at', 'desc').limit(limit).execute() as Promise<VisitRow[]>;
}

/** Inserts a visit; with a client key already used, inserts nothing and returns undefined. */
export async function insertVisit(
  trx: Trx,
  v: { teamId: number; householdId: string | null; memberId: string; date: string; person: string | null; outcomes: Record<string, VisitOutcome>; tasks: string[]; material: string | null; clientKey: string | null },
): Promise<string | undefined> {
  const r = await trx
    .insertInto('help_visit')
    .values({
      team_id: v.teamId,
      household_id: v.householdId,
      member_id: v.memberId,
      visit_date: v.date,
      person: v.person,
      consent: v.householdId !== null,
      outcomes: JSON.stringify(v.outcomes),
      tasks: JSON.stringify(v.tasks),
      material: v.material,
      client_key: v.clientKey,
    })
    .onConflict((oc) => oc.column('client_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return r?.id;
}

export async function visitIdByClientKey(db: Db, key: string): Promise<{ id: string; member_id: string | null } | undefined> {
  return db.selectFrom('help_visit').select(['id', 'member_id']).where('client_key', '=', key).executeTakeFirst();
}

/** What recording a visit checks first, read in one statement (see `visitContext`). */
export interface VisitContext extends MembershipRow {
  /** The household, when it exists and belongs to the member's own team. */
  household_id: string | null;
  household_consent: 'given' | 'not_asked' | null;
  /** Whether the household has asked for its data to be removed. */
  household_removal_requested: boolean | null;
  /** A visit already stored under the client key, and its author. */
  earlier_id: string | null;
  earlier_member_id: string | null;
}

/**
 * The viewer's membership with, in the same statement, the household when it belongs to the member's
 * own team (a member records visits only there) and a visit already stored under the client key.
 * Undefined when the viewer is in no team.
 */
export async function visitContext(db: Db, userId: string, householdId: string | null, clientKey: string | null): Promise<VisitContext | undefined> {
  const r = await sql<VisitContext>`
    select tm.user_id, tm.team_id, tm.role, tm.active, t.unit_id, au.path as unit_path, t.name as team_name,
      h.id as household_id, h.consent as household_consent, h.removal_requested_at is not null as household_removal_requested, e.id as earlier_id, e.member_id as earlier_member_id
    from team_member tm join team t on t.id = tm.team_id join admin_unit au on au.id = t.unit_id
      left join household h on h.id = ${householdId}::uuid and h.team_id = tm.team_id
      left join help_visit e on e.client_key = ${clientKey}::uuid
    where tm.user_id = ${userId}::uuid`.execute(db);
  return r.rows[0];
}

/** A household's stored coverage state, as `lockHousehold` returns it. */
export type LockedHousehold = NonNullable<Awaited<ReturnType<typeof lockHousehold>>>;

/**
 * Inserts a visit and, in the same statement, locks its household (when it has one) until the
 * transaction ends, returning the household's stored state. The lock is taken before the visit's
 * foreign-key check locks the row for key share, so two visits to one household queue on the lock
 * instead of deadlocking. With a client key already used, inserts nothing (`id` undefined).
 */
export async function insertVisitLocking(
  trx: Trx,
  v: { teamId: number; householdId: string | null; memberId: string; date: string; person: string | null; outcomes: Record<string, VisitOutcome>; tasks: string[]; material: string | null; clientKey: string | null },
): Promise<{ id: string | undefined; household: LockedHousehold | undefined }> {
  const r = await sql<{ id: string | null; h_id: string | null; team_id: number | null; consent: 'given' | 'not_asked' | null; covered_mask: number | null; verified_mask: number | null; meets_target: boolean | null; linked: number | null }>`
    with locked as (select id, team_id, consent, covered_mask, verified_mask, meets_target, linked from household where id = ${v.householdId}::uuid for update),
    ins as (insert into help_visit (team_id, household_id, member_id, visit_date, person, consent, outcomes, tasks, material, client_key)
      select ${v.teamId}::int, ${v.householdId}::uuid, ${v.memberId}::uuid, ${v.date}::date, ${v.person}::text, ${v.householdId !== null}::boolean,
        ${JSON.stringify(v.outcomes)}::jsonb, ${JSON.stringify(v.tasks)}::jsonb, ${v.material}::text, ${v.clientKey}::uuid
      from (select count(*) from locked) l
      on conflict (client_key) do nothing returning id)
    select (select id from ins) as id, l.id as h_id, l.team_id, l.consent, l.covered_mask, l.verified_mask, l.meets_target, l.linked
    from (select 1) one left join locked l on true`.execute(trx);
  const row = r.rows[0]!;
  const household = row.h_id === null ? undefined : { id: row.h_id, team_id: row.team_id!, consent: row.consent!, covered_mask: row.covered_mask!, verified_mask: row.verified_mask!, meets_target: row.meets_target!, linked: row.linked! };
  return { id: row.id ?? undefined, household };
}

export async function updateVisit(trx: Trx, id: string, p: { date: string; person: string | null; outcomes: Record<string, VisitOutcome>; tasks: string[]; material: string | null }): Promise<void> {
  await trx
    .updateTable('help_visit')
    .set({ visit_date: p.date, person: p.person, outcomes: JSON.stringify(p.outcomes), tasks: JSON.stringify(p.tasks), material: p.material, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** Makes a household's visits anonymous (its data is removed; the activity stays). */
export async function anonymiseVisits(trx: Trx, householdId: string): Promise<{ id: string; team_id: number; month: string; member_id: string | null }[]> {
  const r = await sql<{ id: string; team_id: number; month: string; member_id: string | null }>`
    update help_visit set household_id = null, person = null, consent = false, updated_at = now()
    where household_id = ${householdId}
    returning id, team_id, date_trunc('month', visit_date)::date::text as month, member_id`.execute(trx);
  return r.rows;
}

/**
 * Blanks the person's name in the audit trail of these visits' corrections ("visit.update" keeps
 * old and new values), so a removed household leaves no name behind; what changed and who changed
 * it stay. Narrowed by the units the entries were written under (the audit log's index).
 */
export async function scrubVisitAudit(trx: Trx, visitIds: string[], unitIds: number[]): Promise<void> {
  if (!visitIds.length || !unitIds.length) return;
  await sql`
    update audit_log set detail = jsonb_set(jsonb_set(detail, '{from,person}', 'null'::jsonb), '{to,person}', 'null'::jsonb)
    where unit_id in (${sql.join(unitIds)}) and action = 'visit.update' and detail->>'visit' in (${sql.join(visitIds)})`.execute(trx);
}

// ─── Evidence ───

/** A household's visits and links, read in one statement. */
export async function householdRawFacts(db: Db, householdId: string) {
  const r = await sql<{
    visits: { person: string | null; consent: boolean; outcomes: Record<string, VisitOutcome> }[] | null;
    links: { user_id: string; person_key: string; undone: boolean }[] | null;
  }>`select (select json_agg(json_build_object('person', v.person, 'consent', v.consent, 'outcomes', v.outcomes)) from help_visit v where v.household_id = ${householdId}::uuid) as visits,
      (select json_agg(json_build_object('user_id', l.user_id, 'person_key', l.person_key, 'undone', l.undone_at is not null)) from household_link l where l.household_id = ${householdId}::uuid) as links`.execute(db);
  const row = r.rows[0]!;
  const parse = <T,>(x: T | string | null): T | null => (typeof x === 'string' ? (JSON.parse(x) as T) : x);
  return { visits: parse(row.visits) ?? [], links: parse(row.links) ?? [] };
}

/** Courses in which each user passed a lesson check or completed the course. */
export async function learnedCourses(db: Db, userIds: string[]): Promise<{ user_id: string; course_slug: string }[]> {
  if (!userIds.length) return [];
  const r = await sql<{ user_id: string; course_slug: string }>`
    select user_id, course_slug from lesson_progress where via = 'check' and user_id in (${sql.join(userIds)})
    union select user_id, course_slug from course_completion where user_id in (${sql.join(userIds)})`.execute(db);
  return r.rows;
}

// ─── Links ───

export async function insertLinkCode(trx: Trx, visitId: string, hash: string, expiresAt: Date): Promise<void> {
  await trx.updateTable('household_link_code').set({ used_at: new Date() }).where('visit_id', '=', visitId).where('used_at', 'is', null).execute();
  await trx.insertInto('household_link_code').values({ visit_id: visitId, code_hash: hash, expires_at: expiresAt }).execute();
}

/** An unused, unexpired code with this hash (locked), and its visit. */
export function lockLiveCode(trx: Trx, hash: string) {
  return trx
    .selectFrom('household_link_code')
    .select(['id', 'visit_id', 'expires_at'])
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .forUpdate()
    .executeTakeFirst();
}

export function findLiveCode(db: Db, hash: string) {
  return db
    .selectFrom('household_link_code')
    .select(['id', 'visit_id', 'expires_at'])
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
}

export async function useCode(trx: Trx, id: number): Promise<void> {
  await trx.updateTable('household_link_code').set({ used_at: new Date() }).where('id', '=', id).execute();
}

export function activeLinkOf(db: Db, userId: string) {
  return db
    .selectFrom('household_link as l')
    .leftJoin('help_visit as v', 'v.id', 'l.visit_id')
    .leftJoin('user as m', 'm.id', 'v.member_id')
    .select(['l.id', 'l.household_id', 'l.visit_id', 'l.person_key', 'l.created_at', sql<string | null>`v.visit_date::text`.as('visit_date'), 'm.display_name as member_name'])
    .where('l.user_id', '=', userId)
    .where('l.undone_at', 'is', null)
    .executeTakeFirst();
}

export async function insertLink(trx: Trx, l: { householdId: string; visitId: string; userId: string; personKey: string }): Promise<string> {
  const r = await trx
    .insertInto('household_link')
    .values({ household_id: l.householdId, visit_id: l.visitId, user_id: l.userId, person_key: l.personKey })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** The links made through a visit follow its person when the author corrects the name. */
export async function setLinkPersonOfVisit(trx: Trx, visitId: string, personKey: string): Promise<void> {
  await trx.updateTable('household_link').set({ person_key: personKey }).where('visit_id', '=', visitId).execute();
}

export async function undoLink(trx: Trx, id: string): Promise<void> {
  await trx.updateTable('household_link').set({ undone_at: new Date() }).where('id', '=', id).where('undone_at', 'is', null).execute();
}

/** Households a user is actively linked to (0 or 1). */
export async function linkedHouseholdIds(db: Db, userId: string): Promise<string[]> {
  const r = await db.selectFrom('household_link').select('household_id').where('user_id', '=', userId).where('undone_at', 'is', null).execute();
  return r.map((x) => x.household_id);
}

/** Every household a user was ever linked to (account deletion). */
export async function allLinkedHouseholdIds(db: Db, userId: string): Promise<string[]> {
  const r = await db.selectFrom('household_link').select('household_id').where('user_id', '=', userId).execute();
  return [...new Set(r.map((x) => x.household_id))];
}

export async function deleteLinksOfUser(trx: Trx, userId: string): Promise<void> {
  await trx.deleteFrom('household_link').where('user_id', '=', userId).execute();
}

// ─── Counters ───

const COLS = ['households', 'consented', 'meeting_target', 'linked_citizens', 'cov_dich_vu_cong', 'cov_mua_sam', 'cov_thanh_toan', 'cov_tu_bao_ve', 'cov_nen_tang_dia_phuong', 'all_skills'] as const;

/**
 * Adds a vector to a team's counter row and to its commune's (primary-key upserts, increments only:
 * concurrent changes in one commune wait for each other's row, never lose an update).
 */
export async function addTeamCounter(trx: Trx, teamId: number, d: CounterVector): Promise<void> {
  await trx
    .insertInto('household_team_counter')
    .values({ team_id: teamId, ...d })
    .onConflict((oc) => oc.column('team_id').doUpdateSet((eb) => Object.fromEntries(COLS.map((c) => [c, eb(sql.ref(`household_team_counter.${c}`), '+', eb.ref(`excluded.${c}`))])) as never))
    .execute();
  await sql`insert into household_commune_counter (commune_id, ${sql.raw(COLS.join(', '))})
    values (${communeOfTeam(teamId)}, ${sql.join(COLS.map((c) => d[c]))})
    on conflict (commune_id) do update set ${sql.raw(COLS.map((c) => `${c} = household_commune_counter.${c} + excluded.${c}`).join(', '))}`.execute(trx);
}


/**
 * Takes the team's counter row lock (creating the row if needed) without changing it: what adds take
 * by counting, so renames and moves into the team wait for adds and for each other before the
 * label check, and one family is never listed twice.
 */
export async function lockTeamList(trx: Trx, teamId: number): Promise<void> {
  await sql`insert into household_team_counter (team_id) values (${teamId})
    on conflict (team_id) do update set households = household_team_counter.households`.execute(trx);
}

async function addCommuneMonth(trx: Trx, teamId: number, month: string, d: { visits?: number; anonymous?: number; members?: number; last_members?: number }): Promise<void> {
  await sql`insert into help_commune_month (commune_id, month, visits, anonymous, members, last_members)
    values (${communeOfTeam(teamId)}, ${month}::date, ${d.visits ?? 0}, ${d.anonymous ?? 0}, ${d.members ?? 0}, ${d.last_members ?? 0})
    on conflict (commune_id, month) do update set visits = help_commune_month.visits + excluded.visits,
      anonymous = help_commune_month.anonymous + excluded.anonymous, members = help_commune_month.members + excluded.members,
      last_members = help_commune_month.last_members + excluded.last_members`.execute(trx);
}

/**
 * Adds visits to a (team, month, member) counter, and to its commune's month (increments only, so
 * concurrent visits in one commune never lose an update). When the member starts or stops counting
 * in that month, the commune's members move by one and the member's last month is refreshed.
 */
export async function addMonthCounter(trx: Trx, teamId: number, month: string, memberId: string | null, visits: number, anonymous: number): Promise<void> {
  const member = memberId ?? NIL_UUID;
  const r = await sql<{ after: number }>`insert into help_month_counter (team_id, month, member_id, visits, anonymous)
    values (${teamId}, ${month}::date, ${member}::uuid, ${visits}, ${anonymous})
    on conflict (team_id, month, member_id) do update set visits = help_month_counter.visits + excluded.visits,
      anonymous = help_month_counter.anonymous + excluded.anonymous
    returning visits as after`.execute(trx);
  const after = Number(r.rows[0]!.after);
  const before = after - visits;
  const members = member === NIL_UUID ? 0 : before <= 0 && after > 0 ? 1 : before > 0 && after <= 0 ? -1 : 0;
  if (visits || anonymous || members) await addCommuneMonth(trx, teamId, month, { visits, anonymous, members });
  if (members) await refreshLastMonth(trx, teamId, member);
}

/** What recording a visit changes besides the visit row, written by `writeVisitEffects`. */
export interface VisitEffects {
  teamId: number;
  /** First day of the visit's month. */
  month: string;
  memberId: string;
  anonymous: boolean;
  /** The household's new stored state (with consent when given on this visit), when anything changed. */
  household: { id: string; state: { covered_mask: number; verified_mask: number; meets_target: boolean; linked: number }; consentBy: string | null; consentAt: Date } | null;
  /** What the household's change adds to its team's (and commune's) counters, when not zero. */
  diff: CounterVector | null;
  audit: { actorId: string; unitId: number | null; action: string; detail: Record<string, unknown> };
}

/**
 * Writes everything a recorded visit changes, in one statement: the household's stored state, the
 * team and commune household counters, the audit entry, the (team, month, member) visit counter and
 * the commune's month (visits, and members when this member starts counting in that month). All are
 * increments (no read-modify-write), and the commune's rows, shared by its teams, are locked only from
 * here to the commit. When the member starts counting in the month, their last month is refreshed.
 */
export async function writeVisitEffects(trx: Trx, e: VisitEffects): Promise<void> {
  const h = e.household;
  const household = h
    ? sql`, hh as (update household set covered_mask = ${h.state.covered_mask}::int, verified_mask = ${h.state.verified_mask}::int, meets_target = ${h.state.meets_target}::boolean, linked = ${h.state.linked}::int${
        h.consentBy ? sql`, consent = 'given', consent_at = ${h.consentAt}::timestamptz, consent_by = ${h.consentBy}::uuid` : sql``
      } where id = ${h.id}::uuid)`
    : sql``;
  const d = e.diff;
  const counters = d
    ? sql`, tc as (insert into household_team_counter (team_id, ${sql.raw(COLS.join(', '))}) values (${e.teamId}, ${sql.join(COLS.map((c) => d[c]))})
        on conflict (team_id) do update set ${sql.raw(COLS.map((c) => `${c} = household_team_counter.${c} + excluded.${c}`).join(', '))}),
      cc as (insert into household_commune_counter (commune_id, ${sql.raw(COLS.join(', '))}) select c.id, ${sql.join(COLS.map((col) => d[col]))} from c
        on conflict (commune_id) do update set ${sql.raw(COLS.map((c) => `${c} = household_commune_counter.${c} + excluded.${c}`).join(', '))})`
    : sql``;
  const anonymous = e.anonymous ? 1 : 0;
  const r = await sql<{ after: number }>`
    with c as (select ${communeOfTeam(e.teamId)} as id)${household}${counters},
    al as (insert into audit_log (actor_id, unit_id, action, detail) values (${e.audit.actorId}::uuid, ${e.audit.unitId}::int, ${e.audit.action}, ${JSON.stringify(e.audit.detail)}::jsonb)),
    m as (insert into help_month_counter (team_id, month, member_id, visits, anonymous) values (${e.teamId}, ${e.month}::date, ${e.memberId}::uuid, 1, ${anonymous})
      on conflict (team_id, month, member_id) do update set visits = help_month_counter.visits + excluded.visits, anonymous = help_month_counter.anonymous + excluded.anonymous
      returning visits as after),
    cm as (insert into help_commune_month (commune_id, month, visits, anonymous, members, last_members)
      select c.id, ${e.month}::date, 1, ${anonymous}, case when m.after = 1 then 1 else 0 end, 0 from c, m
      on conflict (commune_id, month) do update set visits = help_commune_month.visits + excluded.visits,
        anonymous = help_commune_month.anonymous + excluded.anonymous, members = help_commune_month.members + excluded.members)
    select after from m`.execute(trx);
  // One visit more: the member starts counting in the month when it is their first there (as in addMonthCounter).
  if (Number(r.rows[0]!.after) === 1) await refreshLastMonth(trx, e.teamId, e.memberId);
}

/** Recomputes a member's last month with a visit for a team (row locked first), moving the commune's counts. */
async function refreshLastMonth(trx: Trx, teamId: number, memberId: string): Promise<void> {
  await sql`insert into help_member_last (team_id, member_id, last_month) values (${teamId}, ${memberId}::uuid, null) on conflict do nothing`.execute(trx);
  const old = (await sql<{ m: string | null }>`select last_month::text as m from help_member_last where team_id = ${teamId} and member_id = ${memberId}::uuid for update`.execute(trx)).rows[0]?.m ?? null;
  const now = (await sql<{ m: string | null }>`select max(month)::text as m from help_month_counter where team_id = ${teamId} and member_id = ${memberId}::uuid and visits > 0`.execute(trx)).rows[0]?.m ?? null;
  if (old === now) return;
  await sql`update help_member_last set last_month = ${now}::date where team_id = ${teamId} and member_id = ${memberId}::uuid`.execute(trx);
  if (old) await addCommuneMonth(trx, teamId, old, { last_members: -1 });
  if (now) await addCommuneMonth(trx, teamId, now, { last_members: 1 });
}

export async function moveMonthCountersOfMember(trx: Trx, memberId: string): Promise<void> {
  // The member stops counting as active (their visits stay, under the nil uuid).
  await sql`insert into help_commune_month (commune_id, month, members)
    select ${COMMUNE}, c.month, -count(*) from help_month_counter c join team t on t.id = c.team_id join admin_unit au on au.id = t.unit_id
    where c.member_id = ${memberId} and c.visits > 0 group by 1, 2
    on conflict (commune_id, month) do update set members = help_commune_month.members + excluded.members`.execute(trx);
  await sql`insert into help_commune_month (commune_id, month, last_members)
    select ${COMMUNE}, b.last_month, -count(*) from help_member_last b join team t on t.id = b.team_id join admin_unit au on au.id = t.unit_id
    where b.member_id = ${memberId} and b.last_month is not null group by 1, 2
    on conflict (commune_id, month) do update set last_members = help_commune_month.last_members + excluded.last_members`.execute(trx);
  await trx.deleteFrom('help_member_last').where('member_id', '=', memberId).execute();
  await sql`insert into help_month_counter (team_id, month, member_id, visits, anonymous)
    select team_id, month, ${NIL_UUID}::uuid, visits, anonymous from help_month_counter where member_id = ${memberId}
    on conflict (team_id, month, member_id) do update set visits = help_month_counter.visits + excluded.visits,
      anonymous = help_month_counter.anonymous + excluded.anonymous`.execute(trx);
  await trx.deleteFrom('help_month_counter').where('member_id', '=', memberId).execute();
}

/**
 * Rewrites the commune rows (household_commune_counter from the team counters; help_member_last and
 * help_commune_month from help_month_counter), for
 * some communes (a team moved, a commune seeded) or all (recount). Set-based.
 */
export async function rebuildCommuneCounters(db: Db, communes: number[] | null): Promise<void> {
  if (communes && !communes.length) return;
  const only = communes ? sql`and ${COMMUNE} in (${sql.join(communes)})` : sql``;
  await sql`delete from household_commune_counter where ${communes ? sql`commune_id in (${sql.join(communes)})` : sql`true`}`.execute(db);
  await sql`insert into household_commune_counter (commune_id, ${sql.raw(COLS.join(', '))})
    select ${COMMUNE}, ${sql.raw(COLS.map((c) => `sum(k.${c})`).join(', '))}
    from household_team_counter k join team t on t.id = k.team_id join admin_unit au on au.id = t.unit_id where true ${only} group by 1`.execute(db);
  await sql`delete from help_member_last b using team t join admin_unit au on au.id = t.unit_id where b.team_id = t.id ${only}`.execute(db);
  await sql`insert into help_member_last (team_id, member_id, last_month)
    select c.team_id, c.member_id, max(c.month) from help_month_counter c join team t on t.id = c.team_id join admin_unit au on au.id = t.unit_id
    where c.member_id <> ${NIL_UUID}::uuid and c.visits > 0 ${only} group by 1, 2`.execute(db);
  await sql`delete from help_commune_month where ${communes ? sql`commune_id in (${sql.join(communes)})` : sql`true`}`.execute(db);
  await sql`insert into help_commune_month (commune_id, month, visits, anonymous, members, last_members)
    select commune_id, month, sum(visits), sum(anonymous), sum(members), sum(last_members) from (
      select ${COMMUNE} as commune_id, c.month, c.visits, c.anonymous, case when c.member_id <> ${NIL_UUID}::uuid and c.visits > 0 then 1 else 0 end as members, 0 as last_members
      from help_month_counter c join team t on t.id = c.team_id join admin_unit au on au.id = t.unit_id where true ${only}
      union all
      select ${COMMUNE}, b.last_month, 0, 0, 0, 1 from help_member_last b join team t on t.id = b.team_id join admin_unit au on au.id = t.unit_id
      where b.last_month is not null ${only}) x
    group by 1, 2`.execute(db);
}

/** Every team's commune, and the stored commune household counters (recount). */
export async function communeCounters(db: Db) {
  const teams = await sql<{ id: number; commune: number }>`select t.id, ${COMMUNE} as commune from team t join admin_unit au on au.id = t.unit_id`.execute(db);
  const stored = await sql<CounterVector & { commune_id: number }>`select * from household_commune_counter`.execute(db);
  return { teamCommune: new Map(teams.rows.map((r) => [r.id, r.commune])), stored: stored.rows };
}

/** The commune a team counts under (for a team that moves). */
export async function communeOf(db: Db, teamId: number): Promise<number | null> {
  const r = await sql<{ c: number | null }>`select ${communeOfTeam(teamId)} as c`.execute(db);
  return r.rows[0]?.c ?? null;
}

/** The commune activity as stored, and as help_month_counter says it should be (recount). */
export async function communeActivity(db: Db) {
  const stored = await sql<{ key: string; v: string }>`
    select 'commune ' || commune_id || ' ' || month::text as key, visits || '/' || anonymous || '/' || members || '/' || last_members as v
    from help_commune_month where visits <> 0 or anonymous <> 0 or members <> 0 or last_members <> 0`.execute(db);
  const fresh = await sql<{ key: string; v: string }>`
    with m as (select team_id, date_trunc('month', visit_date)::date as month, coalesce(member_id, ${NIL_UUID}::uuid) as member_id, count(*) as visits,
                 count(*) filter (where household_id is null) as anonymous from help_visit group by 1, 2, 3),
      l as (select team_id, member_id, max(month) as last_month from m where member_id <> ${NIL_UUID}::uuid group by 1, 2)
    select 'commune ' || commune_id || ' ' || month::text as key, sum(visits) || '/' || sum(anonymous) || '/' || sum(members) || '/' || sum(last_members) as v from (
      select ${COMMUNE} as commune_id, m.month, m.visits, m.anonymous, case when m.member_id <> ${NIL_UUID}::uuid then 1 else 0 end as members, 0 as last_members
      from m join team t on t.id = m.team_id join admin_unit au on au.id = t.unit_id
      union all
      select ${COMMUNE}, l.last_month, 0, 0, 0, 1 from l join team t on t.id = l.team_id join admin_unit au on au.id = t.unit_id) x
    group by commune_id, month`.execute(db);
  const lastStored = await sql<{ key: string; v: string }>`select 'team ' || team_id || ' ' || member_id as key, last_month::text as v from help_member_last where last_month is not null`.execute(db);
  const lastFresh = await sql<{ key: string; v: string }>`select 'team ' || team_id || ' ' || coalesce(member_id, ${NIL_UUID}::uuid) as key, date_trunc('month', max(visit_date))::date::text as v
    from help_visit where member_id is not null group by team_id, member_id`.execute(db);
  return { stored: stored.rows, fresh: fresh.rows, lastStored: lastStored.rows, lastFresh: lastFresh.rows };
}

const vectorSql = sql`coalesce(sum(c.households), 0)::int as households, coalesce(sum(c.consented), 0)::int as consented,
  coalesce(sum(c.meeting_target), 0)::int as meeting_target, coalesce(sum(c.linked_citizens), 0)::int as linked_citizens,
  coalesce(sum(c.cov_dich_vu_cong), 0)::int as cov_dich_vu_cong, coalesce(sum(c.cov_mua_sam), 0)::int as cov_mua_sam,
  coalesce(sum(c.cov_thanh_toan), 0)::int as cov_thanh_toan, coalesce(sum(c.cov_tu_bao_ve), 0)::int as cov_tu_bao_ve,
  coalesce(sum(c.cov_nen_tang_dia_phuong), 0)::int as cov_nen_tang_dia_phuong, coalesce(sum(c.all_skills), 0)::int as all_skills`;

/**
 * The counters summed under a unit, never from raw households: a commune or any unit above it sums
 * its communes' rows (168 for the largest province); a village sums its teams' rows.
 */
export async function unitVector(db: Db, path: string): Promise<CounterVector> {
  const r = communeOrAbove(path)
    ? await sql<CounterVector>`select ${vectorSql} from household_commune_counter c join admin_unit au on au.id = c.commune_id
        where au.path >= ${path} and au.path < ${pathUpper(path)}`.execute(db)
    : await sql<CounterVector>`select ${vectorSql} from household_team_counter c
        join team t on t.id = c.team_id join admin_unit au on au.id = t.unit_id
        where au.path >= ${path} and au.path < ${pathUpper(path)}`.execute(db);
  return r.rows[0]!;
}

/**
 * Removal requests still waiting under a unit, per team (the oldest first, at most `limit` teams),
 * with the total and the oldest request of the whole scope. Read through the partial index of
 * waiting requests, so the cost follows the number of requests, not of households.
 */
export async function pendingRemovals(db: Db, path: string, limit = 20) {
  const r = await sql<{ team_id: number; team_name: string; unit_name: string; pending: number; oldest: Date; total: number; teams: number }>`
    select t.id as team_id, t.name as team_name, au.name as unit_name, count(*)::int as pending, min(h.removal_requested_at) as oldest,
      sum(count(*)) over ()::int as total, count(*) over ()::int as teams
    from household h join team t on t.id = h.team_id join admin_unit au on au.id = t.unit_id
    where h.removal_requested_at is not null and au.path >= ${path} and au.path < ${pathUpper(path)}
    group by t.id, t.name, au.name order by min(h.removal_requested_at), t.id limit ${limit}`.execute(db);
  const first = r.rows[0];
  return {
    total: first?.total ?? 0,
    teamCount: first?.teams ?? 0,
    oldest: first ? new Date(first.oldest) : null,
    teams: r.rows.map((x) => ({ id: x.team_id, name: x.team_name, unitName: x.unit_name, pending: x.pending, oldest: new Date(x.oldest) })),
  };
}

const outerVector = sql.raw(COLS.map((c) => `coalesce(k.${c}, 0)::int as ${c}`).join(', '));

const totalOfGroups = sql.raw(COLS.map((c) => `coalesce(sum(k.${c}), 0)::int as ${c}`).join(', '));

/**
 * A unit's own counters (as `unitVector`) and each child unit's (as `childVectors`) in one statement
 * when both come from the same rows: the commune rows for the country and provinces, the team rows
 * for villages. One grouped pass by child; the unit's own total is the sum of every group, including
 * the rows under no child (teams attached to the unit itself). A commune's own figures come from its
 * commune row and its villages' from team rows, so there it stays two statements.
 */
export async function unitAndChildVectors(db: Db, unit: { id: number; path: string }): Promise<{ total: CounterVector; children: (CounterVector & { id: number; name: string; kind: string })[] }> {
  const depth = unit.path.split('/').filter(Boolean).length - 1;
  if (depth === 2) {
    const [total, children] = await Promise.all([unitVector(db, unit.path), childVectors(db, unit)]);
    return { total, children };
  }
  const child = sql.raw(`nullif(split_part(au.path, '/', ${depth + 3}), '')::int`);
  const source = depth <= 1
    ? sql`household_commune_counter c join admin_unit au on au.id = c.commune_id`
    : sql`household_team_counter c join team t on t.id = c.team_id join admin_unit au on au.id = t.unit_id`;
  const r = await sql<CounterVector & { part: number; id: number | null; name: string | null; kind: string | null }>`
    with k as (select ${child} as child, ${vectorSql} from ${source} where au.path >= ${unit.path} and au.path < ${pathUpper(unit.path)} group by 1)
    select 0 as part, ch.id, ch.name, ch.kind, ${outerVector} from admin_unit ch left join k on k.child = ch.id where ch.parent_id = ${unit.id}
    union all
    select 1, null, null, null, ${totalOfGroups} from k
    order by part, name`.execute(db);
  const total = r.rows.find((x) => Number(x.part) === 1)!;
  const vector = (x: CounterVector): CounterVector => Object.fromEntries(COLS.map((c) => [c, Number(x[c])])) as unknown as CounterVector;
  return {
    total: vector(total),
    children: r.rows.filter((x) => Number(x.part) === 0).map((x) => ({ id: x.id!, name: x.name!, kind: x.kind!, ...vector(x) })),
  };
}

/**
 * The counters of each child unit of a unit (summed over its subtree), in one grouped pass: from the
 * commune rows when the children are provinces or communes, from the team rows below a commune.
 */
export async function childVectors(db: Db, unit: { id: number; path: string }): Promise<(CounterVector & { id: number; name: string; kind: string })[]> {
  const depth = unit.path.split('/').filter(Boolean).length - 1;
  const child = sql.raw(`split_part(au.path, '/', ${depth + 3})`);
  const source = depth <= 1
    ? sql`household_commune_counter c join admin_unit au on au.id = c.commune_id`
    : sql`household_team_counter c join team t on t.id = c.team_id join admin_unit au on au.id = t.unit_id`;
  const r = await sql<CounterVector & { id: number; name: string; kind: string }>`
    select ch.id, ch.name, ch.kind, ${outerVector} from admin_unit ch
    left join (select ${child}::int as child, ${vectorSql} from ${source}
      where au.path >= ${unit.path} and au.path < ${pathUpper(unit.path)} and ${child} <> '' group by 1) k on k.child = ch.id
    where ch.parent_id = ${unit.id} order by ch.name`.execute(db);
  return r.rows;
}

/** The counters of the teams attached directly to a unit. */
export async function teamVectors(db: Db, unitId: number): Promise<(CounterVector & { id: number; name: string })[]> {
  const r = await sql<CounterVector & { id: number; name: string }>`
    select t.id, t.name, ${vectorSql} from team t left join household_team_counter c on c.team_id = t.id
    where t.unit_id = ${unitId} group by t.id, t.name order by t.name`.execute(db);
  return r.rows;
}

export async function teamVector(db: Db, teamId: number): Promise<CounterVector> {
  const r = await sql<CounterVector>`select ${vectorSql} from household_team_counter c where c.team_id = ${teamId}`.execute(db);
  return r.rows[0]!;
}

/**
 * Visits per month since `since` under a unit (or one team), and members who helped in each month.
 * A commune or any unit above it sums its communes' rows (one per commune and month); a village or a
 * team reads its teams' rows.
 */
export async function monthly(db: Db, where: { path: string } | { teamId: number }, since: string) {
  if ('path' in where && communeOrAbove(where.path)) {
    const r = await sql<{ month: string; visits: number; anonymous: number; members: number }>`
      select c.month::text as month, sum(c.visits)::int as visits, sum(c.anonymous)::int as anonymous, sum(c.members)::int as members
      from help_commune_month c join admin_unit au on au.id = c.commune_id
      where au.path >= ${where.path} and au.path < ${pathUpper(where.path)} and c.month >= ${since}::date
      group by c.month having sum(c.visits) <> 0 or sum(c.members) <> 0 order by c.month`.execute(db);
    return r.rows;
  }
  const scope = 'teamId' in where ? sql`c.team_id = ${where.teamId}` : sql`au.path >= ${where.path} and au.path < ${pathUpper(where.path)}`;
  const r = await sql<{ month: string; visits: number; anonymous: number; members: number }>`
    select c.month::text as month, sum(c.visits)::int as visits, sum(c.anonymous)::int as anonymous,
      count(*) filter (where c.member_id <> ${NIL_UUID}::uuid and c.visits > 0)::int as members
    from help_month_counter c join team t on t.id = c.team_id join admin_unit au on au.id = t.unit_id
    where ${scope} and c.month >= ${since}::date group by c.month having sum(c.visits) <> 0 order by c.month`.execute(db);
  return r.rows;
}

/**
 * `monthly` and `activeMembers` in one statement: a commune or any unit above it reads its communes'
 * month rows once (the months with visits or members, and the sum of `last_members` over all of
 * them); a village or a team reads its teams' rows, the active members in a second branch.
 */
export async function monthlyActivity(db: Db, where: { path: string } | { teamId: number }, since: string) {
  type Row = { month: string | null; visits: number; anonymous: number; members: number; active: number };
  if ('path' in where && communeOrAbove(where.path)) {
    const r = await sql<Row>`
      select c.month::text as month, sum(c.visits)::int as visits, sum(c.anonymous)::int as anonymous, sum(c.members)::int as members, sum(c.last_members)::int as active
      from help_commune_month c join admin_unit au on au.id = c.commune_id
      where au.path >= ${where.path} and au.path < ${pathUpper(where.path)} and c.month >= ${since}::date
      group by c.month order by c.month`.execute(db);
    return {
      months: r.rows.filter((x) => x.visits !== 0 || x.members !== 0).map((x) => ({ month: x.month!, visits: x.visits, anonymous: x.anonymous, members: x.members })),
      activeMembers: r.rows.reduce((n, x) => n + x.active, 0),
    };
  }
  const scope = 'teamId' in where ? sql`c.team_id = ${where.teamId}` : sql`au.path >= ${where.path} and au.path < ${pathUpper(where.path)}`;
  const r = await sql<Row>`
    select * from (
      select c.month::text as month, sum(c.visits)::int as visits, sum(c.anonymous)::int as anonymous,
        count(*) filter (where c.member_id <> ${NIL_UUID}::uuid and c.visits > 0)::int as members, 0 as active
      from help_month_counter c join team t on t.id = c.team_id join admin_unit au on au.id = t.unit_id
      where ${scope} and c.month >= ${since}::date group by c.month having sum(c.visits) <> 0
      union all
      select null, 0, 0, 0, count(distinct (c.team_id, c.member_id))::int
      from help_month_counter c join team t on t.id = c.team_id join admin_unit au on au.id = t.unit_id
      where ${scope} and c.month >= ${since}::date and c.member_id <> ${NIL_UUID}::uuid and c.visits > 0) x
    order by month nulls last`.execute(db);
  return {
    months: r.rows.filter((x) => x.month !== null).map((x) => ({ month: x.month!, visits: x.visits, anonymous: x.anonymous, members: x.members })),
    activeMembers: Number(r.rows.find((x) => x.month === null)?.active ?? 0),
  };
}

// ─── Recount (from raw rows) ───

/** One page of households by id (keyset), with the state they were last counted with. */
export function householdPage(db: Db, after: string | null, limit: number) {
  let q = db.selectFrom('household').select(['id', 'team_id', 'consent', 'covered_mask', 'verified_mask', 'meets_target', 'linked']).orderBy('id').limit(limit);
  if (after) q = q.where('id', '>', after);
  return q.execute();
}

/** The visits of many households at once (one statement). */
export async function visitFactsOf(db: Db, ids: string[]) {
  if (!ids.length) return [];
  return db.selectFrom('help_visit').select(['household_id', 'person', 'consent', 'outcomes']).where('household_id', 'in', ids).execute();
}

/** The links of many households at once (one statement). */
export async function linkFactsOf(db: Db, ids: string[]) {
  if (!ids.length) return [];
  return db.selectFrom('household_link').select(['household_id', 'user_id', 'person_key', 'undone_at']).where('household_id', 'in', ids).execute();
}

/** Writes the fresh state of many households in one statement. */
export async function setHouseholdStates(trx: Trx, rows: { id: string; covered_mask: number; verified_mask: number; meets_target: boolean; linked: number }[]): Promise<void> {
  if (!rows.length) return;
  const values = sql.join(rows.map((r) => sql`(${r.id}::uuid, ${r.covered_mask}::int, ${r.verified_mask}::int, ${r.meets_target}::boolean, ${r.linked}::int)`));
  await sql`update household h set covered_mask = v.c, verified_mask = v.vm, meets_target = v.mt, linked = v.l
    from (values ${values}) as v(id, c, vm, mt, l) where h.id = v.id`.execute(trx);
}


export async function storedTeamCounters(db: Db): Promise<(CounterVector & { team_id: number })[]> {
  return db.selectFrom('household_team_counter').selectAll().execute();
}

export async function replaceTeamCounters(trx: Trx, rows: (CounterVector & { team_id: number })[]): Promise<void> {
  await trx.deleteFrom('household_team_counter').execute();
  for (let i = 0; i < rows.length; i += 1000) await trx.insertInto('household_team_counter').values(rows.slice(i, i + 1000)).execute();
}

export async function freshMonthCounters(db: Db) {
  const r = await sql<{ team_id: number; month: string; member_id: string; visits: number; anonymous: number }>`
    select team_id, date_trunc('month', visit_date)::date::text as month, coalesce(member_id, ${NIL_UUID}::uuid)::text as member_id,
      count(*)::int as visits, (count(*) filter (where household_id is null))::int as anonymous
    from help_visit group by 1, 2, 3`.execute(db);
  return r.rows;
}

export async function storedMonthCounters(db: Db) {
  const r = await sql<{ team_id: number; month: string; member_id: string; visits: number; anonymous: number }>`
    select team_id, month::text as month, member_id::text as member_id, visits, anonymous from help_month_counter`.execute(db);
  return r.rows;
}

export async function replaceMonthCounters(trx: Trx, rows: { team_id: number; month: string; member_id: string; visits: number; anonymous: number }[]): Promise<void> {
  await trx.deleteFrom('help_month_counter').execute();
  for (let i = 0; i < rows.length; i += 1000) await trx.insertInto('help_month_counter').values(rows.slice(i, i + 1000)).execute();
}

// ─── Stats ───

export async function stats(db: Db) {
  const r = await sql<{ households: number; help_visits: number; linked_citizens: number; meeting_target: number }>`
    select (select count(*) from household)::int as households, (select count(*) from help_visit)::int as help_visits,
      (select count(distinct user_id) from household_link where undone_at is null)::int as linked_citizens,
      (select count(*) from household where meets_target)::int as meeting_target`.execute(db);
  return r.rows[0]!;
}

/**
 * Members (per team) who recorded a visit since `since` under a unit (or one team): a commune or above
 * sums the communes' "last active month" counts; a village or a team reads its teams' rows.
 */
export async function activeMembers(db: Db, where: { path: string } | { teamId: number }, since: string): Promise<number> {
  if ('path' in where && communeOrAbove(where.path)) {
    const r = await sql<{ n: number }>`select coalesce(sum(c.last_members), 0)::int as n from help_commune_month c join admin_unit au on au.id = c.commune_id
      where au.path >= ${where.path} and au.path < ${pathUpper(where.path)} and c.month >= ${since}::date`.execute(db);
    return r.rows[0]?.n ?? 0;
  }
  const scope = 'teamId' in where ? sql`c.team_id = ${where.teamId}` : sql`au.path >= ${where.path} and au.path < ${pathUpper(where.path)}`;
  const r = await sql<{ n: number }>`
    select count(distinct (c.team_id, c.member_id))::int as n
    from help_month_counter c join team t on t.id = c.team_id join admin_unit au on au.id = t.unit_id
    where ${scope} and c.month >= ${since}::date and c.member_id <> ${NIL_UUID}::uuid and c.visits > 0`.execute(db);
  return r.rows[0]?.n ?? 0;
}
