/** A team's household list: search by label without tones or đ, removal requests first, pages of 50. */
import { describe, expect, it } from 'vitest';
import { foldLabel, householdPage, HOUSEHOLDS_PER_PAGE } from '../../src/server/households/households.ts';

const h = (label: string, removalRequested = false) => ({ label, removalRequested });

describe('household list', () => {
  it('folds tones, đ, case and spaces', () => {
    expect(foldLabel('  Hộ bác  Tư, ĐỒNG Xuân ')).toBe('ho bac tu, dong xuan');
    expect(foldLabel('Hộ ông Đức')).toContain('duc');
  });

  it('finds "bac tu" in "Hộ bác Tư", keeps the order, and puts removal requests first', () => {
    const all = [h('Hộ bác Tư, ngõ 3'), h('Hộ chị Hoa'), h('Hộ bà Tư', true), h('Hộ anh Đức')];
    expect(householdPage(all, 'bac tu', 1).items.map((x) => x.label)).toEqual(['Hộ bác Tư, ngõ 3']);
    expect(householdPage(all, 'tư', 1).items.map((x) => x.label)).toEqual(['Hộ bà Tư', 'Hộ bác Tư, ngõ 3']);
    expect(householdPage(all, 'duc', 1).matching).toBe(1);
    expect(householdPage(all, '', 1).items[0]!.label).toBe('Hộ bà Tư');
    expect(householdPage(all, 'không có', 1)).toMatchObject({ matching: 0, total: 4, pages: 1, page: 1 });
  });

  it('pages of 50; a page number out of range shows the nearest page', () => {
    const all = Array.from({ length: 120 }, (_, i) => h(`Hộ số ${String(i + 1).padStart(3, '0')}`));
    const p2 = householdPage(all, '', 2);
    expect(p2).toMatchObject({ page: 2, pages: 3, matching: 120 });
    expect(p2.items).toHaveLength(HOUSEHOLDS_PER_PAGE);
    expect(p2.items[0]!.label).toBe('Hộ số 051');
    expect(householdPage(all, '', 99)).toMatchObject({ page: 3 });
    expect(householdPage(all, '', 99).items).toHaveLength(20);
    expect(householdPage(all, '', 0).page).toBe(1);
  });
});
