/**
 * Set-based SQL that fills households and help visits at scale for the synthetic teams under a path
 * (`db:seed -- --scale …`): `perTeam` households per team with consent given, two consented visits
 * each by a member of the team (the same person), skills drawn so ~30% meet the target, and the team
 * and month counters written from those rows in the same pass. A recount finds nothing to fix.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { pathUpper } from '../teams/counters.repository.ts';

type Db = Kysely<Database>;

const outcome = (bit: number, skill: string) => sql.raw(`case when m.mask & ${bit} > 0 then jsonb_build_object('${skill}', 'tu-lam') else '{}'::jsonb end`);

export async function insertHouseholdsAtScale(db: Db, prefix: string, perTeam: number, months: string[]): Promise<{ households: number; visits: number }> {
  // The households, with the coverage their visits below give them (no link, nothing course-verified).
  const h = await sql`
    insert into household (team_id, label, consent, consent_at, covered_mask, verified_mask, meets_target, linked)
    select t.id, 'Hộ số ' || g || ' (mẫu)', 'given', now(), m.mask, 0, m.mask = 31, 0
    from team t join admin_unit au on au.id = t.unit_id
    cross join lateral generate_series(1, ${perTeam}) g
    cross join lateral (select case when (t.id * 31 + g * 17) % 10 < 3 then 31 else ((t.id * 7 + g * 13) % 31) end as mask) m
    where t.synthetic and au.path >= ${prefix} and au.path < ${pathUpper(prefix)}
      and not exists (select 1 from household x where x.team_id = t.id)`.execute(db);
  // Two visits per household by one member of the team, in the given months: skills 1–3, then 4–5.
  const n = months.length;
  const v = await sql`
    insert into help_visit (team_id, household_id, member_id, visit_date, person, consent, outcomes, tasks)
    select h.team_id, h.id, mem.user_id, (array[${sql.join(months)}]::date[])[1 + (abs(hashtext(h.id::text)) + k) % ${n}],
      'Người ' || substr(h.id::text, 1, 4), true,
      case when k = 0 then ${outcome(1, 'dich-vu-cong')} || ${outcome(2, 'mua-sam')} || ${outcome(4, 'thanh-toan')}
           else ${outcome(8, 'tu-bao-ve')} || ${outcome(16, 'nen-tang-dia-phuong')} end,
      '[]'::jsonb
    from household h join team t on t.id = h.team_id join admin_unit au on au.id = t.unit_id
    cross join lateral (select h.covered_mask as mask) m
    cross join generate_series(0, 1) k
    cross join lateral (select tm.user_id from team_member tm where tm.team_id = h.team_id and tm.active order by tm.user_id limit 1) mem
    where t.synthetic and au.path >= ${prefix} and au.path < ${pathUpper(prefix)}
      and h.created_by is null and h.label like 'Hộ số % (mẫu)'
      and not exists (select 1 from help_visit x where x.household_id = h.id)`.execute(db);
  return { households: Number(h.numAffectedRows ?? 0), visits: Number(v.numAffectedRows ?? 0) };
}

/** Rewrites the household team counters and the month counters from the rows (set-based). */
export async function rebuildHouseholdCounters(db: Db): Promise<void> {
  await sql`delete from household_team_counter`.execute(db);
  await sql`
    insert into household_team_counter (team_id, households, consented, meeting_target, linked_citizens,
      cov_dich_vu_cong, cov_mua_sam, cov_thanh_toan, cov_tu_bao_ve, cov_nen_tang_dia_phuong, all_skills)
    select team_id, count(*), count(*) filter (where consent = 'given'), count(*) filter (where meets_target), sum(linked),
      count(*) filter (where covered_mask & 1 > 0), count(*) filter (where covered_mask & 2 > 0), count(*) filter (where covered_mask & 4 > 0),
      count(*) filter (where covered_mask & 8 > 0), count(*) filter (where covered_mask & 16 > 0), count(*) filter (where covered_mask = 31)
    from household group by team_id`.execute(db);
  await sql`delete from help_month_counter`.execute(db);
  await sql`
    insert into help_month_counter (team_id, month, member_id, visits, anonymous)
    select team_id, date_trunc('month', visit_date)::date, coalesce(member_id, '00000000-0000-0000-0000-000000000000'::uuid),
      count(*), count(*) filter (where household_id is null)
    from help_visit group by 1, 2, 3`.execute(db);
}

/** Sizes of the household tables with their indexes (pg_total_relation_size), and row counts. */
export async function householdSizes(db: Db) {
  const r = await sql<{ table: string; rows: number; bytes: number }>`
    select c.relname as table, c.reltuples::bigint::float8 as rows, pg_total_relation_size(c.oid)::float8 as bytes
    from pg_class c where c.relname in ('household', 'help_visit', 'household_team_counter', 'help_month_counter', 'household_link')
    order by c.relname`.execute(db);
  return r.rows;
}
