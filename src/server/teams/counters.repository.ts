/**
 * Counters of required-course progress, per administrative unit (each unit counts its whole subtree).
 * Every query here runs inside the caller's transaction. See README "Decisions: counters".
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Trx = Transaction<Database>;

/** Advisory lock key guarding counters: recounts take it exclusively, single completions shared. */
const COUNTER_LOCK = 7_331_001;

/** The ids of a materialised path, as an SQL int[] expression. */
const ids = (pathExpr: ReturnType<typeof sql>) => sql`string_to_array(trim(both '/' from ${pathExpr}), '/')::int[]`;

/** Upper bound of a path prefix in the C collation: '/1/23/' → '/1/230' ('0' follows '/'). */
export function pathUpper(path: string): string {
  return path.slice(0, -1) + '0';
}

export async function lockCountersShared(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${COUNTER_LOCK})`.execute(trx);
}

export async function lockCountersExclusive(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock(${COUNTER_LOCK})`.execute(trx);
}

/** The path of the unit of a learner's active team, or undefined for citizens. */
export async function activeMemberPath(trx: Trx, userId: string): Promise<string | undefined> {
  const r = await trx
    .selectFrom('team_member as tm')
    .innerJoin('team as t', 't.id', 'tm.team_id')
    .innerJoin('admin_unit as au', 'au.id', 't.unit_id')
    .select('au.path')
    .where('tm.user_id', '=', userId)
    .where('tm.active', '=', true)
    .executeTakeFirst();
  return r?.path;
}

/** The effective due date of a course edition for a member at `path` (earliest over ancestors). */
export async function effectiveDue(trx: Trx, path: string, course: string, edition: string): Promise<string | null> {
  const r = await sql<{ due: string | null }>`
    select min(due_date)::text as due from course_assignment
    where unit_id = any(${ids(sql`${path}`)}) and course_slug = ${course} and edition = ${edition}`.execute(trx);
  return r.rows[0]?.due ?? null;
}

/** Adds one completion of a required course to the unit of `path` and all its ancestors. */
export async function addCompletion(trx: Trx, userId: string, path: string, course: string, edition: string, due: string): Promise<void> {
  await sql`update unit_course_counter set completed = completed + 1
    where unit_id = any(${ids(sql`${path}`)}) and course_slug = ${course} and edition = ${edition} and due_date = ${due}::date`.execute(trx);
  await sql`insert into unit_week_counter (unit_id, course_slug, edition, week, completed)
    select a, ${course}, ${edition}, date_trunc('week', now() at time zone 'Asia/Ho_Chi_Minh')::date, 1 from unnest(${ids(sql`${path}`)}) a
    on conflict (unit_id, course_slug, edition, week) do update set completed = unit_week_counter.completed + 1`.execute(trx);
  const r = await sql<{ req: number; done: number }>`
    select count(*)::int as req, count(cc.user_id)::int as done
    from (select distinct course_slug, edition from course_assignment where unit_id = any(${ids(sql`${path}`)})) r
    left join course_completion cc on cc.user_id = ${userId} and cc.course_slug = r.course_slug and cc.edition = r.edition`.execute(trx);
  const row = r.rows[0];
  // This completion was the last required one: the member now has everything done.
  if (row && row.req > 0 && row.req === row.done) {
    await sql`update unit_member_counter set all_done = all_done + 1 where unit_id = any(${ids(sql`${path}`)})`.execute(trx);
  }
}

async function exec(trx: Trx, q: ReturnType<typeof sql>) {
  await q.execute(trx);
}

/**
 * Computes fresh counters for every unit in the subtree of the unit with `path` (at `depth`) from raw
 * rows (active team members, assignments on every ancestor, completions) into temporary tables
 * tmp_cc, tmp_mc, tmp_wc.
 */
export async function computeFresh(trx: Trx, path: string, depth: number): Promise<void> {
  const lo = path;
  const hi = pathUpper(path);
  await exec(trx, sql`create temp table if not exists tmp_m (user_id uuid primary key, path text collate "C", activated boolean) on commit drop`);
  await exec(trx, sql`create temp table if not exists tmp_req (user_id uuid, course_slug text, edition text, due_date date, completed_at timestamptz) on commit drop`);
  await exec(trx, sql`create temp table if not exists tmp_cc (unit_id int, course_slug text, edition text, due_date date, assigned int, completed int) on commit drop`);
  await exec(trx, sql`create temp table if not exists tmp_mc (unit_id int, members int, activated int, with_required int, all_done int) on commit drop`);
  await exec(trx, sql`create temp table if not exists tmp_wc (unit_id int, course_slug text, edition text, week date, completed int) on commit drop`);
  await exec(trx, sql`truncate tmp_m, tmp_req, tmp_cc, tmp_mc, tmp_wc`);
  await exec(
    trx,
    sql`insert into tmp_m select tm.user_id, au.path, u.password_hash is not null
      from admin_unit au join team t on t.unit_id = au.id
      join team_member tm on tm.team_id = t.id and tm.active
      join "user" u on u.id = tm.user_id
      where au.path >= ${lo} and au.path < ${hi}`,
  );
  await exec(
    trx,
    sql`insert into tmp_req
      select r.user_id, r.course_slug, r.edition, r.due_date, cc.completed_at from (
        select m.user_id, ca.course_slug, ca.edition, min(ca.due_date) as due_date
        from tmp_m m cross join lateral unnest(${ids(sql`m.path`)}) as a(unit_id)
        join course_assignment ca on ca.unit_id = a.unit_id
        group by 1, 2, 3) r
      left join course_completion cc on cc.user_id = r.user_id and cc.course_slug = r.course_slug and cc.edition = r.edition`,
  );
  await exec(
    trx,
    sql`insert into tmp_cc
      select a.unit_id, r.course_slug, r.edition, r.due_date, count(*)::int, count(r.completed_at)::int
      from tmp_req r join tmp_m m on m.user_id = r.user_id
      cross join lateral unnest(${ids(sql`m.path`)}) with ordinality as a(unit_id, ord)
      where a.ord > ${depth} group by 1, 2, 3, 4`,
  );
  await exec(
    trx,
    sql`insert into tmp_mc
      select a.unit_id, count(*)::int, (count(*) filter (where p.activated))::int,
        (count(*) filter (where p.req > 0))::int, (count(*) filter (where p.req > 0 and p.done = p.req))::int
      from (select m.user_id, m.path, m.activated, count(r.user_id) as req, count(r.completed_at) as done
            from tmp_m m left join tmp_req r on r.user_id = m.user_id group by 1, 2, 3) p
      cross join lateral unnest(${ids(sql`p.path`)}) with ordinality as a(unit_id, ord)
      where a.ord > ${depth} group by 1`,
  );
  await exec(
    trx,
    sql`insert into tmp_wc
      select a.unit_id, r.course_slug, r.edition, date_trunc('week', r.completed_at at time zone 'Asia/Ho_Chi_Minh')::date, count(*)::int
      from tmp_req r join tmp_m m on m.user_id = r.user_id
      cross join lateral unnest(${ids(sql`m.path`)}) with ordinality as a(unit_id, ord)
      where a.ord > ${depth} and r.completed_at is not null group by 1, 2, 3, 4`,
  );
}

/** One counter that differs between the stored tables and a fresh computation. */
export interface CounterDiff {
  table: string;
  unitId: number;
  key: string;
  stored: string;
  fresh: string;
}

/** Compares the fresh temporary tables with the stored counters of the subtree. */
export async function diffFresh(trx: Trx, path: string): Promise<CounterDiff[]> {
  const lo = path;
  const hi = pathUpper(path);
  const sub = sql`(select id from admin_unit where path >= ${lo} and path < ${hi})`;
  const r = await sql<CounterDiff>`
    select 'unit_course_counter' as "table", coalesce(s.unit_id, f.unit_id) as "unitId",
      coalesce(s.course_slug, f.course_slug) || '/' || coalesce(s.edition, f.edition) || '/' || coalesce(s.due_date, f.due_date)::text as key,
      coalesce(s.assigned, 0) || ' giao, ' || coalesce(s.completed, 0) || ' xong' as stored,
      coalesce(f.assigned, 0) || ' giao, ' || coalesce(f.completed, 0) || ' xong' as fresh
    from (select * from unit_course_counter where unit_id in ${sub} and (assigned <> 0 or completed <> 0)) s
    full join tmp_cc f on f.unit_id = s.unit_id and f.course_slug = s.course_slug and f.edition = s.edition and f.due_date = s.due_date
    where coalesce(s.assigned, 0) <> coalesce(f.assigned, 0) or coalesce(s.completed, 0) <> coalesce(f.completed, 0)
    union all
    select 'unit_member_counter', coalesce(s.unit_id, f.unit_id), 'members',
      concat_ws('/', coalesce(s.members, 0), coalesce(s.activated, 0), coalesce(s.with_required, 0), coalesce(s.all_done, 0)),
      concat_ws('/', coalesce(f.members, 0), coalesce(f.activated, 0), coalesce(f.with_required, 0), coalesce(f.all_done, 0))
    from (select * from unit_member_counter where unit_id in ${sub} and (members <> 0 or activated <> 0 or with_required <> 0 or all_done <> 0)) s
    full join tmp_mc f on f.unit_id = s.unit_id
    where (coalesce(s.members, 0), coalesce(s.activated, 0), coalesce(s.with_required, 0), coalesce(s.all_done, 0))
       <> (coalesce(f.members, 0), coalesce(f.activated, 0), coalesce(f.with_required, 0), coalesce(f.all_done, 0))
    union all
    select 'unit_week_counter', coalesce(s.unit_id, f.unit_id),
      coalesce(s.course_slug, f.course_slug) || '/' || coalesce(s.edition, f.edition) || '/' || coalesce(s.week, f.week)::text,
      coalesce(s.completed, 0)::text, coalesce(f.completed, 0)::text
    from (select * from unit_week_counter where unit_id in ${sub} and completed <> 0) s
    full join tmp_wc f on f.unit_id = s.unit_id and f.course_slug = s.course_slug and f.edition = s.edition and f.week = s.week
    where coalesce(s.completed, 0) <> coalesce(f.completed, 0)
    order by 1, 2, 3 limit 1000`.execute(trx);
  return r.rows;
}

/**
 * Replaces the stored counters of the subtree by the fresh ones and applies the change at the
 * subtree's root to every strict ancestor, so totals above stay exact without recounting them.
 */
export async function applyFresh(trx: Trx, unitId: number, path: string): Promise<void> {
  const lo = path;
  const hi = pathUpper(path);
  const ancestors = sql`(select a from unnest(${ids(sql`${path}`)}) a where a <> ${unitId})`;
  await exec(
    trx,
    sql`insert into unit_course_counter (unit_id, course_slug, edition, due_date, assigned, completed)
      select anc.a, d.course_slug, d.edition, d.due_date, d.da, d.dc from (
        select coalesce(f.course_slug, o.course_slug) as course_slug, coalesce(f.edition, o.edition) as edition,
          coalesce(f.due_date, o.due_date) as due_date,
          coalesce(f.assigned, 0) - coalesce(o.assigned, 0) as da, coalesce(f.completed, 0) - coalesce(o.completed, 0) as dc
        from (select * from tmp_cc where unit_id = ${unitId}) f
        full join (select * from unit_course_counter where unit_id = ${unitId}) o
          on o.course_slug = f.course_slug and o.edition = f.edition and o.due_date = f.due_date) d
      cross join ${ancestors} anc
      where d.da <> 0 or d.dc <> 0
      on conflict (unit_id, course_slug, edition, due_date) do update set
        assigned = unit_course_counter.assigned + excluded.assigned, completed = unit_course_counter.completed + excluded.completed`,
  );
  await exec(
    trx,
    sql`insert into unit_member_counter (unit_id, members, activated, with_required, all_done)
      select anc.a, d.m, d.a, d.w, d.d from (
        select coalesce(f.members, 0) - coalesce(o.members, 0) as m, coalesce(f.activated, 0) - coalesce(o.activated, 0) as a,
          coalesce(f.with_required, 0) - coalesce(o.with_required, 0) as w, coalesce(f.all_done, 0) - coalesce(o.all_done, 0) as d
        from (select * from tmp_mc where unit_id = ${unitId}) f
        full join (select * from unit_member_counter where unit_id = ${unitId}) o on true) d
      cross join ${ancestors} anc
      where d.m <> 0 or d.a <> 0 or d.w <> 0 or d.d <> 0
      on conflict (unit_id) do update set members = unit_member_counter.members + excluded.members,
        activated = unit_member_counter.activated + excluded.activated,
        with_required = unit_member_counter.with_required + excluded.with_required,
        all_done = unit_member_counter.all_done + excluded.all_done`,
  );
  await exec(
    trx,
    sql`insert into unit_week_counter (unit_id, course_slug, edition, week, completed)
      select anc.a, d.course_slug, d.edition, d.week, d.dc from (
        select coalesce(f.course_slug, o.course_slug) as course_slug, coalesce(f.edition, o.edition) as edition,
          coalesce(f.week, o.week) as week, coalesce(f.completed, 0) - coalesce(o.completed, 0) as dc
        from (select * from tmp_wc where unit_id = ${unitId}) f
        full join (select * from unit_week_counter where unit_id = ${unitId}) o
          on o.course_slug = f.course_slug and o.edition = f.edition and o.week = f.week) d
      cross join ${ancestors} anc
      where d.dc <> 0
      on conflict (unit_id, course_slug, edition, week) do update set completed = unit_week_counter.completed + excluded.completed`,
  );
  const sub = sql`(select id from admin_unit where path >= ${lo} and path < ${hi})`;
  await exec(trx, sql`delete from unit_course_counter where unit_id in ${sub}`);
  await exec(trx, sql`delete from unit_member_counter where unit_id in ${sub}`);
  await exec(trx, sql`delete from unit_week_counter where unit_id in ${sub}`);
  await exec(trx, sql`insert into unit_course_counter select * from tmp_cc`);
  await exec(trx, sql`insert into unit_member_counter select * from tmp_mc`);
  await exec(trx, sql`insert into unit_week_counter select * from tmp_wc`);
}

/** Units without a parent (the country). */
export function rootUnits(trx: Trx) {
  return trx.selectFrom('admin_unit').select(['id', 'path', 'depth']).where('parent_id', 'is', null).execute();
}

export function unitPosition(trx: Trx, unitId: number) {
  return trx.selectFrom('admin_unit').select(['id', 'path', 'depth']).where('id', '=', unitId).executeTakeFirst();
}

/** Overwrites one counter (for the recount test that corrupts a counter on purpose). */
export async function corruptMemberCounter(trx: Trx, unitId: number, delta: number): Promise<void> {
  await trx.updateTable('unit_member_counter').set((eb) => ({ members: eb('members', '+', delta) })).where('unit_id', '=', unitId).execute();
}
