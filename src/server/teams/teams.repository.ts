/** Units, teams, memberships, scopes, assignments, codes and the audit log. */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AdminUnitTable, Database } from '../db/schema.ts';
import { pathUpper } from './counters.repository.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** An administrative unit as selected by the repository (every column but created_at). */
export type UnitRow = Omit<Selectable<AdminUnitTable>, 'created_at'>;

const unitCols = ['id', 'parent_id', 'kind', 'name', 'stat_code', 'path', 'depth', 'synthetic'] as const;

export function findUnit(db: Db, id: number): Promise<UnitRow | undefined> {
  return db.selectFrom('admin_unit').select(unitCols).where('id', '=', id).executeTakeFirst();
}

export function findUnitByStatCode(db: Db, code: string): Promise<UnitRow | undefined> {
  return db.selectFrom('admin_unit').select(unitCols).where('stat_code', '=', code).executeTakeFirst();
}

/** The units named by the ids of a path, root first. */
export function unitsOnPath(db: Db, path: string): Promise<UnitRow[]> {
  const idList = path.split('/').filter(Boolean).map(Number);
  if (!idList.length) return Promise.resolve([]);
  return db.selectFrom('admin_unit').select(unitCols).where('id', 'in', idList).orderBy('depth').execute();
}

export function childUnits(db: Db, parentId: number): Promise<UnitRow[]> {
  return db.selectFrom('admin_unit').select(unitCols).where('parent_id', '=', parentId).orderBy('name').execute();
}

export function findChildUnitByName(db: Db, parentId: number, name: string): Promise<UnitRow | undefined> {
  return db.selectFrom('admin_unit').select(unitCols).where('parent_id', '=', parentId).where('name', '=', name).executeTakeFirst();
}

/** Reserves `n` unit ids, so paths can be written in the same insert. */
export async function reserveUnitIds(db: Db, n: number): Promise<number[]> {
  const r = await sql<{ id: number }>`select nextval('admin_unit_id_seq')::int as id from generate_series(1, ${n})`.execute(db);
  return r.rows.map((x) => x.id);
}

export async function insertUnits(
  db: Db,
  units: { id: number; parentId: number | null; kind: string; name: string; statCode: string | null; path: string; depth: number; synthetic: boolean }[],
): Promise<void> {
  for (let i = 0; i < units.length; i += 2000) {
    await db
      .insertInto('admin_unit')
      .values(
        units.slice(i, i + 2000).map((u) => ({
          id: u.id,
          parent_id: u.parentId,
          kind: u.kind,
          name: u.name,
          stat_code: u.statCode,
          path: u.path,
          depth: u.depth,
          synthetic: u.synthetic,
        })),
      )
      .execute();
  }
}

export async function renameUnit(db: Db, id: number, name: string): Promise<void> {
  await db.updateTable('admin_unit').set({ name }).where('id', '=', id).execute();
}

export async function countUnitsByKind(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('admin_unit').select(['kind', sql<number>`count(*)::int`.as('n')]).groupBy('kind').execute();
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}

// ─── Teams and members ───

export interface TeamRow {
  id: number;
  unit_id: number;
  name: string;
  synthetic: boolean;
  unit_path: string;
  unit_name: string;
}

function teamQuery(db: Db) {
  return db
    .selectFrom('team as t')
    .innerJoin('admin_unit as au', 'au.id', 't.unit_id')
    .select(['t.id', 't.unit_id', 't.name', 't.synthetic', 'au.path as unit_path', 'au.name as unit_name']);
}

export function findTeam(db: Db, id: number): Promise<TeamRow | undefined> {
  return teamQuery(db).where('t.id', '=', id).executeTakeFirst();
}

export function teamsOfUnit(db: Db, unitId: number): Promise<TeamRow[]> {
  return teamQuery(db).where('t.unit_id', '=', unitId).orderBy('t.name').execute();
}

/** A team's unit, its row locked until the transaction ends (changes to one team wait for each other). */
export function lockTeam(db: Db, id: number): Promise<{ id: number; unit_id: number } | undefined> {
  return db.selectFrom('team').select(['id', 'unit_id']).where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
}

/** A person's membership, its row locked until the transaction ends. */
export function lockMembership(db: Db, userId: string): Promise<{ team_id: number; active: boolean } | undefined> {
  return db.selectFrom('team_member').select(['team_id', 'active']).where('user_id', '=', userId).forNoKeyUpdate().executeTakeFirst();
}

export function findTeamByName(db: Db, unitId: number, name: string): Promise<TeamRow | undefined> {
  return teamQuery(db).where('t.unit_id', '=', unitId).where('t.name', '=', name).executeTakeFirst();
}

export async function insertTeam(db: Db, unitId: number, name: string, synthetic = false): Promise<number> {
  const r = await db.insertInto('team').values({ unit_id: unitId, name, synthetic }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function updateTeam(db: Db, id: number, patch: { name?: string; unit_id?: number }): Promise<void> {
  await db.updateTable('team').set(patch).where('id', '=', id).execute();
}

export interface MembershipRow {
  user_id: string;
  team_id: number;
  role: 'member' | 'leader';
  active: boolean;
  unit_id: number;
  unit_path: string;
  team_name: string;
}

export function findMembership(db: Db, userId: string): Promise<MembershipRow | undefined> {
  return db
    .selectFrom('team_member as tm')
    .innerJoin('team as t', 't.id', 'tm.team_id')
    .innerJoin('admin_unit as au', 'au.id', 't.unit_id')
    .select(['tm.user_id', 'tm.team_id', 'tm.role', 'tm.active', 't.unit_id', 'au.path as unit_path', 't.name as team_name'])
    .where('tm.user_id', '=', userId)
    .executeTakeFirst();
}

/** Memberships (active or not) of every team under a unit, with the person's details. */
export function membersUnder(db: Db, path: string) {
  return db
    .selectFrom('team_member as tm')
    .innerJoin('team as t', 't.id', 'tm.team_id')
    .innerJoin('admin_unit as au', 'au.id', 't.unit_id')
    .innerJoin('user as u', 'u.id', 'tm.user_id')
    .select(['tm.user_id', 'tm.team_id', 'tm.role', 'tm.active', 't.name as team_name', 'au.id as unit_id', 'au.name as unit_name', 'u.phone', 'u.display_name'])
    .where('au.path', '>=', path)
    .where('au.path', '<', pathUpper(path))
    .execute();
}

export async function upsertMembership(db: Db, m: { userId: string; teamId: number; role: 'member' | 'leader' }): Promise<void> {
  await db
    .insertInto('team_member')
    .values({ user_id: m.userId, team_id: m.teamId, role: m.role, active: true })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({ team_id: m.teamId, role: m.role, active: true, deactivated_at: null }),
    )
    .execute();
}

export async function setMemberActive(db: Db, userId: string, active: boolean): Promise<void> {
  await db
    .updateTable('team_member')
    .set({ active, deactivated_at: active ? null : new Date() })
    .where('user_id', '=', userId)
    .execute();
}

export async function setUserRole(db: Db, userId: string, role: 'member' | 'leader' | 'official' | 'admin'): Promise<void> {
  await db.updateTable('user').set({ role }).where('id', '=', userId).execute();
}

export function findUserByPhone(db: Db, phone: string) {
  return db.selectFrom('user').select(['id', 'phone', 'display_name', 'role', 'password_hash']).where('phone', '=', phone).executeTakeFirst();
}

export function findUser(db: Db, id: string) {
  return db.selectFrom('user').select(['id', 'phone', 'display_name', 'role', 'password_hash']).where('id', '=', id).executeTakeFirst();
}

export async function insertPendingUser(db: Db, phone: string, name: string, role: 'member' | 'leader'): Promise<string> {
  const r = await db.insertInto('user').values({ phone, display_name: name, role, password_hash: null }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function upsertUserByPhone(db: Db, phone: string, name: string, role: string, passwordHash: string): Promise<string> {
  const r = await db
    .insertInto('user')
    .values({ phone, display_name: name, role: role as 'admin', password_hash: passwordHash })
    .onConflict((oc) => oc.column('phone').doUpdateSet({ role: role as 'admin' }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

// ─── Officials' scopes ───

export function scopesOf(db: Db, userId: string): Promise<UnitRow[]> {
  return db
    .selectFrom('official_scope as s')
    .innerJoin('admin_unit as au', 'au.id', 's.unit_id')
    .select(['au.id', 'au.parent_id', 'au.kind', 'au.name', 'au.stat_code', 'au.path', 'au.depth', 'au.synthetic'])
    .where('s.user_id', '=', userId)
    .orderBy('au.depth')
    .orderBy('au.name')
    .execute();
}

export async function insertScope(db: Db, userId: string, unitId: number, grantedBy: string | null): Promise<void> {
  await db
    .insertInto('official_scope')
    .values({ user_id: userId, unit_id: unitId, granted_by: grantedBy })
    .onConflict((oc) => oc.columns(['user_id', 'unit_id']).doNothing())
    .execute();
}

// ─── Required courses ───

export async function upsertAssignment(db: Db, a: { unitId: number; course: string; edition: string; due: string; by: string }): Promise<void> {
  await db
    .insertInto('course_assignment')
    .values({ unit_id: a.unitId, course_slug: a.course, edition: a.edition, due_date: a.due, created_by: a.by })
    .onConflict((oc) => oc.columns(['unit_id', 'course_slug', 'edition']).doUpdateSet({ due_date: a.due, created_by: a.by }))
    .execute();
}

/** The assignment of a course edition made on this very unit. */
export function findAssignment(db: Db, unitId: number, course: string, edition: string) {
  return db
    .selectFrom('course_assignment')
    .select(['id', sql<string>`due_date::text`.as('due_date')])
    .where('unit_id', '=', unitId)
    .where('course_slug', '=', course)
    .where('edition', '=', edition)
    .executeTakeFirst();
}

/** Moves an assignment's due date, keeping the previous one to show members what changed. */
export async function changeAssignmentDue(db: Db, id: number, c: { due: string; previous: string; by: string; now: Date }): Promise<void> {
  await db
    .updateTable('course_assignment')
    .set({ due_date: c.due, previous_due_date: c.previous, due_changed_at: c.now, created_by: c.by })
    .where('id', '=', id)
    .execute();
}

/** Assignments made on a unit or any of its ancestors. */
export function assignmentsOnPath(db: Db, path: string) {
  const idList = path.split('/').filter(Boolean).map(Number);
  return db
    .selectFrom('course_assignment as ca')
    .innerJoin('admin_unit as au', 'au.id', 'ca.unit_id')
    .select(['ca.id', 'ca.unit_id', 'au.name as unit_name', 'ca.course_slug', 'ca.edition', sql<string>`ca.due_date::text`.as('due_date')])
    .where('ca.unit_id', 'in', idList)
    .orderBy('ca.due_date')
    .execute();
}

/**
 * Each required course of a member at `path` with its effective (earliest) due date and completion.
 * `previous_due_date` is what the effective date was before due-date changes made after `changedSince`
 * (equal to `due_date` when nothing changed).
 */
export async function requirementsOf(db: Db, userId: string, path: string, changedSince = new Date(0)) {
  const r = await sql<{ course_slug: string; edition: string; due_date: string; previous_due_date: string; completed_at: Date | null }>`
    select r.course_slug, r.edition, r.due_date::text as due_date, r.previous_due_date::text as previous_due_date, cc.completed_at from (
      select course_slug, edition, min(due_date) as due_date,
        min(case when due_changed_at > ${changedSince} and previous_due_date is not null then previous_due_date else due_date end) as previous_due_date
      from course_assignment
      where unit_id = any(string_to_array(trim(both '/' from ${path}), '/')::int[]) group by 1, 2) r
    left join course_completion cc on cc.user_id = ${userId} and cc.course_slug = r.course_slug and cc.edition = r.edition
    order by r.due_date, r.course_slug`.execute(db);
  return r.rows;
}

// ─── Codes ───

/**
 * Locks people's rows until the transaction ends (in id order, so two callers wait rather than
 * deadlock): whoever issues codes to them next sees the codes issued before.
 */
export async function lockUsers(db: Db, userIds: string[]): Promise<void> {
  if (!userIds.length) return;
  await db.selectFrom('user').select('id').where('id', 'in', [...userIds].sort()).orderBy('id').forUpdate().execute();
}

export async function insertCode(db: Db, c: { userId: string; kind: 'activation' | 'recovery'; hash: string; expiresAt: Date; issuedBy: string | null; sealed?: string | null }) {
  // A new code replaces any earlier unused one of the same kind; two issued at once must not both stay open.
  await lockUsers(db, [c.userId]);
  await db.updateTable('access_code').set({ used_at: new Date(), sealed_code: null }).where('user_id', '=', c.userId).where('kind', '=', c.kind).where('used_at', 'is', null).execute();
  await db.insertInto('access_code').values({ user_id: c.userId, kind: c.kind, code_hash: c.hash, expires_at: c.expiresAt, issued_by: c.issuedBy, sealed_code: c.sealed ?? null }).execute();
}

/** The open (unused, unexpired) activation codes of some people, with their sealed clear text. */
export function openActivationCodes(db: Db, userIds: string[], now: Date) {
  if (!userIds.length) return Promise.resolve([]);
  return db
    .selectFrom('access_code')
    .select(['user_id', 'sealed_code', 'expires_at'])
    .where('user_id', 'in', userIds)
    .where('kind', '=', 'activation')
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('id', 'desc')
    .execute();
}

// ─── Audit log ───

export async function insertAudit(db: Db, a: { actorId: string | null; unitId: number | null; action: string; detail: Record<string, unknown> }) {
  await db.insertInto('audit_log').values({ actor_id: a.actorId, unit_id: a.unitId, action: a.action, detail: JSON.stringify(a.detail) }).execute();
}

/** Latest audit entries about units inside a subtree. */
export function auditUnder(db: Db, path: string, limit = 200) {
  return db
    .selectFrom('audit_log as l')
    .innerJoin('admin_unit as au', 'au.id', 'l.unit_id')
    .leftJoin('user as u', 'u.id', 'l.actor_id')
    .select(['l.id', 'l.action', 'l.detail', 'l.created_at', 'au.name as unit_name', 'u.display_name as actor_name'])
    .where('au.path', '>=', path)
    .where('au.path', '<', pathUpper(path))
    .orderBy('l.id', 'desc')
    .limit(limit)
    .execute();
}
