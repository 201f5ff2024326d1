/**
 * Dashboards at 1280 px use the width; at 360 px every row keeps its name and overdue figure on
 * screen (rows become cards); the export form offers the three formats and downloads a named file.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { signIn } from './helpers.ts';

const OFFICIAL = '0912000010';

async function firstHref(page: Page, re: RegExp): Promise<string> {
  const hrefs = await page.locator('main a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  const h = hrefs.find((x) => re.test(x));
  if (!h) throw new Error(`no link ${re}`);
  return h;
}

async function unitAndTeam(page: Page): Promise<{ commune: string; village: string; team: string }> {
  await page.goto('/quan-ly');
  const commune = await firstHref(page, /^\/quan-ly\/don-vi\/\d+$/);
  await page.goto(commune);
  const village = await firstHref(page, /^\/quan-ly\/don-vi\/\d+$/);
  await page.goto(village);
  const team = await firstHref(page, /^\/quan-ly\/to\/\d+$/);
  return { commune, village, team };
}

/** Every row of the table: its first cell and its "Quá hạn" cell lie inside the viewport, nothing scrolls sideways. */
async function rowsReadable(page: Page, tableLabel: string, width: number) {
  const region = page.getByRole('region', { name: tableLabel });
  const rows = region.locator('tbody tr');
  const n = await rows.count();
  expect(n).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) {
    for (const cell of [rows.nth(i).locator('td').first(), rows.nth(i).locator('td[data-label="Quá hạn"]')]) {
      await expect(cell).toBeVisible();
      const box = (await cell.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, `${tableLabel} row ${i} fits in ${width}px`).toBeLessThanOrEqual(width + 0.5);
    }
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test('a unit and a team dashboard on a 1280 px desktop use the width', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, OFFICIAL);
  const { commune, team } = await unitAndTeam(page);
  for (const p of [commune, team]) {
    await page.goto(p);
    const main = (await page.locator('main').boundingBox())!;
    expect(main.width, p).toBeGreaterThan(1100);
    expect(main.width, p).toBeLessThanOrEqual(1240);
  }
  await page.goto(commune);
  // The funnel, with its four steps.
  await expect(page.getByRole('heading', { name: 'Phễu kích hoạt' })).toBeVisible();
  await expect(page.locator('ol.funnel > li')).toHaveCount(4);
  // On desktop the tables stay tables: the header row is visible.
  await expect(page.getByRole('region', { name: 'Đơn vị trực thuộc và tổ' }).locator('thead')).toBeVisible();
});

test('at 360 px each row keeps its name and overdue figure on screen, overdue counts stand out', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await signIn(page, OFFICIAL);
  const { commune, village, team } = await unitAndTeam(page);
  await page.goto(commune);
  await rowsReadable(page, 'Đơn vị trực thuộc và tổ', 360);
  await page.goto(village);
  await rowsReadable(page, 'Đơn vị trực thuộc và tổ', 360);
  await page.goto(team);
  await rowsReadable(page, 'Thành viên của tổ', 360);
  // Each member row shows the last activity and lesson progress of each required course.
  const first = page.getByRole('region', { name: 'Thành viên của tổ' }).locator('tbody tr').first();
  await expect(first.locator('td[data-label="Hoạt động gần nhất"]')).toBeVisible();
  await expect(first).toContainText(/\d+\/\d+ bài/);
  // Overdue figures are badges in the error colour.
  const badge = page.locator('.badge.bad').first();
  if (await badge.count()) {
    const color = await badge.evaluate((el) => getComputedStyle(el).color);
    expect(color).toBe('rgb(163, 32, 29)');
  }
});

test('the export form offers Excel, CSV for Excel in Vietnam and plain CSV, and downloads a named file', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, OFFICIAL);
  const { commune } = await unitAndTeam(page);
  await page.goto(commune);
  const select = page.locator('#xuat-qua-han');
  await expect(select.locator('option')).toHaveText(['Excel (.xlsx)', 'CSV cho Excel (Việt Nam, dấu ;)', 'CSV (dấu phẩy)']);
  await select.selectOption('csv-vn');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải danh sách quá hạn' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^phuong-ba-dinh-\d{4}-\d{2}-\d{2}-qua-han\.csv$/);
});

test('overdue members: a reminder once a day, shown to the member until dismissed; the printable list is one A4 page per team', async ({ page, browser }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, OFFICIAL);
  const { village } = await unitAndTeam(page);
  // The e2e data has a required course past its due date in the commune (tests/setup/e2e-server.ts):
  // the forms refuse past due dates.
  await page.goto(village);
  await expect(page.locator('.stats .alert')).toBeVisible();
  await page.getByRole('button', { name: 'Gửi lời nhắc đến người quá hạn' }).click();
  await expect(page.getByText('Đã gửi lời nhắc đến các thành viên quá hạn.').first()).toBeVisible();
  await page.getByRole('button', { name: 'Gửi lời nhắc đến người quá hạn' }).click();
  await expect(page.getByText('Mỗi đơn vị hoặc tổ gửi được một lần mỗi ngày')).toBeVisible();

  // The printable list: one section per team, each on its own A4 page.
  await page.goto(`${village}/in-qua-han`);
  const sections = await page.locator('section.print-team').count();
  expect(sections).toBeGreaterThan(0);
  await page.emulateMedia({ media: 'print' });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-overdue-')), 'list.pdf');
  await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  expect(info).toMatch(new RegExp(`^Pages:\\s+${sections}$`, 'm'));
  expect(info).toMatch(/Page size:\s+[\d.]+ x [\d.]+ pts \(A4\)/);

  // The demo team leader is a member of a team in that village: the reminder is on their home page.
  const ctx = await browser.newContext({ viewport: { width: 360, height: 800 } });
  const member = await ctx.newPage();
  await signIn(member, '0912000011');
  await member.goto('/');
  const banner = member.locator('section.reminder').first();
  await expect(banner).toBeVisible();
  await expect(banner).toContainText(/Quá hạn \d+ ngày/);
  await expect(member.locator('#bat-buoc').locator('..')).toContainText(/Quá hạn \d+ ngày|Còn \d+ ngày/);
  await banner.getByRole('button', { name: 'Đã hiểu, ẩn lời nhắc' }).click();
  await expect(member.getByText('Đã ẩn lời nhắc.').first()).toBeVisible();
  await expect(member.locator('section.reminder')).toHaveCount(0);
  await ctx.close();
});

test('calendar set-up in one tap: webcal for iPhone, Google Calendar for Android, and the private link shown again by rotating', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto('/lich');
  const iphone = await page.getByRole('link', { name: 'Thêm vào ứng dụng Lịch' }).getAttribute('href');
  expect(iphone).toMatch(/^webcal:\/\/[^/]+\/lich\.ics$/);
  const google = await page.getByRole('link', { name: 'Thêm vào Google Lịch' }).getAttribute('href');
  expect(google).toBe(`https://calendar.google.com/calendar/r?cid=${encodeURIComponent(iphone!)}`);
  await signIn(page, '0912000002');
  await page.goto('/lich/rieng');
  const make = page.getByRole('button', { name: /Tạo đường link lịch riêng|Hiện lại đường link/ });
  await make.click();
  const first = await page.locator('#lich-rieng-url').inputValue();
  expect(first).toMatch(/\/lich\/rieng\/[a-z2-7]{48}\.ics$/);
  await page.goto('/lich/rieng');
  await expect(page.locator('#lich-rieng-url')).toHaveCount(0);
  await page.getByRole('button', { name: 'Hiện lại đường link (link cũ ngừng hoạt động)' }).click();
  const second = await page.locator('#lich-rieng-url').inputValue();
  expect(second).not.toBe(first);
  expect((await page.request.get(new URL(first).pathname)).status()).toBe(404);
  expect((await page.request.get(new URL(second).pathname)).status()).toBe(200);
  const ics = await page.request.get('/lich/rieng/han-hoc-tap.ics');
  expect(ics.status()).toBe(200);
  expect(ics.headers()['content-type']).toMatch(/text\/calendar/);
});
