/**
 * A person looks after their own account on a 360 px phone with JavaScript off: corrects their name,
 * sees the devices signed in, signs one out, changes the password, downloads their data and deletes
 * the account. Uses a fresh account so other specs' demo accounts are untouched.
 */
import { expect, test } from '@playwright/test';
import { uniquePhone } from './helpers.ts';

test.use({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });

const PASSWORD = 'cây bàng đầu ngõ 2026';

test('name, devices, password, data download and deletion, all as plain forms', async ({ page, browser }) => {
  const phone = uniquePhone();
  await page.goto('/dang-ky');
  await page.getByLabel('Họ và tên').fill('Nguyen Thi Thu');
  await page.getByLabel('Số điện thoại di động').fill(phone);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
  await expect(page).not.toHaveURL(/dang-ky/);

  // A second device, signed in elsewhere.
  const other = await browser.newContext({ javaScriptEnabled: false });
  const otherPage = await other.newPage();
  await otherPage.goto('/dang-nhap');
  await otherPage.getByLabel('Số điện thoại di động').fill(phone);
  await otherPage.getByLabel('Mật khẩu').fill(PASSWORD);
  await otherPage.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(otherPage).not.toHaveURL(/dang-nhap/);

  await page.goto('/tai-khoan');
  await page.getByRole('link', { name: 'Sửa họ tên' }).click();
  const name = page.getByLabel('Họ và tên', { exact: true });
  await name.fill('Nguyễn\u202E Thị Thu');
  await page.getByRole('button', { name: 'Lưu họ và tên' }).click();
  await expect(page.getByText(/ký tự điều khiển/)).toBeVisible();
  await name.fill('Nguyễn Thị Thu');
  await page.getByRole('button', { name: 'Lưu họ và tên' }).click();
  await expect(page.getByRole('status')).toHaveText('Đã cập nhật họ và tên.');
  await expect(page.getByText('Nguyễn Thị Thu', { exact: false }).first()).toBeVisible();

  await page.getByRole('link', { name: 'Các thiết bị đang đăng nhập' }).click();
  await expect(page.getByText('phiên này')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Đăng xuất thiết bị này:/ })).toHaveCount(1);
  await page.getByRole('button', { name: /^Đăng xuất thiết bị này:/ }).click();
  await expect(page.getByRole('status')).toHaveText('Đã kết thúc phiên đăng nhập đó.');
  await expect(page.getByText('Không có thiết bị nào khác đang đăng nhập.')).toBeVisible();
  await otherPage.goto('/tai-khoan');
  await expect(otherPage).toHaveURL(/dang-nhap/);
  await other.close();

  await page.goto('/tai-khoan/mat-khau');
  await page.getByLabel('Mật khẩu hiện tại').fill(PASSWORD);
  await page.getByLabel('Mật khẩu mới', { exact: true }).fill('hai con mèo trên mái nhà');
  await page.getByLabel('Nhập lại mật khẩu mới').fill('hai con mèo trên mái nhà');
  await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
  await expect(page.getByRole('status')).toContainText('Đã đổi mật khẩu');

  await page.goto('/tai-khoan/xoa');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Tải dữ liệu của tôi/ }).click()]);
  const file = await download.path();
  const data = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8'));
  expect(data.account.name).toBe('Nguyễn Thị Thu');

  await page.getByLabel('Mật khẩu của bạn').fill('hai con mèo trên mái nhà');
  await page.getByRole('button', { name: 'Xóa tài khoản của tôi' }).click();
  await expect(page.getByText('Vui lòng đánh dấu ô xác nhận')).toBeVisible();
  await page.getByLabel('Mật khẩu của bạn').fill('hai con mèo trên mái nhà');
  await page.getByLabel('Tôi hiểu tài khoản sẽ bị xóa hẳn').check();
  await page.getByRole('button', { name: 'Xóa tài khoản của tôi' }).click();
  await expect(page.getByRole('status')).toHaveText('Tài khoản của bạn đã được xóa.');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.goto('/tai-khoan');
  await expect(page).toHaveURL(/dang-nhap/);
});
