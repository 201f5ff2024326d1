/**
 * Issue 14 in a real browser with JavaScript off, on a desktop (1280 px) and a phone (360 px): the
 * template imports unchanged, a shifted header is an error naming the line, an existing account is
 * invited and answers the invitation itself, slips keep their codes and carry a QR code, due dates in
 * the past are refused, members move by choosing a team by name, and “Cấp lại mã” replaces one code.
 * Everything it creates sits in its own village (“Xóm E2E …”), so other specs' demo pages are unchanged.
 */
import { expect, test, type Page } from '@playwright/test';
import { signIn, uniquePhone } from './helpers.ts';

const OFFICIAL = '0912000010';
const PASSWORD = 'cây bàng đầu ngõ 2026';

/** Nothing scrolls sideways (axe needs JavaScript: accessibility.spec.ts checks these pages with it). */
async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `horizontal overflow on ${page.url()}`).toBeLessThanOrEqual(0);
}

async function unitPath(page: Page): Promise<string> {
  await page.goto('/quan-ly');
  return (await page.locator('main a[href^="/quan-ly/don-vi/"]').first().getAttribute('href'))!;
}

async function uploadCsv(page: Page, unit: string, csv: string | Buffer, name = 'ds.csv') {
  await page.goto(`${unit}/nhap-danh-sach`);
  await page.getByLabel(/^Tệp danh sách/).setInputFiles({ name, mimeType: 'text/csv', buffer: typeof csv === 'string' ? Buffer.from(csv) : csv });
  await page.getByRole('button', { name: 'Tải lên và xem trước' }).click();
  await expect(page).toHaveURL(/\/quan-ly\/nhap\/[0-9a-f-]{36}$/);
}

for (const viewport of [{ width: 1280, height: 900 }, { width: 360, height: 740 }]) {
  test.describe(`${viewport.width} px, no JavaScript`, () => {
    test.use({ javaScriptEnabled: false, viewport });

    test('the template imports as its rows; a shifted header is an error naming the line', async ({ page }) => {
      await signIn(page, OFFICIAL);
      const unit = await unitPath(page);
      await page.goto(`${unit}/nhap-danh-sach`);
      const href = (await page.getByRole('link', { name: 'Tải tệp mẫu (CSV)' }).getAttribute('href'))!;
      const template = await (await page.request.get(href)).body();
      await uploadCsv(page, unit, template, 'mau-danh-sach.csv');
      await expect(page.getByRole('heading', { level: 1 })).toContainText('Xem trước danh sách');
      await expect(page.locator('tbody tr')).toHaveCount(2);
      await expect(page.locator('tbody').getByText('Tạo mới')).toHaveCount(2);
      await expect(page.locator('tbody .error')).toHaveCount(0);
      await expect(page.locator('tbody tr').first()).toContainText('(tổ trưởng)');
      await noSidewaysScroll(page);

      await uploadCsv(page, unit, 'Họ và tên,Số điện thoại,Thôn, tổ dân phố,Tổ công nghệ số,Vai trò\r\nNguyễn Văn An,0912345678,Thôn 1,Tổ CNSCĐ thôn 1,Tổ trưởng\r\n', 'cu.csv');
      await expect(page.locator('tbody .error').first()).toContainText('Dòng 2: Dòng này có 5 cột nhưng dòng tiêu đề (dòng 1) có 6 cột');
      await expect(page.getByRole('button', { name: 'Xác nhận nhập danh sách' })).toHaveCount(0);
      await noSidewaysScroll(page);
    });

    test('invitation, stable slips with a QR code, pickers by name, Cấp lại mã, due dates', async ({ page, browser }) => {
      const w = viewport.width;
      // A citizen registered on her own.
      const citizenPhone = uniquePhone();
      const citizen = await browser.newContext({ javaScriptEnabled: false, viewport });
      const cp = await citizen.newPage();
      await cp.goto('/dang-ky');
      await cp.getByLabel('Họ và tên').fill('Nguyễn Thị Lành');
      await cp.getByLabel('Số điện thoại di động').fill(citizenPhone);
      await cp.getByLabel('Mật khẩu').fill(PASSWORD);
      await cp.getByRole('button', { name: 'Tạo tài khoản' }).click();
      await expect(cp).not.toHaveURL(/dang-ky/);
      await cp.context().clearCookies();

      await signIn(page, OFFICIAL);
      const unit = await unitPath(page);
      const village = `Xóm E2E ${w} ${citizenPhone.slice(-4)}`;
      const [one, two] = [uniquePhone(), uniquePhone()];
      await uploadCsv(page, unit, [
        'Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò',
        `Phạm Quốc Việt,${citizenPhone},${village},Tổ E2E A,Thành viên`,
        `Người Mới Một,${one},${village},Tổ E2E A,Tổ trưởng`,
        `Người Mới Hai,${two},${village},Tổ E2E B,Thành viên`,
      ].join('\r\n'));
      const importUrl = page.url();
      await expect(page.locator('tbody tr').first()).toContainText('Đã có tài khoản — sẽ mời');
      await expect(page.locator('main')).not.toContainText('Nguyễn Thị Lành');
      await page.getByRole('button', { name: 'Xác nhận nhập danh sách' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toContainText('Đã nhập danh sách');
      await expect(page.getByRole('status')).toContainText('1 lời mời');

      // Slips: printing issues the codes once; reloading and printing again show the same ones.
      await page.getByRole('button', { name: 'In phiếu kích hoạt và phiếu mời' }).click();
      await expect(page).toHaveURL(/\/phieu$/);
      const slips = page.locator('.activation-slip');
      await expect(slips).toHaveCount(2);
      await expect(page.getByText('Học Số — lời mời tham gia tổ')).toBeVisible();
      await expect(slips.first().getByRole('img', { name: 'Mã QR mở trang kích hoạt tài khoản' })).toBeVisible();
      const codes = await page.locator('.slip-code').allInnerTexts();
      expect(codes).toHaveLength(2);
      await noSidewaysScroll(page);
      await page.reload();
      expect(await page.locator('.slip-code').allInnerTexts()).toEqual(codes);
      await page.goto(importUrl);
      await page.getByRole('button', { name: 'In phiếu kích hoạt và phiếu mời' }).click();
      expect(await page.locator('.slip-code').allInnerTexts()).toEqual(codes);

      // The citizen is asked at her next sign-in; the answer depends on the viewport, to see both.
      const accept = w < 400;
      await cp.goto('/dang-nhap');
      await cp.getByLabel('Số điện thoại di động').fill(citizenPhone);
      await cp.getByLabel('Mật khẩu').fill(PASSWORD);
      await cp.getByRole('button', { name: 'Đăng nhập' }).click();
      await expect(cp).toHaveURL(/\/loi-moi/);
      await expect(cp.getByRole('heading', { level: 1 })).toHaveText('Lời mời tham gia Tổ E2E A');
      await noSidewaysScroll(cp);
      await cp.getByRole('button', { name: accept ? 'Đồng ý tham gia' : 'Từ chối' }).click();
      await expect(cp.getByRole('status').first()).toContainText(accept ? 'Bạn đã vào tổ' : 'Đã từ chối lời mời');
      await citizen.close();

      // The official sees the answer by the name in the file (or the member, once accepted).
      await page.goto(unit);
      await page.getByRole('region', { name: 'Đơn vị trực thuộc và tổ' }).getByRole('link', { name: village }).click();
      await page.getByRole('region', { name: 'Đơn vị trực thuộc và tổ' }).getByRole('link', { name: 'Tổ E2E A', exact: true }).click();
      if (accept) await expect(page.locator('main')).toContainText('Nguyễn Thị Lành');
      else await expect(page.locator('main')).toContainText('Phạm Quốc Việt');
      if (!accept) await expect(page.locator('main')).toContainText('đã từ chối');
      const teamA = page.url();

      // Pickers: the team moves by choosing a unit by name, the member by choosing a team by name.
      await expect(page.getByLabel('Chuyển tổ sang đơn vị')).toBeVisible();
      await expect(page.locator('input[inputmode="numeric"]')).toHaveCount(0);
      await page.getByRole('link', { name: 'Người Mới Một' }).click();
      await expect(page.locator('input[inputmode="numeric"]')).toHaveCount(0);
      const select = page.getByLabel('Chuyển sang tổ');
      const label = (await select.locator('option', { hasText: `Tổ E2E B — ${village}` }).innerText()).trim();
      await select.selectOption({ label });
      await page.getByRole('button', { name: 'Chuyển tổ' }).click();
      await expect(page.getByRole('status')).toHaveText('Đã lưu thay đổi.');
      await expect(page.getByRole('link', { name: 'Tổ E2E B' })).toBeVisible();
      await noSidewaysScroll(page);

      // Cấp lại mã: confirmed, replaces this person's code only.
      await page.getByRole('link', { name: 'In phiếu kích hoạt' }).click();
      const before = await page.locator('.slip-code').innerText();
      expect(codes).toContain(before);
      await page.goBack();
      await page.getByLabel(/phiếu cũ của Người Mới Một sẽ không dùng được nữa/).check();
      await page.getByRole('button', { name: 'Cấp lại mã' }).click();
      await expect(page.getByRole('status')).toContainText('Đã cấp mã kích hoạt mới');
      await page.getByRole('link', { name: 'In phiếu kích hoạt' }).click();
      const after = await page.locator('.slip-code').innerText();
      expect(after).not.toBe(before);
      await page.goto(teamA);

      // Due dates: the field starts at today, and the server refuses a date in the past.
      await page.goto(unit);
      const due = page.getByLabel('Hạn hoàn thành');
      const min = (await due.getAttribute('min'))!;
      expect(min).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const r = await page.request.post(`${unit}/giao-khoa-hoc`, { form: { khoa: 'trinh-duyet-an-toan:citizen', han: '2020-01-02' }, headers: { origin: new URL(page.url()).origin } });
      expect(r.status()).toBe(400);
      expect(await r.text()).toContain('Hạn hoàn thành phải từ hôm nay');
    });
  });
}
