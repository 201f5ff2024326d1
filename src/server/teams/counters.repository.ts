/**
 * Counters of required-course progress, per administrative unit (each unit counts its whole subtree).
 * Every query here runs inside the caller's transaction. See README "Decisions: counters".
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Trx = Transaction<Database>;

/**
 * Advisory locks guarding counters (see README "Decisions: counters"):
 * - a global key, taken SHARED by every completion and every chunk recount, and exclusively only by
 *   `recountAll` (npm run db:recount), which recounts everything in one transaction;
 * - one key per chunk: a commune (the unit at CHUNK_DEPTH on a path), or a unit above communes for
 *   the members of its own teams. A completion takes its member's chunk key shared; a chunk recount
 *   takes it exclusively. So a recount only ever waits for, and holds up, its own commune.
 */
const COUNTER_LOCK = 7_331_001;
const CHUNK_LOCK_SPACE = 7_331_002;
const ROSTER_LOCK_SPACE = 7_331_003;

/** The ids of a materialised path, as an SQL int[] expression. */
const ids = (pathExpr: ReturnType<typeof sql>) => sql`string_to_array(trim(both '/' from ${pathExpr}), '/')::int[]`;

/** Upper bound of a path prefix in the C collation: '/1/23/' → '/1/230' ('0' follows '/'). */
export function pathUpper(path: string): string {
  return path.slice(0, -1) + '0';
}

/** Depth of the units whose subtrees are recounted one per transaction (communes, under country and province). */
export const CHUNK_DEPTH = 2;

/** The ids on a materialised path, root first. */
export function pathIds(path: string): number[] {
  return path.split('/').filter(Boolean).map(Number);
}

/**
 * Rows per counter key of a unit above communes. Every completion in the country updates the country's
 * and its province's rows; spread over shards (the commune's id mod COUNTER_SHARDS), completions in
 * different communes seldom queue on the same row. Rows of communes and below are shard 0. Any amount
 * may go to any shard: a unit's figure is the sum of its shards, so reads and comparisons sum them.
 */
export const COUNTER_SHARDS = 16;

/** The shard a chunk (commune) writes to in the rows of the units above it. */
export function shardOf(chunkId: number): number {
  return chunkId % COUNTER_SHARDS;
}

/** The shard of the row of the unit at (1-based) position `ordExpr` on a path, for a change in chunk `chunkId`. */
const shardAt = (ordExpr: ReturnType<typeof sql>, chunkId: number) => sql`case when ${ordExpr} <= ${CHUNK_DEPTH} then ${shardOf(chunkId)} else 0 end`;

/** The chunk a unit's members count in: its commune (the ancestor at CHUNK_DEPTH), or itself above that depth. */
export function chunkOf(path: string): number {
  const ids = pathIds(path);
  return ids[Math.min(ids.length - 1, CHUNK_DEPTH)]!;
}

/**
 * For a completion (or any single-member counter update) of a member whose unit has `path`: the
 * global key and the member's commune key, both shared. Other helpers that keep per-commune counters
 * (households, …) take the same lock before updating them.
 */
export async function lockCommuneShared(trx: Trx, path: string): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${COUNTER_LOCK}::bigint), pg_advisory_xact_lock_shared(${CHUNK_LOCK_SPACE}::int, ${chunkOf(path)}::int)`.execute(trx);
}

/** For recounting one chunk: the global key shared, the chunk's key exclusively. */
export async function lockChunkExclusive(trx: Trx, chunkId: number): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${COUNTER_LOCK}::bigint), pg_advisory_xact_lock(${CHUNK_LOCK_SPACE}::int, ${chunkId}::int)`.execute(trx);
}

/**
 * Serialises roster imports (one at a time, as before) without touching the counter locks, so
 * completions never wait for an import: its recount runs later as a job.
 */
export async function lockRosterChanges(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ROSTER_LOCK_SPACE}::int, 0)`.execute(trx);
}

/**
 * A recount chunk's commit need not wait for the disk: it is recomputed from raw rows if lost in a
 * crash, together with the job progress committed with it (the job then resumes before it).
 */
export async function relaxCommit(trx: Trx): Promise<void> {
  await sql`set local synchronous_commit = off`.execute(trx);
}

/** For recounting everything at once (npm run db:recount): waits for every completion and chunk in flight. */
export async function lockCountersExclusive(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock(${COUNTER_LOCK}::bigint)`.execute(trx);
}

/**
 * For a completion: the path of the learner's active team's unit (undefined for citizens), with the
 * locks of `lockCommuneShared` taken in the same statement (one round trip instead of two).
 */
export async function lockActiveMemberPath(trx: Trx, userId: string): Promise<string | undefined> {
  const chunk = sql`(${ids(sql`au.path`)})[least(cardinality(${ids(sql`au.path`)}), ${CHUNK_DEPTH + 1})]`;
  const r = await sql<{ path: string }>`
    select au.path from team_member tm join team t on t.id = tm.team_id join admin_unit au on au.id = t.unit_id
      cross join lateral (select pg_advisory_xact_lock_shared(${COUNTER_LOCK}::bigint), pg_advisory_xact_lock_shared(${CHUNK_LOCK_SPACE}::int, ${chunk})) l
    where tm.user_id = ${userId} and tm.active limit 1`.execute(trx);
  return r.rows[0]?.path;
}

/**
 * Adds one completion of course `course` (already recorded in this transaction) by `userId`, whose
 * team's unit has `path`, to that unit and all its ancestors, when the course is required there.
 * Called after `lockActiveMemberPath` (in a later statement, so it reads the due date after the lock
 * is granted). Two statements: everything is read first, then one statement upserts the course, week
 * and member rows, so the shared rows (the province's and the country's shards among them) stay
 * locked only from that statement to the commit. Rows are upserted (a bucket a pending recount has
 * not made yet is created, so every level moves by the same amount and the recount's difference
 * stays right) and locked in unit id order, tables in the order course → week → member (the select
 * list runs the upserts in that order), the same order recounts use: no deadlock between them.
 */
export async function addCompletion(trx: Trx, userId: string, path: string, course: string, edition: string): Promise<void> {
  const r = await sql<{ due: string | null; req: number; done: number }>`
    select (select min(due_date)::text from course_assignment
              where unit_id = any(${ids(sql`${path}`)}) and course_slug = ${course} and edition = ${edition}) as due,
           count(*)::int as req, count(cc.user_id)::int as done
    from (select distinct course_slug, edition from course_assignment where unit_id = any(${ids(sql`${path}`)})) r
    left join course_completion cc on cc.user_id = ${userId} and cc.course_slug = r.course_slug and cc.edition = r.edition`.execute(trx);
  const row = r.rows[0];
  if (!row?.due) return; // not a required course for this member
  const chunk = chunkOf(path);
  // This completion was the last required one: the member now has everything done.
  const allDone = row.req > 0 && row.req === row.done;
  const units = sql`unnest(${ids(sql`${path}`)}) with ordinality as x(a, o)`;
  await sql`with
    cc as (insert into unit_course_counter (unit_id, course_slug, edition, due_date, assigned, completed, shard)
      select a, ${course}, ${edition}, ${row.due}::date, 0, 1, ${shardAt(sql`o`, chunk)} from ${units} order by a
      on conflict (unit_id, course_slug, edition, due_date, shard) do update set completed = unit_course_counter.completed + 1 returning 1),
    wc as (insert into unit_week_counter (unit_id, course_slug, edition, week, completed, shard)
      select a, ${course}, ${edition}, date_trunc('week', now() at time zone 'Asia/Ho_Chi_Minh')::date, 1, ${shardAt(sql`o`, chunk)} from ${units} order by a
      on conflict (unit_id, course_slug, edition, week, shard) do update set completed = unit_week_counter.completed + 1 returning 1),
    mc as (insert into unit_member_counter (unit_id, members, activated, with_required, all_done, shard)
      select a, 0, 0, 0, 1, ${shardAt(sql`o`, chunk)} from ${units} where ${allDone} order by a
      on conflict (unit_id, shard) do update set all_done = unit_member_counter.all_done + 1 returning 1)
    select (select count(*) from cc) + (select count(*) from wc) + (select count(*) from mc) as n`.execute(trx);
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
  const members = sql`au.path >= ${lo} and au.path < ${hi}`;
  const levels = sql`a.ord > ${depth}`;
  // Only `npm run db:recount` (recountAll, one transaction) computes this way; chunk recounts use CTEs.
  // The tables go at commit, so nothing outlives the transaction behind a transaction pooler.
  await exec(trx, sql`create temp table if not exists tmp_m (user_id uuid primary key, path text collate "C", activated boolean) on commit drop`);
  await exec(trx, sql`create temp table if not exists tmp_req (user_id uuid, course_slug text, edition text, due_date date, completed_at timestamptz) on commit drop`);
  await exec(trx, sql`create temp table if not exists tmp_cc (unit_id int, course_slug text, edition text, due_date date, assigned int, completed int) on commit drop`);
  await exec(trx, sql`create temp table if not exists tmp_mc (unit_id int, members int, activated int, with_required int, all_done int) on commit drop`);
  await exec(trx, sql`create temp table if not exists tmp_wc (unit_id int, course_slug text, edition text, week date, completed int) on commit drop`);
  // Earlier computations in the same transaction (several chunks, or several roots) leave rows.
  for (const t of ['tmp_m', 'tmp_req', 'tmp_cc', 'tmp_mc', 'tmp_wc']) await exec(trx, sql`delete from ${sql.table(t)}`);
  await exec(
    trx,
    sql`insert into tmp_m select tm.user_id, au.path, u.password_hash is not null
      from admin_unit au join team t on t.unit_id = au.id
      join team_member tm on tm.team_id = t.id and tm.active
      join "user" u on u.id = tm.user_id
      where ${members}`,
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
      where ${levels} group by 1, 2, 3, 4`,
  );
  await exec(
    trx,
    sql`insert into tmp_mc
      select a.unit_id, count(*)::int, (count(*) filter (where p.activated))::int,
        (count(*) filter (where p.req > 0))::int, (count(*) filter (where p.req > 0 and p.done = p.req))::int
      from (select m.user_id, m.path, m.activated, count(r.user_id) as req, count(r.completed_at) as done
            from tmp_m m left join tmp_req r on r.user_id = m.user_id group by 1, 2, 3) p
      cross join lateral unnest(${ids(sql`p.path`)}) with ordinality as a(unit_id, ord)
      where ${levels} group by 1`,
  );
  await exec(
    trx,
    sql`insert into tmp_wc
      select a.unit_id, r.course_slug, r.edition, date_trunc('week', r.completed_at at time zone 'Asia/Ho_Chi_Minh')::date, count(*)::int
      from tmp_req r join tmp_m m on m.user_id = r.user_id
      cross join lateral unnest(${ids(sql`m.path`)}) with ordinality as a(unit_id, ord)
      where ${levels} and r.completed_at is not null group by 1, 2, 3, 4`,
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
    from (select unit_id, course_slug, edition, due_date, sum(assigned)::int as assigned, sum(completed)::int as completed
          from unit_course_counter where unit_id in ${sub} group by 1, 2, 3, 4 having sum(assigned) <> 0 or sum(completed) <> 0) s
    full join tmp_cc f on f.unit_id = s.unit_id and f.course_slug = s.course_slug and f.edition = s.edition and f.due_date = s.due_date
    where coalesce(s.assigned, 0) <> coalesce(f.assigned, 0) or coalesce(s.completed, 0) <> coalesce(f.completed, 0)
    union all
    select 'unit_member_counter', coalesce(s.unit_id, f.unit_id), 'members',
      concat_ws('/', coalesce(s.members, 0), coalesce(s.activated, 0), coalesce(s.with_required, 0), coalesce(s.all_done, 0)),
      concat_ws('/', coalesce(f.members, 0), coalesce(f.activated, 0), coalesce(f.with_required, 0), coalesce(f.all_done, 0))
    from (select unit_id, sum(members)::int as members, sum(activated)::int as activated, sum(with_required)::int as with_required,
            sum(all_done)::int as all_done from unit_member_counter where unit_id in ${sub} group by 1
          having sum(members) <> 0 or sum(activated) <> 0 or sum(with_required) <> 0 or sum(all_done) <> 0) s
    full join tmp_mc f on f.unit_id = s.unit_id
    where (coalesce(s.members, 0), coalesce(s.activated, 0), coalesce(s.with_required, 0), coalesce(s.all_done, 0))
       <> (coalesce(f.members, 0), coalesce(f.activated, 0), coalesce(f.with_required, 0), coalesce(f.all_done, 0))
    union all
    select 'unit_week_counter', coalesce(s.unit_id, f.unit_id),
      coalesce(s.course_slug, f.course_slug) || '/' || coalesce(s.edition, f.edition) || '/' || coalesce(s.week, f.week)::text,
      coalesce(s.completed, 0)::text, coalesce(f.completed, 0)::text
    from (select unit_id, course_slug, edition, week, sum(completed)::int as completed
          from unit_week_counter where unit_id in ${sub} group by 1, 2, 3, 4 having sum(completed) <> 0) s
    full join tmp_wc f on f.unit_id = s.unit_id and f.course_slug = s.course_slug and f.edition = s.edition and f.week = s.week
    where coalesce(s.completed, 0) <> coalesce(f.completed, 0)
    order by 1, 2, 3 limit 1000`.execute(trx);
  return r.rows;
}

/**
 * Adds (fresh − old) to every unit in `targets`, table by table in the order course → week → member
 * and rows in unit id order (the order completions lock them in too). `old*` are the stored values the
 * fresh tables replace, keyed like them.
 */
async function applyDelta(trx: Trx, unitId: number, targets: ReturnType<typeof sql>, old: { cc: ReturnType<typeof sql>; wc: ReturnType<typeof sql>; mc: ReturnType<typeof sql> }): Promise<void> {
  await exec(
    trx,
    sql`insert into unit_course_counter (unit_id, course_slug, edition, due_date, assigned, completed)
      select anc.a, d.course_slug, d.edition, d.due_date, d.da, d.dc from (
        select coalesce(f.course_slug, o.course_slug) as course_slug, coalesce(f.edition, o.edition) as edition,
          coalesce(f.due_date, o.due_date) as due_date,
          coalesce(f.assigned, 0) - coalesce(o.assigned, 0) as da, coalesce(f.completed, 0) - coalesce(o.completed, 0) as dc
        from (select * from tmp_cc where unit_id = ${unitId}) f
        full join ${old.cc} o on o.course_slug = f.course_slug and o.edition = f.edition and o.due_date = f.due_date) d
      cross join ${targets} anc
      where d.da <> 0 or d.dc <> 0
      order by anc.a, d.course_slug, d.edition, d.due_date
      on conflict (unit_id, course_slug, edition, due_date, shard) do update set
        assigned = unit_course_counter.assigned + excluded.assigned, completed = unit_course_counter.completed + excluded.completed`,
  );
  await exec(
    trx,
    sql`insert into unit_week_counter (unit_id, course_slug, edition, week, completed)
      select anc.a, d.course_slug, d.edition, d.week, d.dc from (
        select coalesce(f.course_slug, o.course_slug) as course_slug, coalesce(f.edition, o.edition) as edition,
          coalesce(f.week, o.week) as week, coalesce(f.completed, 0) - coalesce(o.completed, 0) as dc
        from (select * from tmp_wc where unit_id = ${unitId}) f
        full join ${old.wc} o on o.course_slug = f.course_slug and o.edition = f.edition and o.week = f.week) d
      cross join ${targets} anc
      where d.dc <> 0
      order by anc.a, d.course_slug, d.edition, d.week
      on conflict (unit_id, course_slug, edition, week, shard) do update set completed = unit_week_counter.completed + excluded.completed`,
  );
  await exec(
    trx,
    sql`insert into unit_member_counter (unit_id, members, activated, with_required, all_done)
      select anc.a, d.m, d.a, d.w, d.d from (
        select coalesce(f.members, 0) - coalesce(o.members, 0) as m, coalesce(f.activated, 0) - coalesce(o.activated, 0) as a,
          coalesce(f.with_required, 0) - coalesce(o.with_required, 0) as w, coalesce(f.all_done, 0) - coalesce(o.all_done, 0) as d
        from (select * from tmp_mc where unit_id = ${unitId}) f
        full join ${old.mc} o on true) d
      cross join ${targets} anc
      where d.m <> 0 or d.a <> 0 or d.w <> 0 or d.d <> 0
      order by anc.a
      on conflict (unit_id, shard) do update set members = unit_member_counter.members + excluded.members,
        activated = unit_member_counter.activated + excluded.activated,
        with_required = unit_member_counter.with_required + excluded.with_required,
        all_done = unit_member_counter.all_done + excluded.all_done`,
  );
}

/**
 * Replaces the stored counters of the subtree by the fresh ones (computeFresh, whole subtree) and
 * applies the change at the subtree's root to every strict ancestor, so totals above stay exact
 * without recounting them. The caller holds the subtree's chunk lock (or the global one).
 */
export async function applyFresh(trx: Trx, unitId: number, path: string): Promise<void> {
  const lo = path;
  const hi = pathUpper(path);
  const ancestors = sql`(select a from unnest(${ids(sql`${path}`)}) a where a <> ${unitId})`;
  await applyDelta(trx, unitId, ancestors, {
    cc: sql`(select course_slug, edition, due_date, sum(assigned)::int as assigned, sum(completed)::int as completed from unit_course_counter where unit_id = ${unitId} group by 1, 2, 3)`,
    wc: sql`(select course_slug, edition, week, sum(completed)::int as completed from unit_week_counter where unit_id = ${unitId} group by 1, 2, 3)`,
    mc: sql`(select sum(members)::int as members, sum(activated)::int as activated, sum(with_required)::int as with_required, sum(all_done)::int as all_done from unit_member_counter where unit_id = ${unitId})`,
  });
  const sub = sql`(select id from admin_unit where path >= ${lo} and path < ${hi})`;
  await exec(trx, sql`delete from unit_course_counter where unit_id in ${sub}`);
  await exec(trx, sql`delete from unit_member_counter where unit_id in ${sub}`);
  await exec(trx, sql`delete from unit_week_counter where unit_id in ${sub}`);
  await exec(trx, sql`insert into unit_course_counter (unit_id, course_slug, edition, due_date, assigned, completed) select * from tmp_cc`);
  await exec(trx, sql`insert into unit_member_counter (unit_id, members, activated, with_required, all_done) select * from tmp_mc`);
  await exec(trx, sql`insert into unit_week_counter (unit_id, course_slug, edition, week, completed) select * from tmp_wc`);
}

/**
 * Recounts one chunk from raw rows in three statements (one per counter table), for recount jobs that
 * run thousands of them: members and their required courses are CTEs, nothing is created.
 * - a commune (depth ≥ CHUNK_DEPTH): every unit of its subtree gets its fresh rows (stale rows are
 *   deleted, changed ones overwritten), and the commune's change goes to each strict ancestor;
 * - a unit above communes: its own teams' members are its "own share", stored as its row minus its
 *   children's rows; the change of that share goes to the unit and each ancestor. Completions below
 *   move a child and the unit together, so that difference, read in one statement, is consistent.
 * Ancestor rows are upserted last in each statement, in unit id order, tables in the order course →
 * week → member, as completions do. The caller holds the chunk lock (lockChunkExclusive).
 */
export async function recountChunkRows(trx: Trx, chunk: { id: number; path: string; depth: number }): Promise<void> {
  const own = chunk.depth < CHUNK_DEPTH;
  const lo = chunk.path;
  const hi = pathUpper(chunk.path);
  const members = own ? sql`au.id = ${chunk.id}` : sql`au.path >= ${lo} and au.path < ${hi}`;
  const levels = own ? sql`a.ord = ${chunk.depth + 1}` : sql`a.ord > ${chunk.depth}`;
  const ctes = sql`m as materialized (
      select tm.user_id, au.path, u.password_hash is not null as activated
      from admin_unit au join team t on t.unit_id = au.id
      join team_member tm on tm.team_id = t.id and tm.active
      join "user" u on u.id = tm.user_id
      where ${members}),
    req as materialized (
      select r.user_id, r.course_slug, r.edition, r.due_date, cc.completed_at from (
        select m.user_id, ca.course_slug, ca.edition, min(ca.due_date) as due_date
        from m cross join lateral unnest(${ids(sql`m.path`)}) as a(unit_id)
        join course_assignment ca on ca.unit_id = a.unit_id
        group by 1, 2, 3) r
      left join course_completion cc on cc.user_id = r.user_id and cc.course_slug = r.course_slug and cc.edition = r.edition)`;
  // Where the change goes: strict ancestors of a commune; the unit itself and its ancestors for a share.
  const targets = own ? sql`(select a from unnest(${ids(sql`${chunk.path}`)}) a)` : sql`(select a from unnest(${ids(sql`${chunk.path}`)}) a where a <> ${chunk.id})`;
  const scope = sql`(unit_id = ${chunk.id} or unit_id in (select id from admin_unit where parent_id = ${chunk.id}))`;
  const sign = sql`case when unit_id = ${chunk.id} then 1 else -1 end`;
  const sub = sql`(select id from admin_unit where path >= ${lo} and path < ${hi})`;
  // Every target is above communes (strict ancestors of a commune, or a unit above communes and its
  // ancestors): the change goes to this chunk's shard of their rows.
  const shard = shardOf(chunk.id);

  const oldCc = own
    ? sql`select course_slug, edition, due_date, sum(${sign} * assigned)::int as assigned, sum(${sign} * completed)::int as completed from unit_course_counter where ${scope} group by 1, 2, 3`
    : sql`select course_slug, edition, due_date, sum(assigned)::int as assigned, sum(completed)::int as completed from unit_course_counter where unit_id = ${chunk.id} group by 1, 2, 3`;
  const replaceCc = own
    ? sql``
    : sql`, gone_cc as (delete from unit_course_counter c where c.unit_id in ${sub} and (c.shard <> 0 or not exists (select 1 from fresh_cc f
          where f.unit_id = c.unit_id and f.course_slug = c.course_slug and f.edition = c.edition and f.due_date = c.due_date)) returning 1),
        put_cc as (insert into unit_course_counter (unit_id, course_slug, edition, due_date, assigned, completed) select * from fresh_cc
          on conflict (unit_id, course_slug, edition, due_date, shard) do update set assigned = excluded.assigned, completed = excluded.completed
          where (unit_course_counter.assigned, unit_course_counter.completed) is distinct from (excluded.assigned, excluded.completed) returning 1)`;
  const course = sql`
      fresh_cc as (select a.unit_id, r.course_slug, r.edition, r.due_date, count(*)::int as assigned, count(r.completed_at)::int as completed
        from req r join m on m.user_id = r.user_id cross join lateral unnest(${ids(sql`m.path`)}) with ordinality as a(unit_id, ord)
        where ${levels} group by 1, 2, 3, 4),
      old_cc as (${oldCc}),
      delta_cc as (select coalesce(f.course_slug, o.course_slug) as course_slug, coalesce(f.edition, o.edition) as edition,
          coalesce(f.due_date, o.due_date) as due_date,
          coalesce(f.assigned, 0) - coalesce(o.assigned, 0) as da, coalesce(f.completed, 0) - coalesce(o.completed, 0) as dc
        from (select * from fresh_cc where unit_id = ${chunk.id}) f
        full join old_cc o on o.course_slug = f.course_slug and o.edition = f.edition and o.due_date = f.due_date)
      ${replaceCc},
      anc_cc as (insert into unit_course_counter (unit_id, course_slug, edition, due_date, assigned, completed, shard)
        select t.a, d.course_slug, d.edition, d.due_date, d.da, d.dc, ${shard} from delta_cc d cross join ${targets} t
        where d.da <> 0 or d.dc <> 0 order by t.a, d.course_slug, d.edition, d.due_date
        on conflict (unit_id, course_slug, edition, due_date, shard) do update set
          assigned = unit_course_counter.assigned + excluded.assigned, completed = unit_course_counter.completed + excluded.completed returning 1)`;

  const oldWc = own
    ? sql`select course_slug, edition, week, sum(${sign} * completed)::int as completed from unit_week_counter where ${scope} group by 1, 2, 3`
    : sql`select course_slug, edition, week, sum(completed)::int as completed from unit_week_counter where unit_id = ${chunk.id} group by 1, 2, 3`;
  const replaceWc = own
    ? sql``
    : sql`, gone_wc as (delete from unit_week_counter c where c.unit_id in ${sub} and (c.shard <> 0 or not exists (select 1 from fresh_wc f
          where f.unit_id = c.unit_id and f.course_slug = c.course_slug and f.edition = c.edition and f.week = c.week)) returning 1),
        put_wc as (insert into unit_week_counter (unit_id, course_slug, edition, week, completed) select * from fresh_wc
          on conflict (unit_id, course_slug, edition, week, shard) do update set completed = excluded.completed
          where unit_week_counter.completed is distinct from excluded.completed returning 1)`;
  const week = sql`
      fresh_wc as (select a.unit_id, r.course_slug, r.edition, date_trunc('week', r.completed_at at time zone 'Asia/Ho_Chi_Minh')::date as week, count(*)::int as completed
        from req r join m on m.user_id = r.user_id cross join lateral unnest(${ids(sql`m.path`)}) with ordinality as a(unit_id, ord)
        where ${levels} and r.completed_at is not null group by 1, 2, 3, 4),
      old_wc as (${oldWc}),
      delta_wc as (select coalesce(f.course_slug, o.course_slug) as course_slug, coalesce(f.edition, o.edition) as edition,
          coalesce(f.week, o.week) as week, coalesce(f.completed, 0) - coalesce(o.completed, 0) as dc
        from (select * from fresh_wc where unit_id = ${chunk.id}) f
        full join old_wc o on o.course_slug = f.course_slug and o.edition = f.edition and o.week = f.week)
      ${replaceWc},
      anc_wc as (insert into unit_week_counter (unit_id, course_slug, edition, week, completed, shard)
        select t.a, d.course_slug, d.edition, d.week, d.dc, ${shard} from delta_wc d cross join ${targets} t
        where d.dc <> 0 order by t.a, d.course_slug, d.edition, d.week
        on conflict (unit_id, course_slug, edition, week, shard) do update set completed = unit_week_counter.completed + excluded.completed returning 1)`;

  const oldMc = own
    ? sql`select sum(${sign} * members)::int as members, sum(${sign} * activated)::int as activated,
        sum(${sign} * with_required)::int as with_required, sum(${sign} * all_done)::int as all_done from unit_member_counter where ${scope}`
    : sql`select sum(members)::int as members, sum(activated)::int as activated, sum(with_required)::int as with_required,
        sum(all_done)::int as all_done from unit_member_counter where unit_id = ${chunk.id}`;
  const replaceMc = own
    ? sql``
    : sql`, gone_mc as (delete from unit_member_counter c where c.unit_id in ${sub} and (c.shard <> 0 or not exists (select 1 from fresh_mc f where f.unit_id = c.unit_id)) returning 1),
        put_mc as (insert into unit_member_counter (unit_id, members, activated, with_required, all_done) select * from fresh_mc
          on conflict (unit_id, shard) do update set members = excluded.members, activated = excluded.activated,
            with_required = excluded.with_required, all_done = excluded.all_done
          where (unit_member_counter.members, unit_member_counter.activated, unit_member_counter.with_required, unit_member_counter.all_done)
            is distinct from (excluded.members, excluded.activated, excluded.with_required, excluded.all_done) returning 1)`;
  const member = sql`
      fresh_mc as (select a.unit_id, count(*)::int as members, (count(*) filter (where p.activated))::int as activated,
          (count(*) filter (where p.req > 0))::int as with_required, (count(*) filter (where p.req > 0 and p.done = p.req))::int as all_done
        from (select m.user_id, m.path, m.activated, count(r.user_id) as req, count(r.completed_at) as done
              from m left join req r on r.user_id = m.user_id group by 1, 2, 3) p
        cross join lateral unnest(${ids(sql`p.path`)}) with ordinality as a(unit_id, ord)
        where ${levels} group by 1),
      old_mc as (${oldMc}),
      delta_mc as (select coalesce(f.members, 0) - coalesce(o.members, 0) as dm, coalesce(f.activated, 0) - coalesce(o.activated, 0) as da,
          coalesce(f.with_required, 0) - coalesce(o.with_required, 0) as dw, coalesce(f.all_done, 0) - coalesce(o.all_done, 0) as dd
        from (select * from fresh_mc where unit_id = ${chunk.id}) f full join old_mc o on true)
      ${replaceMc},
      anc_mc as (insert into unit_member_counter (unit_id, members, activated, with_required, all_done, shard)
        select t.a, d.dm, d.da, d.dw, d.dd, ${shard} from delta_mc d cross join ${targets} t
        where d.dm <> 0 or d.da <> 0 or d.dw <> 0 or d.dd <> 0 order by t.a
        on conflict (unit_id, shard) do update set members = unit_member_counter.members + excluded.members,
          activated = unit_member_counter.activated + excluded.activated,
          with_required = unit_member_counter.with_required + excluded.with_required,
          all_done = unit_member_counter.all_done + excluded.all_done returning 1)`;
  // One statement: members and requirements are read once, and the ancestor rows every completion
  // also updates are locked only from here to the commit. Reading anc_* in the select list runs
  // them in the order course → week → member (the rest run after, at the end of the statement).
  await exec(
    trx,
    sql`with ${ctes}, ${course}, ${week}, ${member}
      select (select count(*) from anc_cc) + (select count(*) from anc_wc) + (select count(*) from anc_mc) as n`,
  );
}

/** The chunks of a unit's subtree after `after`, in id order: units at CHUNK_DEPTH and those above it. */
export async function chunksBelow(trx: Trx | Kysely<Database>, path: string, after: number, limit: number) {
  const r = await sql<{ id: number; path: string; depth: number }>`
    select id, path, depth from admin_unit where path >= ${path} and path < ${pathUpper(path)} and depth <= ${CHUNK_DEPTH} and id > ${after}
    order by id limit ${limit}`.execute(trx);
  return r.rows;
}

export async function countChunksBelow(trx: Trx | Kysely<Database>, path: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from admin_unit where path >= ${path} and path < ${pathUpper(path)} and depth <= ${CHUNK_DEPTH}`.execute(trx);
  return Number(r.rows[0]?.n ?? 0);
}

/** Units without a parent (the country). */
export function rootUnits(trx: Trx) {
  return trx.selectFrom('admin_unit').select(['id', 'path', 'depth']).where('parent_id', 'is', null).execute();
}

export function unitPosition(trx: Trx | Kysely<Database>, unitId: number) {
  return trx.selectFrom('admin_unit').select(['id', 'path', 'depth']).where('id', '=', unitId).executeTakeFirst();
}

/** Overwrites one counter (for the recount test that corrupts a counter on purpose). */
export async function corruptMemberCounter(trx: Trx, unitId: number, delta: number): Promise<void> {
  await trx.updateTable('unit_member_counter').set((eb) => ({ members: eb('members', '+', delta) })).where('unit_id', '=', unitId).execute();
}
