/** The command-line tools on a real embedded database: admin:create and db:recount. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openPglite } from '../../src/server/db/connect.ts';
import { corruptMemberCounter } from '../../src/server/teams/counters.repository.ts';
import { DEMO_TEAMS } from '../../src/server/teams/seed.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
// Always an embedded folder here, whatever the suite's database: the tools must work on both.
const env = { ...process.env, DATA_DIR: dir, DATABASE_URL: '', SEED_DEMO: '1' };
const run = (script: string, args: string[] = []) => spawnSync(process.execPath, [script, ...args], { env, encoding: 'utf8' });

it('admin:create makes an admin, idempotently, and refuses bad input', () => {
  const args = ['--phone', '0915 999 000', '--name', 'Quản Trị Thử', '--password', 'một câu dài dễ nhớ 2026'];
  for (let i = 0; i < 2; i++) {
    const r = run('src/cli/admin-create.ts', args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('+84915999000');
  }
  const bad = run('src/cli/admin-create.ts', ['--phone', '123', '--password', 'x']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/Số điện thoại/);
}, 120_000);

it('db:recount finds nothing on a consistent database and reports a corrupted counter', async () => {
  expect(run('src/cli/seed.ts').status).toBe(0);
  const ok = run('src/cli/recount.ts', ['--check']);
  expect(ok.stdout).toContain('0 sai lệch');
  expect(ok.status).toBe(0);

  const h = await openPglite({ dataDir: path.join(dir, 'db') });
  const unit = (await h.db.selectFrom('admin_unit').select('id').where('stat_code', '=', DEMO_TEAMS.communeA).executeTakeFirstOrThrow()).id;
  await h.db.transaction().execute((trx) => corruptMemberCounter(trx, unit, 3));
  await h.close();

  const bad = run('src/cli/recount.ts');
  expect(bad.status).toBe(3);
  expect(bad.stdout).toMatch(new RegExp(`unit_member_counter\\s+đơn vị ${unit}\\s+members`));
  expect(bad.stdout).toContain('đã sửa');
  expect(run('src/cli/recount.ts', ['--check']).status).toBe(0);
}, 180_000);

it('`npm run --silent db:stats -- --json` prints one JSON object; the demo data has households, visits and one linked citizen in Phường Ba Đình', async () => {
  expect(run('src/cli/seed.ts').status).toBe(0);
  const r = spawnSync('npm', ['run', '--silent', 'db:stats', '--', '--json'], { env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const s = JSON.parse(lines[0]!);
  expect(Object.keys(s).sort()).toEqual(['helpVisits', 'households', 'householdsMeetingTarget', 'linkedCitizens']);
  expect(s.households).toBeGreaterThanOrEqual(3);
  expect(s.helpVisits).toBeGreaterThanOrEqual(7);
  expect(s.linkedCitizens).toBe(1);
  expect(s.householdsMeetingTarget).toBeGreaterThanOrEqual(1);
  // The numbers are the raw rows', and they sit in Phường Ba Đình.
  const h = await openPglite({ dataDir: path.join(dir, 'db') });
  try {
    const rows = await h.db
      .selectFrom('household as hh')
      .innerJoin('team as t', 't.id', 'hh.team_id')
      .innerJoin('admin_unit as v', 'v.id', 't.unit_id')
      .innerJoin('admin_unit as c', 'c.id', 'v.parent_id')
      .select(['c.name as commune'])
      .execute();
    expect(rows).toHaveLength(s.households);
    expect(new Set(rows.map((x) => x.commune))).toEqual(new Set(['Phường Ba Đình']));
    const visits = await h.db.selectFrom('help_visit').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(visits.n)).toBe(s.helpVisits);
  } finally {
    await h.close();
  }
}, 180_000);
