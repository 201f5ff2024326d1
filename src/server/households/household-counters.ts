/**
 * Household counters, kept in the same transaction as every visit, link, move, consent and course
 * evidence (README "Households and coverage"). Each household stores the coverage state it was last
 * counted with; a change recomputes that one household from its own raw rows (a few visits and links),
 * locks its row, and adds the difference to its team's counter row. Rows are per team, so concurrent
 * visits in different villages never wait on one another; units sum their teams' rows when read.
 * `npm run db:recount` recomputes everything from raw rows (`recountHouseholds`).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Skill } from '../../lib/content/schema.ts';
import { getCatalog } from '../content/catalog.ts';
import type { Database } from '../db/schema.ts';
import { contribution, difference, evidenceOf, householdCoverage, isZero, sum, type CounterVector, type HouseholdFacts, type HouseholdState } from './coverage.ts';
import * as repo from './households.repository.ts';
import { closeMonthIn } from './snapshots.ts';

type Trx = Transaction<Database>;
type Db = Kysely<Database> | Trx;

/** Skills of each course (from course.md `skills:`). */
function courseSkills(): Map<string, readonly Skill[]> {
  return new Map(getCatalog().courses.map((c) => [c.slug, c.skills ?? []]));
}

/** The raw facts of one household. */
export async function householdFacts(db: Db, householdId: string): Promise<HouseholdFacts> {
  const { visits, links } = await repo.householdRawFacts(db, householdId);
  const active = links.filter((l) => !l.undone).map((l) => l.user_id);
  const skillsOf = courseSkills();
  const learned = new Map<string, Skill[]>();
  for (const r of await repo.learnedCourses(db, active)) {
    const mine = learned.get(r.user_id) ?? [];
    for (const s of skillsOf.get(r.course_slug) ?? []) if (!mine.includes(s)) mine.push(s);
    learned.set(r.user_id, mine);
  }
  return {
    visits: visits.map((v) => ({ person: v.person, consent: v.consent, outcomes: v.outcomes as Record<string, string> })),
    links: links.map((l) => ({ userId: l.user_id, personKey: l.person_key, undone: l.undone })),
    learned,
  };
}

/** The state a household should be counted with, from its facts. */
export function stateFrom(consent: 'given' | 'not_asked', facts: HouseholdFacts): HouseholdState & { verifiedMask: number } {
  const c = householdCoverage(evidenceOf(facts));
  return { consented: consent === 'given', coveredMask: c.coveredMask, verifiedMask: c.verifiedMask, meetsTarget: c.meetsTarget, linked: facts.links.filter((l) => !l.undone).length };
}

type Stored = { consent: 'given' | 'not_asked'; covered_mask: number; verified_mask: number; meets_target: boolean; linked: number };

function storedState(h: Stored, consented = h.consent === 'given'): HouseholdState {
  return { consented, coveredMask: h.covered_mask, meetsTarget: h.meets_target, linked: h.linked };
}

/**
 * Recounts one household inside the transaction that changed its raw rows: locks it, recomputes its
 * coverage, stores the new state and moves its team's counters by the difference. `countedConsent`
 * is what the counters held for consent before this transaction changed it (when it did).
 */
export async function recountHousehold(trx: Trx, householdId: string, countedConsent?: boolean): Promise<void> {
  await closeMonthIn(trx);
  const h = await repo.lockHousehold(trx, householdId);
  if (!h) return;
  const r = await recomputeHousehold(trx, h, countedConsent);
  if (r.state) await repo.setHouseholdState(trx, householdId, r.state);
  if (r.diff) await repo.addTeamCounter(trx, h.team_id, r.diff);
}

/**
 * The recount of a household already locked (`h` as stored, with `consent` as it is now): its new
 * state when that differs from the stored one, and what its team's counters must add (null: nothing).
 * `countedConsent` is what the counters held for consent, when this transaction changed it.
 */
export async function recomputeHousehold(trx: Trx, h: repo.LockedHousehold, countedConsent?: boolean) {
  const after = stateFrom(h.consent, await householdFacts(trx, h.id));
  const d = difference(contribution(after), contribution(storedState(h, countedConsent)));
  const changed = after.coveredMask !== h.covered_mask || after.verifiedMask !== h.verified_mask || after.meetsTarget !== h.meets_target || after.linked !== h.linked;
  return {
    state: changed ? { covered_mask: after.coveredMask, verified_mask: after.verifiedMask, meets_target: after.meetsTarget, linked: after.linked } : null,
    diff: isZero(d) ? null : d,
  };
}

/** Counts a household just inserted (nothing recorded for it yet). */
export async function countNewHousehold(trx: Trx, teamId: number, consented: boolean): Promise<void> {
  await closeMonthIn(trx);
  await repo.addTeamCounter(trx, teamId, contribution({ consented, coveredMask: 0, meetsTarget: false, linked: 0 }));
}

/** Moves a household's whole contribution from one team to another (the household row already moved). */
export async function moveHouseholdCounters(trx: Trx, householdId: string, fromTeam: number, toTeam: number): Promise<void> {
  await closeMonthIn(trx);
  const h = await repo.lockHousehold(trx, householdId);
  if (!h || fromTeam === toTeam) return;
  const c = contribution(storedState(h));
  await repo.addTeamCounter(trx, fromTeam, difference(contribution(null), c));
  await repo.addTeamCounter(trx, toTeam, c);
}

/** Removes a household's contribution (before the row is deleted). */
export async function uncountHousehold(trx: Trx, householdId: string): Promise<void> {
  await closeMonthIn(trx);
  const h = await repo.lockHousehold(trx, householdId);
  if (h) await repo.addTeamCounter(trx, h.team_id, difference(contribution(null), contribution(storedState(h))));
}

/** The first day of the month of a YYYY-MM-DD date. */
export function monthOfDate(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** Counts (+1) or uncounts (−1) a visit in its team's month. */
export async function countVisit(trx: Trx, v: { teamId: number; date: string; memberId: string | null; anonymous: boolean }, sign: 1 | -1 = 1): Promise<void> {
  await closeMonthIn(trx);
  await repo.addMonthCounter(trx, v.teamId, monthOfDate(v.date), v.memberId, sign, v.anonymous ? sign : 0);
}

/**
 * Called by the learning rules when a learner passes a lesson check or completes a course (same
 * transaction): the household they are linked to, if any, may now have course-verified evidence.
 */
export async function countLearningEvidence(trx: Trx, userId: string): Promise<void> {
  for (const id of await repo.linkedHouseholdIds(trx, userId)) await recountHousehold(trx, id);
}

/** One counter that differs between what is stored and a fresh computation from raw rows. */
export interface HouseholdCounterDiff {
  table: string;
  key: string;
  stored: string;
  fresh: string;
}

/** Households read per batch by the recount (three statements per batch, whatever its size). */
const RECOUNT_BATCH = 2000;

/** The facts of a batch of households, read with one statement per table. */
async function batchFacts(db: Db, ids: string[]): Promise<Map<string, HouseholdFacts>> {
  const [visits, links] = await Promise.all([repo.visitFactsOf(db, ids), repo.linkFactsOf(db, ids)]);
  const facts = new Map<string, HouseholdFacts>(ids.map((id) => [id, { visits: [], links: [], learned: new Map() }]));
  for (const v of visits) facts.get(v.household_id!)?.visits.push({ person: v.person, consent: v.consent, outcomes: v.outcomes as Record<string, string> });
  for (const l of links) facts.get(l.household_id)?.links.push({ userId: l.user_id, personKey: l.person_key, undone: l.undone_at !== null });
  const active = [...new Set(links.filter((l) => !l.undone_at).map((l) => l.user_id))];
  if (active.length) {
    const skillsOf = courseSkills();
    const learned = new Map<string, Skill[]>();
    for (const r of await repo.learnedCourses(db, active)) {
      const mine = learned.get(r.user_id) ?? [];
      for (const s of skillsOf.get(r.course_slug) ?? []) if (!mine.includes(s)) mine.push(s);
      learned.set(r.user_id, mine);
    }
    for (const f of facts.values()) for (const l of f.links) if (learned.has(l.userId)) f.learned.set(l.userId, learned.get(l.userId)!);
  }
  return facts;
}

/**
 * Recomputes every household's state and every household counter from raw rows; returns the
 * differences found (and, with `fix`, writes the fresh values). Households are read in keyset
 * batches with one statement per table per batch (never one household at a time), judged by the
 * same pure coverage rules as every write, and fixed with one statement per batch.
 */
export async function recountHouseholds(db: Kysely<Database>, opts: { fix: boolean; batch?: number }): Promise<HouseholdCounterDiff[]> {
  return db.transaction().execute(async (trx) => {
    const diffs: HouseholdCounterDiff[] = [];
    const perTeam = new Map<number, CounterVector>();
    let after: string | null = null;
    for (;;) {
      const page = await repo.householdPage(trx, after, opts.batch ?? RECOUNT_BATCH);
      if (!page.length) break;
      after = page.at(-1)!.id;
      const facts = await batchFacts(trx, page.map((h) => h.id));
      const fixes: { id: string; covered_mask: number; verified_mask: number; meets_target: boolean; linked: number }[] = [];
      for (const h of page) {
        const fresh = stateFrom(h.consent, facts.get(h.id)!);
        const stored = { covered_mask: h.covered_mask, verified_mask: h.verified_mask, meets_target: h.meets_target, linked: h.linked };
        const want = { covered_mask: fresh.coveredMask, verified_mask: fresh.verifiedMask, meets_target: fresh.meetsTarget, linked: fresh.linked };
        if (JSON.stringify(stored) !== JSON.stringify(want)) {
          diffs.push({ table: 'household', key: h.id, stored: JSON.stringify(stored), fresh: JSON.stringify(want) });
          fixes.push({ id: h.id, ...want });
        }
        perTeam.set(h.team_id, sum([perTeam.get(h.team_id) ?? sum([]), contribution(fresh)]));
      }
      if (opts.fix) await repo.setHouseholdStates(trx, fixes);
    }
    const freshTeams = [...perTeam.entries()].map(([team_id, v]) => ({ team_id, ...v }));
    const storedTeams = new Map((await repo.storedTeamCounters(trx)).map((r) => [r.team_id, r]));
    const zero = sum([]);
    for (const f of freshTeams) {
      const s = storedTeams.get(f.team_id);
      storedTeams.delete(f.team_id);
      const { team_id: _t, ...sv } = s ?? { team_id: f.team_id, ...zero };
      const { team_id: _f, ...fv } = f;
      if (!isZero(difference(fv, sv))) diffs.push({ table: 'household_team_counter', key: `team ${f.team_id}`, stored: JSON.stringify(sv), fresh: JSON.stringify(fv) });
    }
    for (const [teamId, s] of storedTeams) {
      const { team_id: _t, ...sv } = s;
      if (!isZero(sv)) diffs.push({ table: 'household_team_counter', key: `team ${teamId}`, stored: JSON.stringify(sv), fresh: JSON.stringify(zero) });
    }
    const freshMonths = await repo.freshMonthCounters(trx);
    const k = (r: { team_id: number; month: string; member_id: string }) => `team ${r.team_id} ${r.month} ${r.member_id}`;
    const storedMonths = new Map((await repo.storedMonthCounters(trx)).map((r) => [k(r), r]));
    for (const f of freshMonths) {
      const s = storedMonths.get(k(f));
      storedMonths.delete(k(f));
      if (!s || s.visits !== f.visits || s.anonymous !== f.anonymous) {
        diffs.push({ table: 'help_month_counter', key: k(f), stored: s ? `${s.visits}/${s.anonymous}` : '0/0', fresh: `${f.visits}/${f.anonymous}` });
      }
    }
    for (const [key, s] of storedMonths) if (s.visits || s.anonymous) diffs.push({ table: 'help_month_counter', key, stored: `${s.visits}/${s.anonymous}`, fresh: '0/0' });
    // The commune household counters: the sum of their teams' fresh vectors.
    const cc = await repo.communeCounters(trx);
    const perCommune = new Map<number, CounterVector>();
    for (const f of freshTeams) {
      const c = cc.teamCommune.get(f.team_id);
      if (c === undefined) continue;
      const { team_id: _t, ...fv } = f;
      perCommune.set(c, sum([perCommune.get(c) ?? zero, fv]));
    }
    for (const s of cc.stored) {
      const { commune_id, ...sv } = s;
      const f = perCommune.get(commune_id) ?? zero;
      perCommune.delete(commune_id);
      if (!isZero(difference(f, sv))) diffs.push({ table: 'household_commune_counter', key: `commune ${commune_id}`, stored: JSON.stringify(sv), fresh: JSON.stringify(f) });
    }
    for (const [c, f] of perCommune) if (!isZero(f)) diffs.push({ table: 'household_commune_counter', key: `commune ${c}`, stored: JSON.stringify(zero), fresh: JSON.stringify(f) });
    // Help activity per commune and month, and each member's last month, from the raw visits.
    const act = await repo.communeActivity(trx);
    const compare = (table: string, stored: { key: string; v: string }[], fresh: { key: string; v: string }[], none: string) => {
      const s = new Map(stored.map((r) => [r.key, r.v]));
      for (const f of fresh) {
        if (s.get(f.key) !== f.v) diffs.push({ table, key: f.key, stored: s.get(f.key) ?? none, fresh: f.v });
        s.delete(f.key);
      }
      for (const [key, v] of s) diffs.push({ table, key, stored: v, fresh: none });
    };
    compare('help_commune_month', act.stored, act.fresh, '0/0/0/0');
    compare('help_member_last', act.lastStored, act.lastFresh, '—');
    if (opts.fix && diffs.some((d) => d.table !== 'household')) {
      await repo.replaceTeamCounters(trx, freshTeams);
      await repo.replaceMonthCounters(trx, freshMonths);
      await repo.rebuildCommuneCounters(trx, null);
    }
    return diffs;
  });
}
