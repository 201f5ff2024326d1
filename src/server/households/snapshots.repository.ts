/** Monthly snapshots of the counters, and the real household totals officials enter. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { pathUpper } from '../teams/counters.repository.ts';
import type { CounterVector } from './coverage.ts';

type Db = Kysely<Database> | Transaction<Database>;

const COLS = ['households', 'consented', 'meeting_target', 'linked_citizens', 'cov_dich_vu_cong', 'cov_mua_sam', 'cov_thanh_toan', 'cov_tu_bao_ve', 'cov_nen_tang_dia_phuong', 'all_skills'] as const;
const vectorSql = sql.raw(COLS.map((c) => `coalesce(sum(s.${c}), 0)::int as ${c}`).join(', '));

/**
 * Closes `month` (first day) once: claims its marker row and copies every team's household counters
 * and every unit's member counters into the snapshot tables, set-based. Returns whether this call did it.
 */
export async function closeMonth(trx: Transaction<Database>, month: string): Promise<boolean> {
  const claimed = await trx.insertInto('snapshot_month').values({ month }).onConflict((oc) => oc.column('month').doNothing()).returning('month').executeTakeFirst();
  if (!claimed) return false;
  await sql`insert into household_team_snapshot (team_id, month, ${sql.raw(COLS.join(', '))})
    select team_id, ${month}::date, ${sql.raw(COLS.join(', '))} from household_team_counter`.execute(trx);
  await sql`insert into unit_member_snapshot (unit_id, month, members, with_required, all_done)
    select unit_id, ${month}::date, sum(members)::int, sum(with_required)::int, sum(all_done)::int from unit_member_counter group by unit_id`.execute(trx);
  return true;
}

/**
 * Whether a month's household figures are known: it closed, and households were counted by then. A
 * month closed before any team kept a household list (the month before the site's first households)
 * has no team rows, and its figures are unknown, not zero.
 */
export async function monthKnown(db: Db, month: string): Promise<boolean> {
  const r = await sql<{ known: boolean }>`select exists (select 1 from snapshot_month where month = ${month}::date)
    and exists (select 1 from household_team_snapshot where month = ${month}::date) as known`.execute(db);
  return Boolean(r.rows[0]?.known);
}

/** A unit's (subtree) or a team's household counters at the close of `month`. */
export async function snapshotVector(db: Db, where: { path: string } | { teamId: number }, month: string): Promise<CounterVector> {
  const scope = 'teamId' in where ? sql`s.team_id = ${where.teamId}` : sql`au.path >= ${where.path} and au.path < ${pathUpper(where.path)}`;
  const r = await sql<CounterVector>`select ${vectorSql} from household_team_snapshot s
    join team t on t.id = s.team_id join admin_unit au on au.id = t.unit_id
    where s.month = ${month}::date and ${scope}`.execute(db);
  return r.rows[0]!;
}

/** A unit's member counters at the close of `month`. */
export function memberSnapshot(db: Db, unitId: number, month: string) {
  return db.selectFrom('unit_member_snapshot').select(['members', 'with_required', 'all_done']).where('unit_id', '=', unitId).where('month', '=', month).executeTakeFirst();
}

// ─── Real household totals ───

export async function setHouseholdTotal(trx: Transaction<Database>, unitId: number, households: number, by: string): Promise<number | null> {
  const before = await trx.selectFrom('unit_household_total').select('households').where('unit_id', '=', unitId).forUpdate().executeTakeFirst();
  await trx
    .insertInto('unit_household_total')
    .values({ unit_id: unitId, households, updated_by: by })
    .onConflict((oc) => oc.column('unit_id').doUpdateSet({ households, updated_by: by, updated_at: sql`now()` }))
    .execute();
  return before?.households ?? null;
}

export async function clearHouseholdTotal(trx: Transaction<Database>, unitId: number): Promise<number | null> {
  const r = await trx.deleteFrom('unit_household_total').where('unit_id', '=', unitId).returning('households').executeTakeFirst();
  return r?.households ?? null;
}

/** The real totals entered for a unit's subtree: their sum and how many units have one. */
export async function realTotalUnder(db: Db, path: string): Promise<{ households: number; units: number }> {
  const r = await sql<{ households: number; units: number }>`
    select coalesce(sum(h.households), 0)::int as households, count(*)::int as units from unit_household_total h
    join admin_unit au on au.id = h.unit_id where au.path >= ${path} and au.path < ${pathUpper(path)}`.execute(db);
  return r.rows[0]!;
}

/**
 * The real totals of a unit's children (each summed over its subtree), in one grouped pass over the
 * (few) units that have one: the child is the path segment below the unit.
 */
export async function realTotalsOfChildren(db: Db, unit: { id: number; path: string }): Promise<Map<number, number>> {
  const child = sql.raw(`split_part(au.path, '/', ${unit.path.split('/').filter(Boolean).length + 2})`);
  const r = await sql<{ id: number; households: number }>`
    select ${child}::int as id, coalesce(sum(h.households), 0)::int as households from unit_household_total h
    join admin_unit au on au.id = h.unit_id
    where au.path >= ${unit.path} and au.path < ${pathUpper(unit.path)} and ${child} <> '' group by 1`.execute(db);
  return new Map(r.rows.map((x) => [x.id, x.households]));
}

/**
 * `realTotalUnder` and `realTotalsOfChildren` in one grouped pass: the unit's total is the sum of
 * every group, its children's the groups named by a child.
 */
export async function realTotalsWithChildren(db: Db, unit: { id: number; path: string }): Promise<{ total: { households: number; units: number }; children: Map<number, number> }> {
  const child = sql.raw(`nullif(split_part(au.path, '/', ${unit.path.split('/').filter(Boolean).length + 2}), '')::int`);
  const r = await sql<{ id: number | null; households: number; units: number }>`
    select ${child} as id, coalesce(sum(h.households), 0)::int as households, count(*)::int as units from unit_household_total h
    join admin_unit au on au.id = h.unit_id
    where au.path >= ${unit.path} and au.path < ${pathUpper(unit.path)} group by 1`.execute(db);
  const total = { households: r.rows.reduce((n, x) => n + Number(x.households), 0), units: r.rows.reduce((n, x) => n + Number(x.units), 0) };
  return { total, children: new Map(r.rows.filter((x) => x.id !== null).map((x) => [Number(x.id), Number(x.households)])) };
}

// ─── Report lists ───

/** Teams under a unit ranked by visits in a month (then households meeting the target). */
export async function topTeams(db: Db, path: string, month: string, limit: number) {
  const r = await sql<{ id: number; name: string; unit_name: string; visits: number; households: number; meeting_target: number }>`
    select t.id, t.name, au.name as unit_name, coalesce(v.visits, 0)::int as visits,
      coalesce(c.households, 0)::int as households, coalesce(c.meeting_target, 0)::int as meeting_target
    from team t join admin_unit au on au.id = t.unit_id
    left join household_team_counter c on c.team_id = t.id
    left join (select team_id, sum(visits) as visits from help_month_counter where month = ${month}::date group by team_id) v on v.team_id = t.id
    where au.path >= ${path} and au.path < ${pathUpper(path)} and coalesce(v.visits, 0) > 0
    order by visits desc, meeting_target desc, t.name limit ${limit}`.execute(db);
  return r.rows;
}

/** Villages under a unit with no visit in a month (at most `limit`), and how many there are. */
export async function villagesWithoutVisits(db: Db, path: string, month: string, limit: number) {
  const r = await sql<{ id: number; name: string; parent_name: string | null; total: number }>`
    select vu.id, vu.name, p.name as parent_name, count(*) over ()::int as total from admin_unit vu
    left join admin_unit p on p.id = vu.parent_id
    where vu.kind = 'village' and vu.path >= ${path} and vu.path < ${pathUpper(path)}
      and not exists (select 1 from help_month_counter c join team t on t.id = c.team_id
        where t.unit_id = vu.id and c.month = ${month}::date and c.visits > 0)
    order by p.name, vu.name limit ${limit}`.execute(db);
  return { rows: r.rows, total: r.rows[0]?.total ?? 0 };
}
