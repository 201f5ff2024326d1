/**
 * Issue 13 in the browser: 360 px phones (header height, lesson tables that never split a word,
 * message times on one line, question text inside its card, certificate codes on one line) and the
 * JavaScript parts (tapping ordering steps, the answered count, final-quiz choices kept across a
 * reload, "Sao chép liên kết" with and without the clipboard API).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { paths } from '../../src/lib/editions.ts';
import type { Edition } from '../../src/lib/content/schema.ts';
import { getCatalog } from '../../src/server/content/catalog.ts';
import { answerAllCorrectly, COURSE, course, signIn, test } from './helpers.ts';

const PHONE = { width: 360, height: 780 };
test.use({ viewport: PHONE });

/** Lesson pages whose source has a table or a simulated message, grouped by course. */
function layoutLessons(): Map<string, string[]> {
  const byCourse = new Map<string, string[]>();
  for (const c of getCatalog().courses) {
    for (const [e, ed] of Object.entries(c.editions) as [Edition, NonNullable<(typeof c.editions)[Edition]>][]) {
      for (const l of ed.lessons) {
        const source = fs.readFileSync(path.join(process.env.CONTENT_DIR ?? 'content', l.file), 'utf8');
        if (/^\s*\|.*\|\s*$/m.test(source) || /<Message\b/.test(source)) byCourse.set(c.slug, [...(byCourse.get(c.slug) ?? []), paths.lesson(c.slug, e, l.id)]);
      }
    }
  }
  return byCourse;
}

/** What is wrong with the page's layout at this width (empty when nothing is). */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    if (document.documentElement.scrollWidth > window.innerWidth) problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
    /** Line tops of a range over [start, end) of a text node: a word on one line has one. */
    const lines = (node: Text, start: number, end: number) => {
      const r = document.createRange();
      r.setStart(node, start);
      r.setEnd(node, end);
      return new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top))).size;
    };
    for (const table of document.querySelectorAll('main table')) {
      const wrap = table.parentElement!;
      if (!wrap.classList.contains('tablewrap') || getComputedStyle(wrap).overflowX !== 'auto') problems.push('a table without its scrolling wrapper');
      for (const cell of table.querySelectorAll<HTMLElement>('th, td')) {
        const s = getComputedStyle(cell);
        if (s.overflowWrap !== 'normal' || s.wordBreak !== 'normal') problems.push(`cell may break words: ${s.overflowWrap}/${s.wordBreak}`);
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode() as Text | null; n; n = walker.nextNode() as Text | null) {
          // Vietnamese words are syllables between spaces; a hyphen or a slash (in addresses) is a break the browser may use.
          for (const m of n.data.matchAll(/[^\s\-/]+/g)) if (lines(n, m.index, m.index + m[0].length) > 1) problems.push(`word split in a cell: “${m[0]}”`);
        }
      }
    }
    for (const time of document.querySelectorAll<HTMLElement>('main .msg .time')) {
      const text = time.firstChild as Text;
      if (lines(text, 0, text.data.length) > 1) problems.push(`message time wraps: “${text.data}”`);
    }
    return problems;
  });
}

test.describe('at 360 × 780', () => {
  test('the site header takes at most 20% of the screen, for guests and officials', async ({ page }) => {
    for (const p of ['/', paths.course(COURSE, 'citizen'), paths.lesson(COURSE, 'citizen', course().editions.citizen!.lessons[0]!.id)]) {
      await page.goto(p);
      const box = (await page.locator('header.site').boundingBox())!;
      expect(box.height, p).toBeLessThanOrEqual(156);
    }
    await signIn(page, '0912000010');
    await page.goto('/');
    await expect(page.locator('header.site').getByRole('link', { name: 'Quản lý' })).toBeVisible();
    expect((await page.locator('header.site').boundingBox())!.height).toBeLessThanOrEqual(156);
  });

  for (const [slug, pages] of layoutLessons()) {
    test(`lessons with tables or messages lay out without split words: ${slug}`, async ({ page }) => {
      test.setTimeout(90_000 + pages.length * 5_000);
      for (const p of pages) {
        await page.goto(p);
        expect(await layoutProblems(page), p).toEqual([]);
      }
    });
  }

  test('question text stays inside its card on checks and the final quiz', async ({ page, account }) => {
    const lesson = course().editions.citizen!.lessons[0]!;
    await signIn(page, account);
    for (const p of [paths.check(COURSE, 'citizen', lesson.id), paths.finalQuiz(COURSE, 'citizen')]) {
      await page.goto(p);
      const overlaps = await page.locator('form fieldset').evaluateAll((sets) =>
        sets.flatMap((fs, i) => {
          const box = fs.getBoundingClientRect();
          const s = getComputedStyle(fs);
          const legend = fs.querySelector('legend')!.getBoundingClientRect();
          const top = box.top + parseFloat(s.borderTopWidth);
          return legend.top >= top && legend.left >= box.left && legend.right <= box.right ? [] : [`question ${i + 1}: legend ${JSON.stringify(legend)} card ${JSON.stringify(box)}`];
        }),
      );
      expect(overlaps, p).toEqual([]);
      expect(await layoutProblems(page), p).toEqual([]);
    }
  });
});

test('ordering steps are tapped in order; the count and the kept choices follow; submitting clears them', async ({ page, account }) => {
  const ed = course().editions.citizen!;
  await signIn(page, account);
  await page.goto(paths.finalQuiz(COURSE, 'citizen'));
  const bar = page.locator('.quizbar');
  await expect(bar).toHaveText(`Đã trả lời 0/${ed.draw} câu`);
  const attempt = await page.locator('input[name="attempt"]').inputValue();

  // Tapping gives the next number, tapping again takes a step out and closes the gap.
  const fs = page.locator('fieldset[data-order]').first();
  await expect(fs.locator('select').first()).toBeHidden();
  const steps = fs.locator('.tapstep');
  const n = await steps.count();
  expect(n).toBeGreaterThanOrEqual(3);
  for (let k = 0; k < n; k++) await steps.nth(k).click();
  const values = () => fs.locator('select').evaluateAll((s) => s.map((x) => (x as HTMLSelectElement).value));
  expect(await values()).toEqual(Array.from({ length: n }, (_, k) => String(k + 1)));
  await expect(steps.nth(1)).toHaveAttribute('aria-pressed', 'true');
  await expect(steps.nth(1)).toHaveAccessibleName(/, bước 2$/);
  await steps.first().click();
  expect(await values()).toEqual(['', ...Array.from({ length: n - 1 }, (_, k) => String(k + 1))]);
  await expect(steps.first()).toHaveAttribute('aria-pressed', 'false');
  await fs.getByRole('button', { name: 'Xếp lại từ đầu' }).click();
  expect(await values()).toEqual(Array.from({ length: n }, () => ''));

  // Everything answered (ordering by taps), then a reload keeps every choice.
  await answerAllCorrectly(page, ed.finalPool);
  await expect(bar).toHaveText(`Đã trả lời ${ed.draw}/${ed.draw} câu`);
  const before = await page.locator('form.quiz').evaluate((f) => [...new FormData(f as HTMLFormElement)].map(([k, v]) => `${k}=${v}`));
  const stored = await page.evaluate((id) => localStorage.getItem(`bai-lam:${id}`), attempt);
  // Only the learner's own field values: positional names and numbers.
  for (const [name, value] of JSON.parse(stored!).v as [string, string][]) {
    expect(name).toMatch(/^q\d+(-\d+)?$/);
    expect(value).toMatch(/^\d+$/);
  }
  await page.reload();
  await expect(bar).toHaveText(`Đã trả lời ${ed.draw}/${ed.draw} câu`);
  expect(await page.locator('form.quiz').evaluate((f) => [...new FormData(f as HTMLFormElement)].map(([k, v]) => `${k}=${v}`))).toEqual(before);
  await page.getByRole('button', { name: 'Nộp bài' }).click();
  await expect(page.getByText(`${ed.draw}/${ed.draw} câu đúng`)).toBeVisible();
  expect(await page.evaluate((id) => localStorage.getItem(`bai-lam:${id}`), attempt)).toBeNull();
});

test.describe('certificate sharing', () => {
  test('“Sao chép liên kết” copies the link; the code stays on one line', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signIn(page, '0912000004');
    await page.goto('/chung-nhan-cua-toi');
    const card = page.getByRole('region', { name: course().title });
    const link = await card.getByLabel(/Đường dẫn để chia sẻ/).inputValue();
    await card.getByRole('button', { name: 'Sao chép liên kết' }).click();
    await expect(card.getByRole('status')).toHaveText(/Đã sao chép liên kết/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    for (const code of await page.locator('.nowrap').all()) expect((await code.boundingBox())!.height).toBeLessThan(40);
    await page.goto(new URL(link).pathname);
    const code = page.locator('dd .nowrap');
    await expect(code).toHaveText('HS4VN-2026D');
    expect((await code.boundingBox())!.height).toBeLessThan(40);
    await expect(page.getByText('Dành cho hệ thống kiểm tra')).toBeVisible();
    await expect(page.getByRole('link', { name: /Open Badges/ })).toBeHidden();
  });

  test('without a clipboard, the link is selected for a manual copy', async ({ page }) => {
    await page.addInitScript(() => {
      Object.defineProperty(navigator, 'clipboard', { value: undefined });
      document.execCommand = () => false;
    });
    await signIn(page, '0912000004');
    await page.goto('/chung-nhan-cua-toi');
    const card = page.getByRole('region', { name: course().title });
    await card.getByRole('button', { name: 'Sao chép liên kết' }).click();
    await expect(card.getByRole('status')).toHaveText(/Đường dẫn đã được chọn sẵn/);
    const input = card.getByLabel(/Đường dẫn để chia sẻ/);
    await expect(input).toBeFocused();
    const selected = await input.evaluate((el) => {
      const i = el as HTMLInputElement;
      return i.value.slice(i.selectionStart ?? 0, i.selectionEnd ?? 0) === i.value && i.value.length > 0;
    });
    expect(selected).toBe(true);
  });
});
