/**
 * Households at scale (Postgres, a database seeded once with `db:seed -- --scale province`):
 * database time p50/p95 of the coverage dashboard at national, province, commune, village and team
 * level, and of recording a visit with 50 members at once.
 *
 * BENCH_HOUSEHOLDS_DATABASE_URL=postgres://…/seeded node tests/bench/households-bench.ts
 * (not yet part of `npm run bench`, which seeds its own databases: see README).
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openPostgres } from '../../src/server/db/connect.ts';
import { coverageDashboard, teamCoverage } from '../../src/server/households/dashboard.ts';
import { recordVisit } from '../../src/server/households/visits.ts';
import { todayVn } from '../../src/server/households/fields.ts';
import { largestProvince } from '../../src/server/teams/scale.ts';

const url = process.env.BENCH_HOUSEHOLDS_DATABASE_URL;
if (!url) throw new Error('BENCH_HOUSEHOLDS_DATABASE_URL is required (a database seeded with db:seed -- --scale province)');
const ROUNDS = Number(process.env.BENCH_ROUNDS || 30);
const h = await openPostgres(url, 50);
const db = h.db;
const admin = { id: (await sql<{ id: string }>`select id from "user" where role = 'admin' limit 1`.execute(db)).rows[0]!.id, role: 'admin' as const };
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
async function time(name: string, fn: () => Promise<unknown>) {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  console.log(`${name.padEnd(34)} p50 ${pct(xs, 50).toFixed(1)} ms  p95 ${pct(xs, 95).toFixed(1)} ms`);
}
const root = (await sql<{ id: number }>`select id from admin_unit where parent_id is null`.execute(db)).rows[0]!.id;
const province = await largestProvince(db);
const commune = (await sql<{ id: number }>`select id from admin_unit where parent_id = ${province.id} order by id limit 1`.execute(db)).rows[0]!.id;
const village = (await sql<{ id: number; team: number }>`select au.id, t.id as team from admin_unit au join team t on t.unit_id = au.id where au.parent_id = ${commune} order by au.id limit 1`.execute(db)).rows[0]!;
await time('coverage: national', () => coverageDashboard(db, admin, String(root)));
await time(`coverage: province (${province.name})`, () => coverageDashboard(db, admin, String(province.id)));
await time('coverage: commune', () => coverageDashboard(db, admin, String(commune)));
await time('coverage: village', () => coverageDashboard(db, admin, String(village.id)));
await time('coverage: team (with its households)', () => teamCoverage(db, admin, village.team));

// 50 members of 50 teams record a visit each at once, 10 rounds.
const members = (await sql<{ user_id: string; household: string }>`
  select distinct on (tm.team_id) tm.user_id, h.id as household from team_member tm join household h on h.team_id = tm.team_id
  where tm.active order by tm.team_id, tm.user_id limit 50`.execute(db)).rows;
const xs: number[] = [];
for (let round = 0; round < 10; round++) {
  await Promise.all(
    members.map(async (m) => {
      const t = performance.now();
      await recordVisit(db, { id: m.user_id, role: 'member' }, { householdId: m.household, date: todayVn(), person: 'Người đo', outcomes: { 'mua-sam': 'tu-lam' }, tasks: [], material: null, clientKey: null });
      xs.push(performance.now() - t);
    }),
  );
}
console.log(`${'record a visit (50 at once)'.padEnd(34)} p50 ${pct(xs, 50).toFixed(1)} ms  p95 ${pct(xs, 95).toFixed(1)} ms  (${xs.length} visits)`);
await h.close();
