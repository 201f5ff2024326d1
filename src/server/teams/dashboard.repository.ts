/** Reads for the officials' dashboards: counters for units, small live reads for teams. */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { pathUpper } from './counters.repository.ts';

type Db = Kysely<Database>;

/** A course filter: one course edition, or all required courses. */
export type CourseFilter = { course: string; edition: string } | undefined;

const courseWhere = (f: CourseFilter, alias: string) =>
  f ? sql`and ${sql.ref(`${alias}.course_slug`)} = ${f.course} and ${sql.ref(`${alias}.edition`)} = ${f.edition}` : sql``;

/** A unit's member counters, summed over its shards (units above communes keep several rows). */
export async function memberCounter(db: Db, unitId: number) {
  const r = await sql<{ unit_id: number; members: number; activated: number; with_required: number; all_done: number }>`
    select unit_id, sum(members)::int as members, sum(activated)::int as activated, sum(with_required)::int as with_required,
      sum(all_done)::int as all_done
    from unit_member_counter where unit_id = ${unitId} group by unit_id`.execute(db);
  return r.rows[0];
}

/** The unit's buckets (course, edition, due date). */
export async function courseBuckets(db: Db, unitId: number) {
  const r = await sql<{ course_slug: string; edition: string; due_date: string; assigned: number; completed: number }>`
    select course_slug, edition, due_date::text as due_date, sum(assigned)::int as assigned, sum(completed)::int as completed
    from unit_course_counter where unit_id = ${unitId}
    group by course_slug, edition, due_date having sum(assigned) > 0 order by due_date, course_slug`.execute(db);
  return r.rows;
}

/** Child units with their counters; overdue = assigned − completed in buckets past the cutoff. */
export async function childRows(db: Db, unitId: number, filter: CourseFilter, cutoff: string) {
  const r = await sql<{
    id: number;
    name: string;
    kind: string;
    members: number;
    with_required: number;
    all_done: number;
    assigned: number;
    completed: number;
    overdue: number;
  }>`
    select c.id, c.name, c.kind, coalesce(mc.members, 0)::int as members, coalesce(mc.with_required, 0)::int as with_required,
      coalesce(mc.all_done, 0)::int as all_done,
      coalesce(k.assigned, 0)::int as assigned, coalesce(k.completed, 0)::int as completed, coalesce(k.overdue, 0)::int as overdue
    from admin_unit c
    left join lateral (
      select sum(m.members) as members, sum(m.with_required) as with_required, sum(m.all_done) as all_done
      from unit_member_counter m where m.unit_id = c.id) mc on true
    left join lateral (
      select sum(b.assigned) as assigned, sum(b.completed) as completed,
        sum(case when b.due_date <= ${cutoff}::date then greatest(b.assigned - b.completed, 0) else 0 end) as overdue
      from (select cc.due_date, sum(cc.assigned) as assigned, sum(cc.completed) as completed
            from unit_course_counter cc where cc.unit_id = c.id ${courseWhere(filter, 'cc')}
            group by cc.course_slug, cc.edition, cc.due_date) b) k on true
    where c.parent_id = ${unitId}
    order by c.name`.execute(db);
  return r.rows;
}

/** Completions per week (Vietnam time) over the last `weeks` weeks. */
export async function weekly(db: Db, unitId: number, filter: CourseFilter, since: string) {
  const r = await sql<{ week: string; completed: number }>`
    select w.week::text as week, sum(w.completed)::int as completed from unit_week_counter w
    where w.unit_id = ${unitId} and w.week >= ${since}::date ${courseWhere(filter, 'w')}
    group by w.week order by w.week`.execute(db);
  return r.rows;
}

/** One row per active member and required course, for the members of teams matched by `where`. */
export interface MemberCourseRow {
  user_id: string;
  display_name: string;
  phone: string;
  role: 'member' | 'leader';
  active: boolean;
  activated: boolean;
  team_id: number;
  team_name: string;
  unit_name: string;
  unit_path: string;
  course_slug: string | null;
  edition: string | null;
  due_date: string | null;
  completed_at: Date | null;
}

export function memberCourseQuery(where: ReturnType<typeof sql>, filter: CourseFilter, extra = sql``) {
  return sql<MemberCourseRow>`
    select tm.user_id, u.display_name, u.phone, tm.role, tm.active, u.password_hash is not null as activated,
      t.id as team_id, t.name as team_name, au.name as unit_name, au.path as unit_path,
      r.course_slug, r.edition, r.due_date::text as due_date, cc.completed_at
    from admin_unit au
    join team t on t.unit_id = au.id
    join team_member tm on tm.team_id = t.id
    join "user" u on u.id = tm.user_id
    left join lateral (
      select ca.course_slug, ca.edition, min(ca.due_date) as due_date from course_assignment ca
      where ca.unit_id = any(string_to_array(trim(both '/' from au.path), '/')::int[]) ${courseWhere(filter, 'ca')}
      group by 1, 2) r on tm.active
    left join course_completion cc on cc.user_id = tm.user_id and cc.course_slug = r.course_slug and cc.edition = r.edition
    where ${where} ${extra}`;
}

/** Members of one team with each required course. */
export async function teamMemberRows(db: Db, teamId: number, filter: CourseFilter) {
  return (await sql<MemberCourseRow>`${memberCourseQuery(sql`t.id = ${teamId}`, filter)} order by tm.active desc, u.display_name, r.due_date`.execute(db)).rows;
}

/** Active members of the teams attached directly to a unit (a few teams of 3–9 people). */
export async function unitTeamRows(db: Db, unitId: number, filter: CourseFilter) {
  return (await sql<MemberCourseRow>`${memberCourseQuery(sql`t.unit_id = ${unitId} and tm.active`, filter)}`.execute(db)).rows;
}

export function teamsDirectlyIn(db: Db, unitId: number) {
  return db.selectFrom('team').select(['id', 'name']).where('unit_id', '=', unitId).orderBy('name').execute();
}

/** Overdue (member, course) pairs under a unit, earliest first. */
export async function overdueRows(db: Db, path: string, filter: CourseFilter, cutoff: string, limit: number, after?: { path: string; userId: string }) {
  const range = sql`au.path >= ${after?.path ?? path} and au.path < ${pathUpper(path)} and tm.active`;
  const extra = sql`and r.due_date <= ${cutoff}::date and cc.user_id is null ${after ? sql`and (au.path, tm.user_id) > (${after.path}, ${after.userId}::uuid)` : sql``}`;
  return (await sql<MemberCourseRow>`${memberCourseQuery(range, filter, extra)} order by au.path, tm.user_id, r.due_date limit ${limit}`.execute(db)).rows;
}

/**
 * Every active member (and required course) under a unit, in pages for streaming exports. Pages are
 * taken in (unit path, member) order from the path index, so each page reads only its own rows.
 */
export async function memberPage(db: Db, path: string, filter: CourseFilter, limit: number, after?: { path: string; userId: string }) {
  const range = after
    ? sql`au.path >= ${after.path} and au.path < ${pathUpper(path)} and tm.active and (au.path, tm.user_id) > (${after.path}, ${after.userId}::uuid)`
    : sql`au.path >= ${path} and au.path < ${pathUpper(path)} and tm.active`;
  const rows = (await sql<MemberCourseRow>`${memberCourseQuery(range, filter)} order by au.path, tm.user_id, r.due_date limit ${limit}`.execute(db)).rows;
  if (rows.length < limit) return { rows, last: undefined };
  // A full page may cut the last member's rows: hold that member back for the next page.
  const lastUser = rows.at(-1)!.user_id;
  const keep = rows.filter((r) => r.user_id !== lastUser);
  const prev = keep.at(-1)!;
  return { rows: keep, last: { path: prev.unit_path, userId: prev.user_id } };
}

/**
 * When each of these people was last active, and whether they completed any lesson yet. Active means: their latest request in a session still kept, lesson
 * completed or final quiz started (sessions end, lessons and attempts stay). Indexed per user.
 */
export async function activity(db: Db, userIds: string[]): Promise<{ user_id: string; at: Date | null; started: boolean }[]> {
  if (userIds.length === 0) return [];
  const r = await sql<{ user_id: string; at: Date | null; started: boolean }>`
    select u.id as user_id, exists (select 1 from lesson_progress lp where lp.user_id = u.id) as started, greatest(
      (select max(s.last_seen_at) from session s where s.user_id = u.id),
      (select max(lp.completed_at) from lesson_progress lp where lp.user_id = u.id),
      (select max(qa.started_at) from quiz_attempt qa where qa.user_id = u.id)) as at
    from "user" u where u.id in (${sql.join(userIds)})`.execute(db);
  return r.rows;
}

/** Lessons these people completed in these courses (any edition: shared lessons count in each). */
export async function lessonsDone(db: Db, userIds: string[], courses: string[]): Promise<{ user_id: string; course_slug: string; lesson_id: string }[]> {
  if (userIds.length === 0 || courses.length === 0) return [];
  return (
    await sql<{ user_id: string; course_slug: string; lesson_id: string }>`
      select user_id, course_slug, lesson_id from lesson_progress
      where user_id in (${sql.join(userIds)}) and course_slug in (${sql.join(courses)})`.execute(db)
  ).rows;
}

/** Active members under a unit who have completed at least one lesson (any course). */
export async function startedCount(db: Db, path: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from admin_unit au
    join team t on t.unit_id = au.id
    join team_member tm on tm.team_id = t.id
    where au.path >= ${path} and au.path < ${pathUpper(path)} and tm.active
      and exists (select 1 from lesson_progress lp where lp.user_id = tm.user_id)`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}
