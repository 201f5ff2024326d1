/** Raw figures of the scorecard metrics for a unit (its subtree) or one team, in one month. */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { pathUpper } from '../teams/counters.repository.ts';

type Db = Kysely<Database>;
export type Scope = { path: string; unitId: number } | { teamId: number };

/** Active memberships in scope as a SQL condition on team t / admin_unit au. */
const scopeSql = (s: Scope) => ('teamId' in s ? sql`t.id = ${s.teamId}` : sql`au.path >= ${s.path} and au.path < ${pathUpper(s.path)}`);

/**
 * Active members, those with required courses and those with all of them done. A unit reads its
 * counter row; a team (a handful of people) is computed live with the same rule as the counters.
 */
export async function memberFigures(db: Db, s: Scope): Promise<{ members: number; with_required: number; all_done: number }> {
  if (!('teamId' in s)) {
    // Units above communes keep their counters in several shards: the figure is their sum.
    const r = await sql<{ members: number; with_required: number; all_done: number }>`
      select coalesce(sum(members), 0)::int as members, coalesce(sum(with_required), 0)::int as with_required, coalesce(sum(all_done), 0)::int as all_done
      from unit_member_counter where unit_id = ${s.unitId}`.execute(db);
    return r.rows[0] ?? { members: 0, with_required: 0, all_done: 0 };
  }
  const r = await sql<{ members: number; with_required: number; all_done: number }>`
    with m as (
      select tm.user_id, au.path from team_member tm join team t on t.id = tm.team_id join admin_unit au on au.id = t.unit_id
      where t.id = ${s.teamId} and tm.active),
    req as (
      select m.user_id, ca.course_slug, ca.edition, bool_or(cc.user_id is not null) as done from m
      join course_assignment ca on ca.unit_id = any(string_to_array(trim(both '/' from m.path), '/')::int[])
      left join course_completion cc on cc.user_id = m.user_id and cc.course_slug = ca.course_slug and cc.edition = ca.edition
      group by 1, 2, 3)
    select (select count(*) from m)::int as members,
      (select count(distinct user_id) from req)::int as with_required,
      (select count(*) from (select user_id from req group by user_id having bool_and(done)) x)::int as all_done`.execute(db);
  return r.rows[0]!;
}

/** Visits recorded in a month (first day) in scope: a commune or above sums its communes' rows. */
export async function visitsInMonth(db: Db, s: Scope, month: string): Promise<number> {
  if (!('teamId' in s) && s.path.split('/').filter(Boolean).length <= 3) {
    const c = await sql<{ n: number }>`select coalesce(sum(c.visits), 0)::int as n from help_commune_month c join admin_unit au on au.id = c.commune_id
      where au.path >= ${s.path} and au.path < ${pathUpper(s.path)} and c.month = ${month}::date`.execute(db);
    return c.rows[0]!.n;
  }
  const r = await sql<{ n: number }>`
    select coalesce(sum(c.visits), 0)::int as n from help_month_counter c join team t on t.id = c.team_id join admin_unit au on au.id = t.unit_id
    where ${scopeSql(s)} and c.month = ${month}::date`.execute(db);
  return r.rows[0]!.n;
}

/** Active members in scope who checked in to the month's session (YYYY-MM). */
export async function attendanceInMonth(db: Db, s: Scope, ym: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from session_attendance sa
    join team_member tm on tm.user_id = sa.user_id and tm.active join team t on t.id = tm.team_id join admin_unit au on au.id = t.unit_id
    where sa.month = ${ym} and ${scopeSql(s)}`.execute(db);
  return r.rows[0]!.n;
}

/** Questions sent for the month's session (YYYY-MM) by active members in scope (any status). */
export async function questionsInMonth(db: Db, s: Scope, ym: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from topic_question q
    join team_member tm on tm.user_id = q.user_id and tm.active join team t on t.id = tm.team_id join admin_unit au on au.id = t.unit_id
    where q.month = ${ym} and ${scopeSql(s)}`.execute(db);
  return r.rows[0]!.n;
}
