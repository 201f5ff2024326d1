/**
 * An official's tables at 360 px with JavaScript off: the roster preview, the household coverage by
 * unit and team, and the audit log are cards, so every cell (a row's error above all) is on screen
 * without scrolling the table sideways; the printable overdue list never prints a blank sheet. What it
 * creates sits in its own village (“Xóm thẻ …”).
 */
import { expect, test, type Page } from '@playwright/test';
import { signIn, uniquePhone } from './helpers.ts';

const OFFICIAL = '0912000010';
const WIDTH = 360;

test.use({ javaScriptEnabled: false, viewport: { width: WIDTH, height: 740 } });

/** Every cell of the table inside `region` lies within the screen, and the page does not scroll sideways. */
async function cellsOnScreen(page: Page, region: string) {
  const table = page.getByRole('region', { name: region }).locator('table');
  await expect(table.locator('tbody tr').first()).toBeVisible();
  const outside = await table.locator('tbody td').evaluateAll((cells, w) =>
    cells.filter((c) => c.getBoundingClientRect().right > w + 0.5).map((c) => `${c.textContent?.trim().slice(0, 40)} (${Math.round(c.getBoundingClientRect().right)} px)`),
  WIDTH);
  expect(outside, `cells past ${WIDTH} px in “${region}”`).toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `horizontal overflow on ${page.url()}`).toBeLessThanOrEqual(0);
}

async function unitPath(page: Page): Promise<string> {
  await page.goto('/quan-ly');
  return (await page.locator('main a[href^="/quan-ly/don-vi/"]').first().getAttribute('href'))!;
}

async function uploadCsv(page: Page, unit: string, csv: string) {
  await page.goto(`${unit}/nhap-danh-sach`);
  await page.getByLabel(/^Tệp danh sách/).setInputFiles({ name: 'the.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Tải lên và xem trước' }).click();
  await expect(page).toHaveURL(/\/quan-ly\/nhap\/[0-9a-f-]{36}$/);
}

test('roster preview, household coverage and audit log are cards at 360 px', async ({ page }) => {
  await signIn(page, OFFICIAL);
  const unit = await unitPath(page);
  const phone = uniquePhone();
  const village = `Xóm thẻ ${phone.slice(-4)}`;
  const header = 'Họ và tên,Số điện thoại,"Thôn, tổ dân phố",Tổ công nghệ số,Vai trò\n';

  // A row with an error: its message is the cell that matters and must be readable in place.
  await uploadCsv(page, unit, `${header}=1+1,${phone},${village},Tổ ${village},Thành viên\n`);
  await expect(page.locator('tbody .error')).toContainText('công thức');
  await cellsOnScreen(page, 'Các dòng trong tệp');

  // A clean row, committed: it leaves an entry in the audit log.
  await uploadCsv(page, unit, `${header}Người Thẻ,${phone},${village},Tổ ${village},Thành viên\n`);
  await cellsOnScreen(page, 'Các dòng trong tệp');
  await page.getByRole('button', { name: 'Xác nhận nhập danh sách' }).click();
  await expect(page.getByText('Đã nhập danh sách vào')).toBeVisible();

  await page.goto(`${unit}/ho-gia-dinh`);
  await cellsOnScreen(page, 'Hộ gia đình theo đơn vị và tổ');

  await page.goto(`${unit}/nhat-ky`);
  await cellsOnScreen(page, 'Nhật ký thao tác');
});

test('a team’s household import preview is cards at 360 px: each row’s error is on screen', async ({ page }) => {
  await signIn(page, '0912000011');
  await page.goto('/to-cua-toi/ho-gia-dinh/nhap');
  // Rows with errors only: nothing can be committed, so the team's list is unchanged.
  const csv = 'Tên gọi của hộ,Số điện thoại,Ghi chú\n=1+1,0912345678,Nhà cuối ngõ\nHộ thẻ lỗi số,abc,\n';
  await page.getByLabel(/^Tệp/).setInputFiles({ name: 'ho.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: /Tải lên/ }).click();
  await expect(page).toHaveURL(/\/ho-gia-dinh\/nhap\/[0-9a-f-]{36}$/);
  await expect(page.locator('tbody .error')).toHaveCount(2);
  await cellsOnScreen(page, 'Các dòng trong tệp');
});

test('the printable overdue list prints a sentence, not a blank sheet, when nobody is overdue', async ({ page }) => {
  // The other demo commune: its members have no overdue course (commune A's test data has some).
  await signIn(page, '0912000020');
  const unit = await unitPath(page);
  await page.goto(`${unit}/in-qua-han`);
  await expect(page.locator('main table')).toHaveCount(0);
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByText(/^Không có ai quá hạn trong .+ \(tính đến .+\)\.$/)).toBeVisible();
});
