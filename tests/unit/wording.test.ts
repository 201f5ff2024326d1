/** Wording that once said something else than it meant (issue 14, item 10). */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../src/server/content/catalog.ts';

const read = (p: string) => fs.readFileSync(p, 'utf8');

describe('wording', () => {
  it('a handout title that counts its points counts them right', () => {
    const counted = getCatalog().courses.filter((c) => c.handout && /\b\d+ (điều|bước)\b/.test(c.handout.title));
    expect(counted.length).toBeGreaterThan(0);
    for (const c of counted) expect(Number(c.handout!.title.match(/\b(\d+) (điều|bước)\b/)![1]), c.slug).toBe(c.handout!.steps.length);
  });

  it('the navigation names the schedule as its page does', () => {
    expect(read('src/layouts/Base.astro')).toContain('<a href="/lich">Lịch chuyên đề</a>');
    expect(read('src/pages/lich/index.astro')).toContain('Lịch chuyên đề năm');
  });

  it('says plain text, not lowercase; “trực thuộc”, not “tạo dưới”; a committed import is not a preview', () => {
    const pages = ['src/pages/lich/[month]/index.astro', 'src/pages/quan-ly/nhap/[import]/index.astro', 'src/pages/quan-ly/don-vi/[unit]/index.astro'].map(read).join('\n');
    expect(pages).not.toContain('chỉ chữ thường');
    expect(pages).toContain('chỉ văn bản thường (không định dạng)');
    expect(pages).not.toContain('tạo dưới');
    expect(read('src/pages/quan-ly/nhap/[import]/index.astro')).toContain("committed ? 'Đã nhập danh sách' : 'Xem trước danh sách'");
  });
});
