/**
 * Coverage of the national target, defined once (pure functions; README "Households and coverage"):
 * - evidence: a person of the household did a skill alone while a member watched ("tự làm được",
 *   member-reported, from a visit the household consented to), or a citizen linked to the household
 *   passed a lesson check or completed a course tagged with the skill (course-verified, stronger);
 * - a household is covered for a skill when at least one of its people has evidence for it;
 * - a household meets the national target when one person has all five skills;
 * - "all five skills" also counts households where the five come from different people.
 * Anonymous visits (consent declined) and undone links give no evidence. Persons are matched by
 * their folded name within the household; a linked account joins the person of the visit it confirmed.
 */
import { SKILLS, type Skill } from '../../lib/content/schema.ts';

export type EvidenceSource = 'member' | 'course';

export interface Evidence {
  /** The person within the household (see `personKey`). */
  person: string;
  skill: Skill;
  source: EvidenceSource;
}

export interface Coverage {
  /** The strongest evidence per skill (course-verified beats member-reported), or null. */
  skills: Record<Skill, EvidenceSource | null>;
  /** Bit i set when skill SKILLS[i] is covered. */
  coveredMask: number;
  /** Bit i set when skill SKILLS[i] is course-verified. */
  verifiedMask: number;
  /** One person has all five skills. */
  meetsTarget: boolean;
  /** All five skills are covered, possibly by different people. */
  allSkills: boolean;
}

export const ALL_SKILLS_MASK = (1 << SKILLS.length) - 1;

export function skillBit(skill: Skill): number {
  return 1 << SKILLS.indexOf(skill);
}

/** The skills of a mask, in SKILLS order. */
export function skillsOfMask(mask: number): Skill[] {
  return SKILLS.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** The key of a person within a household: NFC, lower case, single spaces ("Bà  Tư" = "bà tư"). */
export function personKey(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();
}

/** Coverage of one household from its evidence. */
export function householdCoverage(evidence: readonly Evidence[]): Coverage {
  const skills = Object.fromEntries(SKILLS.map((s) => [s, null])) as Record<Skill, EvidenceSource | null>;
  const perPerson = new Map<string, number>();
  let coveredMask = 0;
  let verifiedMask = 0;
  for (const e of evidence) {
    const bit = skillBit(e.skill);
    coveredMask |= bit;
    if (e.source === 'course') {
      verifiedMask |= bit;
      skills[e.skill] = 'course';
    } else skills[e.skill] ??= 'member';
    perPerson.set(e.person, (perPerson.get(e.person) ?? 0) | bit);
  }
  const meetsTarget = [...perPerson.values()].some((m) => m === ALL_SKILLS_MASK);
  return { skills, coveredMask, verifiedMask, meetsTarget, allSkills: coveredMask === ALL_SKILLS_MASK };
}

/** What a household's raw rows say, as the coverage rules read them. */
export interface HouseholdFacts {
  /** Visits recorded for the household (anonymous visits never have a household). */
  visits: { person: string | null; consent: boolean; outcomes: Record<string, string> }[];
  /** Links of citizens' accounts; undone ones carry `undone: true`. */
  links: { userId: string; personKey: string; undone: boolean }[];
  /** Skills each linked citizen has passed a lesson check or completed a course in. */
  learned: Map<string, readonly Skill[]>;
}

const isSkill = (s: string): s is Skill => (SKILLS as readonly string[]).includes(s);

/** The evidence in a household's facts. */
export function evidenceOf(f: HouseholdFacts): Evidence[] {
  const out: Evidence[] = [];
  for (const v of f.visits) {
    if (!v.consent || !v.person) continue;
    for (const [skill, outcome] of Object.entries(v.outcomes)) {
      if (outcome === 'tu-lam' && isSkill(skill)) out.push({ person: personKey(v.person), skill, source: 'member' });
    }
  }
  for (const l of f.links) {
    if (l.undone) continue;
    for (const skill of f.learned.get(l.userId) ?? []) out.push({ person: l.personKey, skill, source: 'course' });
  }
  return out;
}

/** The part of the team counters one household makes up. */
export interface HouseholdState {
  consented: boolean;
  coveredMask: number;
  meetsTarget: boolean;
  /** Active links (citizens' accounts). */
  linked: number;
}

/** Team counter columns, as numbers to add. */
export interface CounterVector {
  households: number;
  consented: number;
  meeting_target: number;
  linked_citizens: number;
  cov_dich_vu_cong: number;
  cov_mua_sam: number;
  cov_thanh_toan: number;
  cov_tu_bao_ve: number;
  cov_nen_tang_dia_phuong: number;
  all_skills: number;
}

/** Counter column of each skill. */
export const SKILL_COLUMN: Record<Skill, keyof CounterVector> = {
  'dich-vu-cong': 'cov_dich_vu_cong',
  'mua-sam': 'cov_mua_sam',
  'thanh-toan': 'cov_thanh_toan',
  'tu-bao-ve': 'cov_tu_bao_ve',
  'nen-tang-dia-phuong': 'cov_nen_tang_dia_phuong',
};

export function zeroVector(): CounterVector {
  return { households: 0, consented: 0, meeting_target: 0, linked_citizens: 0, cov_dich_vu_cong: 0, cov_mua_sam: 0, cov_thanh_toan: 0, cov_tu_bao_ve: 0, cov_nen_tang_dia_phuong: 0, all_skills: 0 };
}

/** What one household adds to its team's counters (null: the household does not exist). */
export function contribution(s: HouseholdState | null): CounterVector {
  const v = zeroVector();
  if (!s) return v;
  v.households = 1;
  v.consented = s.consented ? 1 : 0;
  v.meeting_target = s.meetsTarget ? 1 : 0;
  v.linked_citizens = s.linked;
  for (const skill of skillsOfMask(s.coveredMask)) v[SKILL_COLUMN[skill]] = 1;
  v.all_skills = s.coveredMask === ALL_SKILLS_MASK ? 1 : 0;
  return v;
}

/** after − before, column by column. */
export function difference(after: CounterVector, before: CounterVector): CounterVector {
  const d = zeroVector();
  for (const k of Object.keys(d) as (keyof CounterVector)[]) d[k] = after[k] - before[k];
  return d;
}

export function isZero(v: CounterVector): boolean {
  return Object.values(v).every((n) => n === 0);
}

/** Sums vectors (a unit's numbers from its teams'). */
export function sum(vs: Iterable<CounterVector>): CounterVector {
  const out = zeroVector();
  for (const v of vs) for (const k of Object.keys(out) as (keyof CounterVector)[]) out[k] += v[k];
  return out;
}

/** Rounded percent, 0 when there is nothing to divide by. */
export function percent(n: number, d: number): number {
  return d > 0 ? Math.round((n * 100) / d) : 0;
}
