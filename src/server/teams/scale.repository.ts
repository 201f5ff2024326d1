/**
 * Set-based SQL that fills a database at national scale: synthetic villages, one team each, 4–5
 * members per team (not yet activated: no password hashing), required courses, and partial progress.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database>;

/** Villages under every commune whose path starts with `prefix`: 20–25 each (~74,500 nationally). */
export async function insertVillages(db: Db, prefix: string): Promise<number> {
  const r = await sql`
    insert into admin_unit (id, parent_id, kind, name, stat_code, path, depth, synthetic)
    select s.id, s.parent_id, 'village', 'Thôn ' || s.g || ' (mẫu)', null, s.ppath || s.id || '/', s.depth + 1, true
    from (select nextval('admin_unit_id_seq')::int as id, c.id as parent_id, c.path as ppath, c.depth, g
          from admin_unit c cross join lateral generate_series(1, 20 + (c.id * 7) % 6) g
          where c.kind = 'commune' and c.path >= ${prefix} and c.path < ${prefix.slice(0, -1) + '0'}
            and not exists (select 1 from admin_unit v where v.parent_id = c.id and v.synthetic)) s`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export async function insertTeams(db: Db): Promise<number> {
  const r = await sql`
    insert into team (unit_id, name, synthetic)
    select v.id, 'Tổ CNSCĐ ' || v.name, true from admin_unit v
    where v.kind = 'village' and v.synthetic and not exists (select 1 from team t where t.unit_id = v.id)`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * 4 or 5 members per synthetic team without members (~4.7 on average, so ~350,000 nationally), with
 * synthetic names and numbers in the 07x range reserved here for synthetic data.
 */
export async function insertMembers(db: Db): Promise<number> {
  // One transaction with a temporary table dropped at commit: nothing outlives it on the server
  // connection, so this works through PgBouncer in transaction pooling mode.
  return db.transaction().execute(async (trx) => {
    await sql`create temp table seed_people (id uuid, team_id int, g int, n bigint) on commit drop`.execute(trx);
    await sql`
      insert into seed_people
      select gen_random_uuid(), t.id, g, (select count(*) from "user") + row_number() over (order by t.id, g)
      from team t cross join lateral generate_series(1, 4 + (case when t.id % 10 < 7 then 1 else 0 end)) g
      where t.synthetic and not exists (select 1 from team_member m where m.team_id = t.id)`.execute(trx);
    await sql`
      insert into "user" (id, phone, display_name, role, password_hash)
      select p.id, '+847' || lpad(p.n::text, 8, '0'),
        (array['Nguyễn','Trần','Lê','Phạm','Hoàng','Huỳnh','Phan','Vũ','Võ','Đặng','Bùi','Đỗ','Hồ','Ngô','Dương','Lý'])[1 + p.n % 16] || ' ' ||
        (array['Văn','Thị','Minh','Thu','Quang','Ngọc','Đức','Thanh'])[1 + (p.n / 16) % 8] || ' ' ||
        (array['An','Bình','Cường','Dung','Giang','Hà','Hải','Hạnh','Hùng','Lan','Long','Mai','Nam','Nga','Phúc','Quân','Sơn','Tâm','Thảo','Trang','Tuấn','Vân','Xuân','Yến'])[1 + (p.n / 128) % 24],
        case when p.g = 1 then 'leader' else 'member' end, null
      from seed_people p
      on conflict (phone) do nothing`.execute(trx);
    const r = await sql`
      insert into team_member (user_id, team_id, role, active)
      select p.id, p.team_id, case when p.g = 1 then 'leader' else 'member' end, true
      from seed_people p join "user" u on u.id = p.id`.execute(trx);
    return Number(r.numAffectedRows ?? 0);
  });
}

/** Required courses: one national, one for every other province, with past and future due dates. */
export async function insertAssignments(db: Db, rootId: number, national: { course: string; edition: string; due: string }, provincial: { course: string; edition: string; due: string }) {
  await sql`insert into course_assignment (unit_id, course_slug, edition, due_date)
    values (${rootId}, ${national.course}, ${national.edition}, ${national.due}::date)
    on conflict (unit_id, course_slug, edition) do nothing`.execute(db);
  await sql`insert into course_assignment (unit_id, course_slug, edition, due_date)
    select id, ${provincial.course}, ${provincial.edition}, ${provincial.due}::date from admin_unit where kind = 'province' and id % 2 = 0
    on conflict (unit_id, course_slug, edition) do nothing`.execute(db);
}

/**
 * Realistic partial progress for synthetic members: about 60% activated (one shared hash, computed
 * once), a share with some lessons, and completions spread over the last 12 weeks, each with the
 * passed quiz attempt the schema requires.
 */
export async function insertProgress(db: Db, sharedHash: string, courses: { course: string; edition: string; lessons: string[]; share: number }[]) {
  await sql`update "user" u set password_hash = ${sharedHash}
    from team_member m join team t on t.id = m.team_id
    where m.user_id = u.id and t.synthetic and u.password_hash is null and hashtext(u.id::text) % 10 between -5 and 5`.execute(db);
  for (const c of courses) {
    const cut = Math.round(c.share * 100);
    // Per course, one transaction with a temporary table dropped at commit (PgBouncer-safe, as above).
    await db.transaction().execute(async (trx) => {
      await sql`create temp table seed_done (user_id uuid, attempt uuid, at timestamptz) on commit drop`.execute(trx);
      await sql`insert into seed_done
        select u.id, gen_random_uuid(), now() - make_interval(mins => (abs(hashtext(u.id::text || ${c.course})) % (84 * 24 * 60)))
        from "user" u join team_member m on m.user_id = u.id join team t on t.id = m.team_id
        where t.synthetic and u.password_hash is not null and abs(hashtext(u.id::text || ${c.course})) % 100 < ${cut}
          and not exists (select 1 from course_completion cc where cc.user_id = u.id and cc.course_slug = ${c.course} and cc.edition = ${c.edition})`.execute(trx);
      await sql`insert into quiz_attempt (id, user_id, course_slug, edition, content_version, questions, answers, results, score, total, pass_mark, passed, started_at, submitted_at)
        select d.attempt, d.user_id, ${c.course}, ${c.edition}, 1, '[]'::jsonb, '{}'::jsonb, '[]'::jsonb, 5, 5, 80, true, d.at, d.at from seed_done d`.execute(trx);
      await sql`insert into course_completion (user_id, course_slug, edition, attempt_id, completed_at)
        select d.user_id, ${c.course}, ${c.edition}, d.attempt, d.at from seed_done d`.execute(trx);
      // Everyone who completed did every lesson; another share is part-way through.
      await sql`insert into lesson_progress (user_id, course_slug, lesson_id, edition, via, completed_at)
        select d.user_id, ${c.course}, l, ${c.edition}, 'manual', d.at from seed_done d cross join unnest(${sql.raw(`array[${c.lessons.map((l) => `'${l.replace(/'/g, "''")}'`).join(',')}]::text[]`)}) l
        on conflict do nothing`.execute(trx);
      await sql`insert into lesson_progress (user_id, course_slug, lesson_id, edition, via, completed_at)
        select u.id, ${c.course}, ${c.lessons[0] ?? ''}, ${c.edition}, 'manual', now() - interval '3 days'
        from "user" u join team_member m on m.user_id = u.id join team t on t.id = m.team_id
        where t.synthetic and u.password_hash is not null and abs(hashtext(u.id::text || ${c.course})) % 100 between ${cut} and ${cut + 15}
        on conflict do nothing`.execute(trx);
    });
  }
}

export async function analyze(db: Db): Promise<void> {
  await sql`analyze`.execute(db);
}

/** Teams under a path. */
export async function teamsUnder(db: Db, prefix: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from team t join admin_unit au on au.id = t.unit_id
    where au.path >= ${prefix} and au.path < ${prefix.slice(0, -1) + '0'}`.execute(db);
  return r.rows[0]!.n;
}

export async function countScale(db: Db) {
  const r = await sql<{ provinces: number; communes: number; villages: number; teams: number; members: number; completions: number }>`
    select (select count(*) from admin_unit where kind = 'province')::int as provinces,
      (select count(*) from admin_unit where kind = 'commune')::int as communes,
      (select count(*) from admin_unit where kind = 'village')::int as villages,
      (select count(*) from team)::int as teams,
      (select count(*) from team_member where active)::int as members,
      (select count(*) from course_completion)::int as completions`.execute(db);
  return r.rows[0]!;
}
