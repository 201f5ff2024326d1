/**
 * Households, help visits and links at scale (`db:seed -- --scale …`): the synthetic teams under a
 * path are filled commune by commune, one transaction each (scale.repository.ts), with progress
 * printed, so a stopped run keeps what it committed and a second run fills only what is missing.
 * Every commit writes the commune's counters from the same rows: a recount finds zero differences.
 */
import type { Kysely } from 'kysely';
import { SKILLS } from '../../lib/content/schema.ts';
import { getCatalog } from '../content/catalog.ts';
import { getHelpTasks } from '../content/help-tasks.ts';
import type { Database } from '../db/schema.ts';
import { todayVn } from './fields.ts';
import * as repo from './scale.repository.ts';

export interface HouseholdsAtScale {
  communes: number;
  households: number;
  visits: number;
  links: number;
  seconds: number;
}

/**
 * Fills every commune under `prefix`: `perTeam` households per team on average, one citizen's
 * account linked per `linkEvery` households with visits (200 by default).
 */
export async function seedHouseholdsAtScale(
  db: Kysely<Database>,
  prefix: string,
  opts: { perTeam: number; linkEvery?: number; log?: (s: string) => void; now?: Date },
): Promise<HouseholdsAtScale> {
  const { perTeam, log = () => {}, now = new Date() } = opts;
  const t0 = Date.now();
  const tasks = getHelpTasks().tasks;
  const params: repo.CommuneSeed = {
    perTeam,
    today: todayVn(now),
    tasksBySkill: SKILLS.map((s) => tasks.filter((t) => t.skill === s).map((t) => t.id)),
    materials: getCatalog().courses.filter((c) => (c.skills ?? []).length > 0).map((c) => c.slug),
    linkEvery: opts.linkEvery ?? 200,
  };
  const communes = await repo.communesUnder(db, prefix);
  const total = { communes: communes.length, households: 0, visits: 0, links: 0, seconds: 0 };
  let lastLog = 0;
  for (const [i, c] of communes.entries()) {
    const made = await repo.insertCommuneHouseholds(db, c.id, params);
    total.households += made.households;
    total.visits += made.visits;
    total.links += made.links;
    if (Date.now() - lastLog > 10_000 || i === communes.length - 1) {
      lastLog = Date.now();
      const s = (Date.now() - t0) / 1000;
      log(`  xã ${i + 1}/${communes.length}: ${total.households.toLocaleString('vi')} hộ, ${total.visits.toLocaleString('vi')} lượt hỗ trợ, ${total.links.toLocaleString('vi')} liên kết (${s.toFixed(0)} s)`);
    }
  }
  await repo.analyzeHouseholdTables(db);
  total.seconds = (Date.now() - t0) / 1000;
  return total;
}

export { householdSizes } from './scale.repository.ts';
