/** The catalogue's learner tools: search with folded diacritics, listening, printable handouts, filters. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { paths } from '../../src/lib/editions.ts';
import { getCatalog } from '../../src/server/content/catalog.ts';
import { COURSE, course } from './helpers.ts';

test.describe('search', () => {
  for (const [query, needle] of [
    ['duong', 'đường'],
    ['thanh toan', 'thanh toán'],
  ] as const) {
    test(`"${query}" finds lessons containing "${needle}"`, async ({ page }) => {
      await page.goto('/tim-kiem');
      await page.getByLabel(/Từ cần tìm/).fill(query);
      await page.getByRole('button', { name: 'Tìm' }).click();
      // The first search fetches Pagefind's wasm and index: allow for a slow phone or a busy machine.
      await expect(page.getByRole('status')).toHaveText(/Tìm thấy \d+ bài học/, { timeout: 30_000 });
      const first = page.locator('#ket-qua a').first();
      const href = await first.getAttribute('href');
      await page.goto(href!);
      await expect(page.locator('article')).toContainText(needle, { ignoreCase: true });
    });
  }

  test('lesson pages load nothing of the search', async ({ page }) => {
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(paths.lesson(COURSE, 'citizen', course().editions.citizen!.lessons[0]!.id));
    expect(requests.filter((u) => u.includes('pagefind'))).toEqual([]);
  });
});

test.describe('listening', () => {
  const stub = (withVietnamese: boolean) => {
    const voices = withVietnamese ? [{ lang: 'en-US', name: 'English' }, { lang: 'vi-VN', name: 'Tiếng Việt' }] : [{ lang: 'en-US', name: 'English' }];
    const spoken: { text: string; lang: string }[] = [];
    (window as unknown as { __spoken: typeof spoken }).__spoken = spoken;
    Object.defineProperty(window, 'speechSynthesis', {
      configurable: true,
      value: { getVoices: () => voices, speak: (u: { text: string; lang: string }) => spoken.push({ text: u.text, lang: u.lang }), cancel() {}, addEventListener() {} },
    });
    (window as unknown as { SpeechSynthesisUtterance: unknown }).SpeechSynthesisUtterance = class {
      text: string;
      lang = '';
      constructor(t: string) {
        this.text = t;
      }
    };
  };
  const lesson = () => course().editions.citizen!.lessons[0]!;

  test('reads the lesson aloud in Vietnamese where a vi-VN voice exists', async ({ page }) => {
    await page.addInitScript(stub, true);
    await page.goto(paths.lesson(COURSE, 'citizen', lesson().id));
    const button = page.getByRole('button', { name: 'Nghe bài học' });
    await expect(button).toBeVisible();
    await button.click();
    await expect(page.getByRole('button', { name: 'Dừng đọc' })).toBeVisible();
    const spoken = await page.evaluate(() => (window as unknown as { __spoken: { text: string; lang: string }[] }).__spoken);
    expect(spoken).toHaveLength(1);
    expect(spoken[0]!.lang).toBe('vi-VN');
    expect(spoken[0]!.text).toContain(lesson().title);
  });

  test('is not shown without a Vietnamese voice', async ({ page }) => {
    await page.addInitScript(stub, false);
    await page.goto(paths.lesson(COURSE, 'citizen', lesson().id));
    await expect(page.locator('#nghe')).toBeHidden();
  });
});

test.describe('printable handouts', () => {
  const courses = getCatalog().courses.filter((c) => c.handout);
  test('every member edition with a kit has one', () => {
    expect(courses.length).toBe(12);
  });
  for (const c of courses) {
    test(`${c.slug}: prints to exactly one A4 page with a QR code to the citizen lesson`, async ({ page, baseURL }) => {
      await page.goto(`${paths.course(c.slug, 'member')}/phieu-phat-tay`);
      await expect(page.getByRole('heading', { level: 1, name: c.handout!.title })).toBeVisible();
      await expect(page.getByRole('img', { name: /Mã QR/ }).locator('svg')).toBeVisible();
      await expect(page.locator('.handout .url')).toHaveText(`${baseURL}${paths.lesson(c.slug, 'citizen', c.handout!.lesson)}`);
      await page.emulateMedia({ media: 'print' });
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-handout-')), `${c.slug}.pdf`);
      await page.pdf({ path: file, format: 'A4', preferCSSPageSize: true, printBackground: true });
      const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
      expect(info).toMatch(/^Pages:\s+1$/m);
      expect(info).toMatch(/Page size:\s+[\d.]+ x [\d.]+ pts \(A4\)/);
    });
  }
});

test('the catalogue filters by skill and edition without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/khoa-hoc');
  await page.getByRole('navigation', { name: 'Lọc theo kỹ năng' }).getByRole('link', { name: 'Thanh toán trực tuyến' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Thanh toán trực tuyến' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Sử dụng trình duyệt an toàn' })).toHaveCount(0);
  await page.getByRole('navigation', { name: 'Lọc theo phiên bản' }).getByRole('link', { name: 'Cán bộ xã, phường' }).click();
  await expect(page).toHaveURL(/ky-nang=thanh-toan&phien-ban=can-bo/);
  await expect(page.getByRole('heading', { level: 2, name: 'Phát triển Tổ công nghệ số cộng đồng' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Thanh toán trực tuyến' })).toHaveCount(0);
  await page.goto('/khoa-hoc?ky-nang=mua-sam&phien-ban=nguoi-dan');
  await expect(page.locator('main li.card')).toHaveCount(1); // only Mua sắm trực tuyến is tagged mua-sam with a citizen edition
  await page.goto('/khoa-hoc?ky-nang=khong-co&phien-ban=ai-do');
  await expect(page.locator('main li.card')).toHaveCount(13); // unknown filters are ignored
  await context.close();
});
