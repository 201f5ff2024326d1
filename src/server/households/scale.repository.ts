/**
 * Set-based SQL that fills households, help visits and links at scale for the synthetic teams of one
 * commune (`db:seed -- --scale …` calls it commune by commune, one transaction each, so progress is
 * printed, memory stays flat and every commit leaves the counters consistent with the raw rows).
 *
 * Per commune: the households and visits are drawn first into temporary tables (dropped at commit,
 * PgBouncer-safe), each household's coverage is computed from its drawn visits with the rules of
 * coverage.ts (persons grouped by name — the names come from a fixed list whose folded keys differ —
 * covered = OR of "tự làm được" skills, target met when one person has all five), then households,
 * visits, citizens' accounts, links and the commune's team and month counters are inserted with one
 * statement each. `npm run db:recount -- --check` (the pure rules in JavaScript) then finds nothing.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { pathUpper } from '../teams/counters.repository.ts';
import { NIL_UUID, rebuildCommuneCounters } from './households.repository.ts';

type Db = Kysely<Database>;

/** Person names as recorded on visits, and their folded keys (`personKey`): all keys distinct. */
export const SCALE_PEOPLE: readonly [string, string][] = [
  ['bà Tư', 'bà tư'], ['ông Sáu', 'ông sáu'], ['chị Hoa', 'chị hoa'], ['anh Nam', 'anh nam'],
  ['cô Lan', 'cô lan'], ['bác Ba', 'bác ba'], ['chú Hùng', 'chú hùng'], ['em Mai', 'em mai'],
  ['bà Năm', 'bà năm'], ['ông Bảy', 'ông bảy'], ['chị Thảo', 'chị thảo'], ['anh Tuấn', 'anh tuấn'],
];

/** Communes under a path that have synthetic teams, in id order. */
export async function communesUnder(db: Db, prefix: string): Promise<{ id: number; name: string }[]> {
  const r = await sql<{ id: number; name: string }>`
    select c.id, c.name from admin_unit c
    where c.kind = 'commune' and c.path >= ${prefix} and c.path < ${pathUpper(prefix)}
      and exists (select 1 from admin_unit v join team t on t.unit_id = v.id where v.parent_id = c.id and t.synthetic)
    order by c.id`.execute(db);
  return r.rows;
}

export interface CommuneSeed {
  /** Average households per team (each team gets 75–125 % of it). */
  perTeam: number;
  /** Today in Vietnam (YYYY-MM-DD): visits fall in the 365 days up to it, never after. */
  today: string;
  /** Help-task ids of each skill, in SKILLS order (one task per skill worked on). */
  tasksBySkill: string[][];
  /** Course slugs a visit may name as the lesson used. */
  materials: string[];
  /** One citizen account linked per this many households with visits. */
  linkEvery: number;
}

const SKILL_KEYS = ['dich-vu-cong', 'mua-sam', 'thanh-toan', 'tu-bao-ve', 'nen-tang-dia-phuong'];

const textArray = (xs: readonly string[]) => sql`${sql.raw(`array[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]::text[]`)}`;

/**
 * Fills one commune's synthetic teams that have no households yet. Returns what was inserted; a
 * commune already filled returns zeros.
 */
export async function insertCommuneHouseholds(db: Db, communeId: number, p: CommuneSeed): Promise<{ households: number; visits: number; links: number }> {
  return db.transaction().execute(async (trx) => {
    const names = textArray(SCALE_PEOPLE.map((x) => x[0]));
    const keys = textArray(SCALE_PEOPLE.map((x) => x[1]));
    const np = SCALE_PEOPLE.length;
    // Households: 75–125 % of perTeam per team; r drives every later draw.
    await sql`create temp table seed_hh on commit drop as
      select gen_random_uuid() as id, t.id as team_id, g, mem.ids as members, cardinality(mem.ids) as nm,
        abs(hashtext(t.id::text || ':' || g::text)) as r, v.name as village
      from team t join admin_unit v on v.id = t.unit_id
      cross join lateral (select array_agg(m.user_id order by m.user_id) as ids from team_member m where m.team_id = t.id and m.active) mem
      cross join lateral generate_series(1, ${Math.floor((p.perTeam * 3) / 4)} + (t.id * 7919) % ${Math.floor(p.perTeam / 2) + 1}) g
      where v.parent_id = ${communeId} and t.synthetic and cardinality(mem.ids) > 0
        and not exists (select 1 from household x where x.team_id = t.id)`.execute(trx);
    // Visits per household: 0 (10 %), 1 (20 %), 2 (35 %), 3 (25 %), 4 (10 %). One or two people each.
    // Worked skills w (1–3 skills) and "tự làm được" s ⊆ w; the last visit of ~30 % of households
    // is the one where their main person did all five alone.
    await sql`create temp table seed_v on commit drop as
      select gen_random_uuid() as id, x.*, x.w & x.sm as s from (
        select h.id as household_id, h.team_id, k, n,
          h.members[1 + (h.r / 7 + k) % h.nm] as member_id,
          least(${p.today}::date, ${p.today}::date - (h.r % 365) + k * (7 + (h.r / 11) % 30)) as visit_date,
          case when k > 0 and (h.r / 13) % 3 = 0 then (h.r / 17 + 5) % ${np} else (h.r / 17) % ${np} end as pi,
          case when k = n - 1 and (h.r / 19) % 10 < 3 then 31
               else (array[1, 2, 4, 8, 16, 3, 5, 9, 6, 12, 17, 24, 7, 13, 28, 21])[1 + (abs(hashtext(h.id::text)) + k * 5) % 16] end as w,
          case when k = n - 1 and (h.r / 19) % 10 < 3 then 31
               else (abs(hashtext(h.id::text || k::text)) % 32) | (case when k > 0 then (abs(hashtext(k::text || h.id::text)) % 32) else 0 end) end as sm,
          abs(hashtext(h.id::text || 'v' || k::text)) as vr
        from seed_hh h
        cross join lateral (select (array[0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4])[1 + (h.r / 3) % 20] as n) c
        cross join lateral generate_series(0, c.n - 1) k) x`.execute(trx);
    // Coverage of each household from its drawn visits (grouped by person, as coverage.ts does).
    await sql`create temp table seed_state on commit drop as
      select household_id, bit_or(pm) as covered, bool_or(pm = 31) as meets from (
        select household_id, pi, bit_or(s) as pm from seed_v group by household_id, pi) q group by household_id`.execute(trx);
    // A citizen's account linked to one household in linkEvery (through its first visit's person).
    await sql`create temp table seed_link on commit drop as
      select gen_random_uuid() as user_id, v.household_id, v.id as visit_id, v.pi, v.visit_date,
        (select count(*) from "user" where phone like '+8478%') + row_number() over (order by v.id) as n
      from seed_v v join seed_hh h on h.id = v.household_id
      where v.k = 0 and (h.r / 23) % ${p.linkEvery} = 0`.execute(trx);
    const hh = await sql`insert into household (id, team_id, label, phone, note, consent, consent_at, consent_by, created_by, created_at, covered_mask, verified_mask, meets_target, linked)
      select h.id, h.team_id, 'Hộ ' || (${names})[1 + (h.r / 17) % ${np}] || ' số ' || h.g || ', ' || h.village,
        case when h.r % 4 = 0 then '+849' || lpad((h.r % 100000000)::text, 8, '0') end,
        case when h.r % 7 = 0 then 'Nhà cuối ngõ ' || (1 + h.r % 30) end,
        case when st.household_id is not null or h.r % 2 = 0 then 'given' else 'not_asked' end,
        case when st.household_id is not null or h.r % 2 = 0 then ${p.today}::date - (h.r % 365) + time '09:00' end,
        case when st.household_id is not null or h.r % 2 = 0 then h.members[1 + (h.r / 7) % h.nm] end,
        case when st.household_id is not null or h.r % 2 = 0 then h.members[1 + (h.r / 7) % h.nm] end,
        ${p.today}::date - (h.r % 365) - 1 + time '08:00',
        coalesce(st.covered, 0), 0, coalesce(st.meets, false), (select count(*) from seed_link l where l.household_id = h.id)::int
      from seed_hh h left join seed_state st on st.household_id = h.id`.execute(trx);
    const tasks = p.tasksBySkill.map((t) => textArray(t.length ? t : ['']));
    const taskOf = (i: number) => sql`case when x.w & ${sql.raw(String(1 << i))} > 0 then (${tasks[i]!})[1 + x.vr % ${p.tasksBySkill[i]!.length || 1}] end`;
    const outcomeOf = (i: number) => sql.raw(`case when x.w & ${1 << i} > 0 then case when x.s & ${1 << i} > 0 then 'tu-lam' else 'can-ho-tro' end end`);
    const hv = await sql`insert into help_visit (id, team_id, household_id, member_id, visit_date, person, consent, outcomes, tasks, material, created_at, updated_at)
      select x.id, x.team_id, x.household_id, x.member_id, x.visit_date, (${names})[1 + x.pi], true,
        jsonb_strip_nulls(jsonb_build_object(${sql.join(SKILL_KEYS.map((k, i) => sql`${sql.lit(k)}::text, ${outcomeOf(i)}`))})),
        to_jsonb(array_remove(array[${sql.join(SKILL_KEYS.map((_, i) => taskOf(i)))}], null)),
        case when x.vr % 10 < 3 then (${textArray(p.materials.length ? p.materials : [''])})[1 + x.vr % ${p.materials.length || 1}] end,
        x.visit_date + time '10:00', x.visit_date + time '10:00'
      from seed_v x`.execute(trx);
    // Anonymous visits (consent declined): one per 25 households of a team, activity only.
    const anon = await sql`insert into help_visit (team_id, household_id, member_id, visit_date, person, consent, outcomes, tasks, material, created_at, updated_at)
      select h.team_id, null, h.members[1 + (h.r / 5) % h.nm], ${p.today}::date - (h.r % 365), null, false,
        jsonb_build_object('tu-bao-ve', 'can-ho-tro'), '[]'::jsonb, null,
        ${p.today}::date - (h.r % 365) + time '15:00', ${p.today}::date - (h.r % 365) + time '15:00'
      from seed_hh h where h.g % 25 = 0`.execute(trx);
    await sql`insert into "user" (id, phone, display_name, role, password_hash, created_at)
      select l.user_id, '+8478' || lpad(l.n::text, 7, '0'), 'Người dân ' || l.n || ' (mẫu)', 'learner', null, l.visit_date + time '11:00'
      from seed_link l`.execute(trx);
    const ln = await sql`insert into household_link (household_id, visit_id, user_id, person_key, created_at)
      select l.household_id, l.visit_id, l.user_id, (${keys})[1 + l.pi], l.visit_date + time '11:00' from seed_link l`.execute(trx);
    // The commune's team counters and month counters, from the same drawn rows.
    await sql`insert into household_team_counter (team_id, households, consented, meeting_target, linked_citizens,
        cov_dich_vu_cong, cov_mua_sam, cov_thanh_toan, cov_tu_bao_ve, cov_nen_tang_dia_phuong, all_skills)
      select h.team_id, count(*), count(*) filter (where h.consent = 'given'), count(*) filter (where h.meets_target), sum(h.linked),
        count(*) filter (where h.covered_mask & 1 > 0), count(*) filter (where h.covered_mask & 2 > 0), count(*) filter (where h.covered_mask & 4 > 0),
        count(*) filter (where h.covered_mask & 8 > 0), count(*) filter (where h.covered_mask & 16 > 0), count(*) filter (where h.covered_mask = 31)
      from household h where h.team_id in (select distinct team_id from seed_hh) group by h.team_id
      on conflict (team_id) do update set households = excluded.households, consented = excluded.consented,
        meeting_target = excluded.meeting_target, linked_citizens = excluded.linked_citizens,
        cov_dich_vu_cong = excluded.cov_dich_vu_cong, cov_mua_sam = excluded.cov_mua_sam, cov_thanh_toan = excluded.cov_thanh_toan,
        cov_tu_bao_ve = excluded.cov_tu_bao_ve, cov_nen_tang_dia_phuong = excluded.cov_nen_tang_dia_phuong, all_skills = excluded.all_skills`.execute(trx);
    await sql`insert into help_month_counter (team_id, month, member_id, visits, anonymous)
      select v.team_id, date_trunc('month', v.visit_date)::date, coalesce(v.member_id, ${NIL_UUID}::uuid), count(*), count(*) filter (where v.household_id is null)
      from help_visit v where v.team_id in (select distinct team_id from seed_hh) group by 1, 2, 3
      on conflict (team_id, month, member_id) do update set visits = excluded.visits, anonymous = excluded.anonymous`.execute(trx);
    // The commune's help activity (per month, members' last months), from those month counters.
    await rebuildCommuneCounters(trx, [communeId]);
    return {
      households: Number(hh.numAffectedRows ?? 0),
      visits: Number(hv.numAffectedRows ?? 0) + Number(anon.numAffectedRows ?? 0),
      links: Number(ln.numAffectedRows ?? 0),
    };
  });
}

/** Sizes of the household tables with their indexes (pg_total_relation_size), and row counts. */
export async function householdSizes(db: Db) {
  const r = await sql<{ table: string; rows: number; bytes: number }>`
    select c.relname as table, c.reltuples::bigint::float8 as rows, pg_total_relation_size(c.oid)::float8 as bytes
    from pg_class c where c.relname in ('household', 'help_visit', 'household_team_counter', 'help_month_counter', 'help_commune_month', 'help_member_last', 'household_link')
      and c.relkind = 'r'
    order by c.relname`.execute(db);
  return r.rows;
}

/** Refreshes the planner's statistics of the household tables after a bulk load. */
export async function analyzeHouseholdTables(db: Db): Promise<void> {
  await sql`analyze household, help_visit, household_link, household_team_counter, help_month_counter, help_commune_month, help_member_last, "user"`.execute(db);
}
