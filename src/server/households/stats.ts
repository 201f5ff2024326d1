/** Totals for `npm run db:stats`: households, visits, linked citizens, households meeting the target. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import * as repo from './households.repository.ts';

export async function householdStats(db: Kysely<Database>) {
  const s = await repo.stats(db);
  return { households: s.households, helpVisits: s.help_visits, linkedCitizens: s.linked_citizens, householdsMeetingTarget: s.meeting_target };
}
