/** The coverage rules (src/server/households/coverage.ts): per skill, per person, undo and moves. */
import { describe, expect, it } from 'vitest';
import { contribution, difference, evidenceOf, householdCoverage, personKey, skillsOfMask, sum, type HouseholdFacts } from '../../src/server/households/coverage.ts';

const five = { 'dich-vu-cong': 'tu-lam', 'mua-sam': 'tu-lam', 'thanh-toan': 'tu-lam', 'tu-bao-ve': 'tu-lam', 'nen-tang-dia-phuong': 'tu-lam' };
const facts = (f: Partial<HouseholdFacts>): HouseholdFacts => ({ visits: [], links: [], learned: new Map(), ...f });
const cov = (f: Partial<HouseholdFacts>) => householdCoverage(evidenceOf(facts(f)));

describe('coverage', () => {
  it('one person with all five meets the target', () => {
    const c = cov({ visits: [{ person: 'Bà Tư', consent: true, outcomes: five }] });
    expect(c).toMatchObject({ meetsTarget: true, allSkills: true, verifiedMask: 0 });
  });
  it('five skills from different people cover each skill but do not meet the target', () => {
    const c = cov({ visits: [{ person: 'chị Hoa', consent: true, outcomes: { 'dich-vu-cong': 'tu-lam', 'mua-sam': 'tu-lam' } }, { person: 'anh Nam', consent: true, outcomes: { 'thanh-toan': 'tu-lam', 'tu-bao-ve': 'tu-lam', 'nen-tang-dia-phuong': 'tu-lam' } }] });
    expect(c).toMatchObject({ meetsTarget: false, allSkills: true });
  });
  it('"cần hỗ trợ thêm", declined consent and missing persons give no evidence', () => {
    const c = cov({ visits: [{ person: 'bà Tư', consent: true, outcomes: { 'mua-sam': 'can-ho-tro' } }, { person: null, consent: false, outcomes: five }] });
    expect(c.coveredMask).toBe(0);
  });
  it('persons match by folded name', () => {
    expect(personKey('  Bà   Tư ')).toBe(personKey('bà tư'));
    const c = cov({ visits: [{ person: 'Bà Tư', consent: true, outcomes: { 'dich-vu-cong': 'tu-lam', 'mua-sam': 'tu-lam' } }, { person: 'bà  tư', consent: true, outcomes: { 'thanh-toan': 'tu-lam', 'tu-bao-ve': 'tu-lam', 'nen-tang-dia-phuong': 'tu-lam' } }] });
    expect(c.meetsTarget).toBe(true);
  });
  it('course-verified evidence joins the linked person and beats member-reported; undo removes it', () => {
    const base = { visits: [{ person: 'anh Nam', consent: true, outcomes: { 'dich-vu-cong': 'tu-lam', 'mua-sam': 'tu-lam', 'tu-bao-ve': 'tu-lam', 'nen-tang-dia-phuong': 'tu-lam', 'thanh-toan': 'can-ho-tro' } }], learned: new Map([['u1', ['thanh-toan', 'mua-sam'] as const]]) };
    const linked = cov({ ...base, links: [{ userId: 'u1', personKey: personKey('anh Nam'), undone: false }] });
    expect(linked.meetsTarget).toBe(true);
    expect(linked.skills['mua-sam']).toBe('course');
    expect(skillsOfMask(linked.verifiedMask)).toEqual(['mua-sam', 'thanh-toan']);
    const undone = cov({ ...base, links: [{ userId: 'u1', personKey: personKey('anh Nam'), undone: true }] });
    expect(undone.meetsTarget).toBe(false);
    expect(undone.skills['mua-sam']).toBe('member');
    expect(undone.skills['thanh-toan']).toBeNull();
  });
  it('a move takes the whole contribution from one team to the other; the sum is unchanged', () => {
    const state = { consented: true, coveredMask: 31, meetsTarget: true, linked: 1 };
    const c = contribution(state);
    const fromTeam = difference(contribution(null), c);
    expect(sum([fromTeam, c])).toEqual(contribution(null));
    expect(c).toMatchObject({ households: 1, meeting_target: 1, all_skills: 1, linked_citizens: 1, cov_mua_sam: 1 });
  });
});
