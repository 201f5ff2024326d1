/**
 * `npm run db:seed -- --scale national|province`: the administrative tree from the registry, then
 * synthetic villages, teams, members and progress with set-based SQL, then one full recount.
 */
import type { Kysely } from 'kysely';
import { getCatalog } from '../content/catalog.ts';
import type { Database } from '../db/schema.ts';
import { hashPassword } from '../auth/password.ts';
import { recountAll } from './counters.ts';
import * as scale from './scale.repository.ts';
import { seedAdministrativeUnits } from './seed.ts';
import * as repo from './teams.repository.ts';
import { householdSizes, seedHouseholdsAtScale } from '../households/scale.ts';

export type Scale = 'national' | 'province';

/** The province with the most communes (the largest dashboard below the national one). */
export async function largestProvince(db: Kysely<Database>): Promise<repo.UnitRow> {
  const root = await seedAdministrativeUnits(db);
  let best: { unit: repo.UnitRow; n: number } | undefined;
  for (const p of await repo.childUnits(db, root)) {
    const n = (await repo.childUnits(db, p.id)).length;
    if (!best || n > best.n) best = { unit: p, n };
  }
  return best!.unit;
}

/**
 * `householdsPerTeam` overrides the households per team of the largest province (default: enough for
 * 2.6 million in all, or HOUSEHOLDS_PER_TEAM); 0 skips households.
 */
export async function seedScale(db: Kysely<Database>, which: Scale, log: (s: string) => void = console.log, opts: { householdsPerTeam?: number } = {}) {
  const t0 = Date.now();
  const step = (s: string) => log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${s}`);
  const rootId = await seedAdministrativeUnits(db);
  const root = (await repo.findUnit(db, rootId))!;
  const target = which === 'national' ? root : await largestProvince(db);
  step(`đơn vị gốc: ${target.name}`);
  step(`thôn, tổ dân phố mới: ${await scale.insertVillages(db, target.path)}`);
  step(`tổ mới: ${await scale.insertTeams(db)}`);
  step(`thành viên mới: ${await scale.insertMembers(db)}`);
  await scale.insertAssignments(
    db,
    rootId,
    { course: 'trinh-duyet-an-toan', edition: 'member', due: '2026-10-31' },
    { course: 'chan-loc-tin-rac', edition: 'member', due: '2026-12-31' },
  );
  const lessons = (slug: string) => getCatalog().bySlug.get(slug)?.editions.member?.lessons.map((l) => l.id) ?? [];
  // One argon2 hash for every synthetic activated account: no per-member hashing at this scale.
  const shared = await hashPassword(crypto.randomUUID());
  await scale.insertProgress(db, shared, [
    { course: 'trinh-duyet-an-toan', edition: 'member', lessons: lessons('trinh-duyet-an-toan'), share: 0.55 },
    { course: 'chan-loc-tin-rac', edition: 'member', lessons: lessons('chan-loc-tin-rac'), share: 0.3 },
  ]);
  step('đã thêm tiến độ học');
  await recountAll(db, { fix: true });
  step('đã đếm lại mọi bộ đếm');
  // Households and visits: the largest province in full (national scale too: disk is the limit;
  // README "Households at scale" extrapolates to the country from the measured sizes).
  const province = which === 'national' ? await largestProvince(db) : target;
  const teams = await scale.teamsUnder(db, province.path);
  const perTeam = opts.householdsPerTeam ?? (Number(process.env.HOUSEHOLDS_PER_TEAM) || Math.ceil(2_600_000 / Math.max(teams, 1)));
  if (perTeam > 0) {
    step(`hộ gia đình ở ${province.name}: ${perTeam} mỗi tổ (trung bình), ${teams} tổ; từng xã một`);
    const made = await seedHouseholdsAtScale(db, province.path, { perTeam, log });
    step(`hộ gia đình: ${made.households}, lượt hỗ trợ: ${made.visits}, liên kết: ${made.links} (${made.seconds.toFixed(0)} s)`);
    step(`kích thước: ${JSON.stringify(await householdSizes(db))}`);
  }
  await scale.analyze(db);
  const counts = await scale.countScale(db);
  step(`xong: ${JSON.stringify(counts)}`);
  return counts;
}
