import { randomInt } from 'node:crypto';
import { test as base, expect, type Page } from '@playwright/test';
import { POOL_PER_WORKER, POOL_WORKERS, poolPhone } from '../setup/e2e-accounts.ts';
import type { Question } from '../../src/lib/content/schema.ts';
import { getCatalog } from '../../src/server/content/catalog.ts';

export const COURSE = 'trinh-duyet-an-toan';
export const DEMO_PASSWORD = 'hoc-thu-2026';

export function course() {
  return getCatalog().bySlug.get(COURSE)!;
}

/** Answers every question shown on the page correctly, looking questions up by their prompt. */
export async function answerAllCorrectly(page: Page, pool: Question[]): Promise<number> {
  const fieldsets = page.locator('form fieldset');
  // Count only once the questions are on screen: right after a click the previous page may still show.
  await expect(fieldsets.first()).toBeVisible();
  const n = await fieldsets.count();
  for (let i = 0; i < n; i++) {
    const fs = fieldsets.nth(i);
    const legend = (await fs.locator('legend').innerText()).replace(/^Câu \d+\.\s*/, '').trim();
    const q = pool.find((x) => x.prompt.trim() === legend);
    expect(q, `question "${legend}"`).toBeTruthy();
    await answer(page, fs, q!);
  }
  return n;
}

async function answer(_page: Page, fs: ReturnType<Page['locator']>, q: Question) {
  switch (q.type) {
    case 'single':
      await fs.getByLabel(q.options.find((o) => o.id === q.answer)!.text, { exact: true }).check();
      break;
    case 'multiple':
      for (const id of q.answer) await fs.getByLabel(q.options.find((o) => o.id === id)!.text, { exact: true }).check();
      break;
    case 'truefalse':
      await fs.getByLabel(q.answer ? 'Đúng' : 'Sai', { exact: true }).check();
      break;
    case 'order':
      // With JavaScript the steps are tapped in order; without it each step's select gets its number.
      if (await fs.locator('.tapstep').count()) {
        for (const s of q.steps) await fs.locator('.tapstep').filter({ has: _page.getByText(s.text, { exact: true }) }).click();
      } else {
        for (const [i, s] of q.steps.entries()) await fs.getByLabel(s.text, { exact: true }).selectOption(String(i + 1));
      }
      break;
  }
}

/** Signs in through the form. */
export async function signIn(page: Page, phone: string, password = DEMO_PASSWORD) {
  await page.goto('/dang-nhap');
  await page.getByLabel('Số điện thoại di động').fill(phone);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page).not.toHaveURL(/dang-nhap/);
}

/** A phone number no other test uses. */
export function uniquePhone(): string {
  return `09${String(randomInt(100_000_000)).padStart(8, '0')}`;
}

let taken = 0;
/**
 * `test` with an `account` fixture: the phone number (0913…) of a learner account no other test in
 * this run uses, with password DEMO_PASSWORD and no progress. Use it instead of the shared demo
 * accounts whenever a test changes what it signs in to see.
 */
export const test = base.extend<{ account: string }>({
  // eslint-disable-next-line no-empty-pattern
  account: async ({}, use, testInfo) => {
    const slot = testInfo.workerIndex * POOL_PER_WORKER + taken++;
    if (testInfo.workerIndex >= POOL_WORKERS || taken > POOL_PER_WORKER) {
      throw new Error(`The e2e account pool is used up (worker ${testInfo.workerIndex}, account ${taken}): enlarge it in tests/setup/e2e-accounts.ts.`);
    }
    await use(poolPhone(slot).replace(/^\+84/, '0'));
  },
});
