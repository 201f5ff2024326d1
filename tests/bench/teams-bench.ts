/**
 * Officials' dashboards at scale: database time (the service call, in process) and full HTTP request
 * time, p50/p95, for the national, largest-province, commune and team views, plus the time to stream
 * the largest province's CSV export.
 *
 * BENCH_SCALE=province (default) or national chooses the seed (`db:seed -- --scale …`). To reuse a
 * database seeded once: BENCH_TEAMS_DATABASE_URL=postgres://… or BENCH_TEAMS_DATA_DIR=/path (PGlite).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openPglite, openPostgres, type DbHandle } from '../../src/server/db/connect.ts';
import { migrateToLatest } from '../../src/server/db/migrate.ts';
import { seedDemo } from '../../src/server/demo/seed.ts';
import { overdueList, teamDashboard, unitDashboard } from '../../src/server/teams/dashboard.ts';
import { largestProvince, seedScale, type Scale } from '../../src/server/teams/scale.ts';
import { unitTable } from '../../src/server/teams/tables.ts';
import * as repo from '../../src/server/teams/teams.repository.ts';
import { adminUrl, databaseUrl, randomName } from '../setup/pg-admin.ts';
import { Client, startServer } from '../setup/server.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS || 50);
const scale = (process.env.BENCH_SCALE || 'province') as Scale;
const pg = Boolean(process.env.DATABASE_URL);

let serverEnv: Record<string, string>;
let open: () => Promise<DbHandle>;
let cleanup = async () => {};
if (pg) {
  let url = process.env.BENCH_TEAMS_DATABASE_URL;
  if (!url) {
    const name = randomName('hocso_bench_teams');
    const admin = await openPostgres(adminUrl(process.env.DATABASE_URL!), 1);
    await sql.raw(`create database ${name}`).execute(admin.db);
    url = databaseUrl(process.env.DATABASE_URL!, name);
    cleanup = async () => {
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
      await admin.close();
    };
  }
  open = () => openPostgres(url!, 4);
  serverEnv = { DATABASE_URL: url };
} else {
  let dir = process.env.BENCH_TEAMS_DATA_DIR;
  if (!dir) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-bench-teams-'));
    const d = dir;
    cleanup = async () => fs.rmSync(d, { recursive: true, force: true });
  }
  open = () => openPglite({ dataDir: path.resolve(dir!, 'db') });
  serverEnv = { DATA_DIR: dir };
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
async function time(n: number, f: () => Promise<unknown>): Promise<number[]> {
  await f(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return out;
}

try {
  // 1. Seed (once) and measure database time in process.
  const handle = await open();
  const db = handle.db;
  await migrateToLatest(db);
  await seedDemo(db);
  const teams = Number((await sql<{ n: number }>`select count(*)::int as n from team where synthetic`.execute(db)).rows[0]!.n);
  if (teams < 1000) {
    const t = performance.now();
    await seedScale(db, scale, () => {}, { householdsPerTeam: 0 }); // households: households-bench.ts
    console.log(`seeded --scale ${scale} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const admin = (await repo.findUserByPhone(db, '+84912000099'))!;
  const viewer = { id: admin.id, role: 'admin' as const };
  const root = (await db.selectFrom('admin_unit').select('id').where('parent_id', 'is', null).executeTakeFirstOrThrow()).id;
  const province = await largestProvince(db);
  const commune = (await sql<{ id: number }>`select c.id from admin_unit c where c.parent_id = ${province.id}
    and exists (select 1 from admin_unit v join team t on t.unit_id = v.id where v.parent_id = c.id and t.synthetic) order by c.id limit 1`.execute(db)).rows[0]!.id;
  const team = (await sql<{ id: number }>`select t.id from team t join admin_unit v on v.id = t.unit_id where v.parent_id = ${commune} order by t.id limit 1`.execute(db)).rows[0]!.id;
  const unitView = (id: number) => async () => {
    const d = await unitDashboard(db, viewer, String(id), undefined);
    if (d.listOverdue) await overdueList(db, d.unit, undefined);
  };
  const views: [string, string, () => Promise<unknown>][] = [
    ['national', `/quan-ly/don-vi/${root}`, unitView(root)],
    [`province (${province.name})`, `/quan-ly/don-vi/${province.id}`, unitView(province.id)],
    ['commune', `/quan-ly/don-vi/${commune}`, unitView(commune)],
    ['team', `/quan-ly/to/${team}`, () => teamDashboard(db, viewer, String(team), undefined)],
  ];
  const members = (await repo.membersUnder(db, province.path)).length;
  const dbTimes = new Map<string, number[]>();
  for (const [name, , f] of views) dbTimes.set(name, await time(ROUNDS, f));
  const exportStart = performance.now();
  let rows = 0;
  for await (const _ of (await unitTable(db, viewer, String(province.id), 'thanh-vien', undefined)).rows) rows++;
  const exportDb = performance.now() - exportStart;
  await handle.close();

  // 2. The same views over HTTP on the built server.
  const server = await startServer({ ...serverEnv, SEED_DEMO: '0' });
  try {
    const c = new Client(server.url);
    await c.post('/dang-nhap', { phone: '0912000099', password: 'hoc-thu-2026', next: '/' });
    console.log(`\nOfficials' dashboards — ${pg ? 'Postgres' : 'PGlite'}, --scale ${scale} (${members.toLocaleString('en')} members in ${province.name}), ${ROUNDS} sequential requests per view`);
    console.log('view'.padEnd(36) + 'db p50'.padStart(9) + 'db p95'.padStart(9) + 'http p50'.padStart(10) + 'http p95'.padStart(10));
    for (const [name, p] of views) {
      const http = await time(ROUNDS, async () => {
        const r = await c.get(p);
        if (r.status !== 200) throw new Error(`${p} → ${r.status}`);
        await r.arrayBuffer();
      });
      const d = dbTimes.get(name)!;
      console.log(name.padEnd(36) + pct(d, 0.5).toFixed(1).padStart(9) + pct(d, 0.95).toFixed(1).padStart(9) + pct(http, 0.5).toFixed(1).padStart(10) + pct(http, 0.95).toFixed(1).padStart(10));
    }
    const t = performance.now();
    const r = await c.get(`/quan-ly/don-vi/${province.id}/xuat?bang=thanh-vien&dinh-dang=csv`);
    const bytes = (await r.arrayBuffer()).byteLength;
    console.log(`CSV export of ${province.name}: ${rows.toLocaleString('en')} rows, ${(bytes / 1024 / 1024).toFixed(1)} MB — db ${(exportDb / 1000).toFixed(2)} s, http ${((performance.now() - t) / 1000).toFixed(2)} s`);
  } finally {
    await server.stop();
  }
} finally {
  await cleanup();
}
