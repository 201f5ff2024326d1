/**
 * A member records a help visit on a 360 px phone, with JavaScript off and on; a citizen confirms a
 * link code on their own phone.
 */
import { randomInt } from 'node:crypto';
import { expect, type Browser } from '@playwright/test';
import { signIn, test } from './helpers.ts';

const PHONE = { viewport: { width: 360, height: 740 } };

async function recordVisit(browser: Browser, javaScriptEnabled: boolean, person: string) {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled });
  const page = await context.newPage();
  await signIn(page, '0912000002');
  await page.goto('/to-cua-toi/ho-gia-dinh');
  await page.getByRole('link', { name: 'Ghi lượt hỗ trợ' }).first().click();
  await page.getByLabel('Hộ gia đình').selectOption({ label: 'Hộ ông Sáu (mẫu)' });
  await page.getByLabel('Người được hỗ trợ').fill(person);
  await page.getByRole('checkbox', { name: 'Thanh toán trực tuyến' }).check();
  await page.getByRole('radiogroup', { name: 'Kết quả: Thanh toán trực tuyến' }).getByLabel('Tự làm được').check();
  // One screen wide: nothing scrolls sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await page.getByRole('button', { name: 'Lưu lượt hỗ trợ' }).click();
  await expect(page.getByRole('status')).toContainText('Đã ghi lượt hỗ trợ');
  await expect(page.locator('main')).toContainText(person);
  await expect(page.locator('main')).toContainText('Thanh toán trực tuyến: tự làm được');
  await context.close();
}

test('a member records a visit at 360 px without JavaScript', async ({ browser }) => {
  await recordVisit(browser, false, 'anh Lâm');
});

test('a member records a visit at 360 px with JavaScript', async ({ browser }) => {
  await recordVisit(browser, true, 'chị Mận');
});

test('a future date is refused with a message next to the field', async ({ browser }) => {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, '0912000002');
  await page.goto('/to-cua-toi/luot-ho-tro');
  await page.getByLabel('Hộ gia đình').selectOption({ label: 'Hộ ông Sáu (mẫu)' });
  await page.getByLabel('Người được hỗ trợ').fill('ông Sáu');
  await page.getByLabel('Ngày hỗ trợ').fill('2099-01-01');
  await page.getByRole('checkbox', { name: 'Mua sắm trực tuyến' }).check();
  await page.getByRole('button', { name: 'Lưu lượt hỗ trợ' }).click();
  await expect(page.locator('#ngay-loi')).toHaveText('Ngày hỗ trợ không thể ở tương lai.');
  // What was ticked is still ticked.
  await expect(page.getByRole('checkbox', { name: 'Mua sắm trực tuyến' })).toBeChecked();
  await context.close();
});

test('a citizen confirms a link code shown on the member’s phone', async ({ browser, account }) => {
  const memberCtx = await browser.newContext(PHONE);
  const member = await memberCtx.newPage();
  await signIn(member, '0912000011');
  await member.goto('/to-cua-toi/ho-gia-dinh');
  await member.getByRole('link', { name: 'Hộ chị Hoa (mẫu)' }).click();
  await member.locator('main a[href^="/to-cua-toi/luot-ho-tro/"]').first().click();
  await member.getByRole('button', { name: 'Hiện mã liên kết' }).click();
  const code = ((await member.locator('.code').innerText()) ?? '').replace(/\s/g, '');
  expect(code).toMatch(/^\d{6}$/);
  await expect(member.locator('.qr svg')).toBeVisible();
  // The code reads on one line, and the page tells where to type it.
  expect((await member.locator('.code').boundingBox())!.height).toBeLessThan(80);
  expect(await member.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await expect(member.locator('main')).toContainText('/lien-ket');

  const citizenCtx = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const citizen = await citizenCtx.newPage();
  await signIn(citizen, account);
  await citizen.goto('/lien-ket');
  await citizen.getByLabel(/Mã 6 chữ số/).fill(code);
  await citizen.getByRole('button', { name: 'Tiếp tục' }).click();
  await expect(citizen.locator('main')).toContainText('tôi được Lan hỗ trợ ngày');
  await citizen.getByRole('button', { name: 'Đúng, xác nhận' }).click();
  await expect(citizen.getByRole('status')).toContainText('Đã liên kết tài khoản');
  await expect(citizen.locator('main')).toContainText('Hộ chị Hoa (mẫu)');
  // The code is single-use.
  await citizen.goto('/lien-ket');
  await citizen.getByLabel(/Mã 6 chữ số/).fill(code);
  await citizen.getByRole('button', { name: 'Tiếp tục' }).click();
  await expect(citizen.getByRole('alert')).toContainText('Mã không đúng hoặc đã hết hạn');
  // Undo.
  await citizen.goto('/ho-gia-dinh-cua-toi');
  await citizen.getByRole('button', { name: 'Hủy liên kết' }).click();
  await expect(citizen.getByRole('status')).toContainText('Đã hủy liên kết');
  await memberCtx.close();
  await citizenCtx.close();
});

test('a member imports a household list at 360 px: errors by line, then a clean file is committed', async ({ browser }) => {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  // Unique per run, so the test can be repeated against the same database.
  const label = `Hộ bà Năm ${randomInt(100_000)} (nhập)`;
  await signIn(page, '0912000002');
  await page.goto('/to-cua-toi/ho-gia-dinh');
  await page.getByRole('link', { name: 'Nhập từ tệp' }).click();
  const upload = async (csv: string) => {
    await page.getByLabel(/^Tệp danh sách hộ/).setInputFiles({ name: 'ho.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Tải lên và xem trước' }).click();
    await expect(page).toHaveURL(/\/ho-gia-dinh\/nhap\/[0-9a-f-]{36}$/);
  };
  await upload(`Tên gọi của hộ,Số điện thoại\n${label},0912555701\nHộ lỗi,999\n`);
  await expect(page.locator('main')).toContainText('Dòng 3: Số điện thoại “999” không hợp lệ');
  await expect(page.getByRole('button', { name: /Xác nhận nhập/ })).toHaveCount(0);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await page.getByRole('link', { name: 'Tải lên tệp khác' }).click();
  await upload(`Tên gọi của hộ,Số điện thoại\n${label},0912555701\n`);
  await page.getByRole('button', { name: 'Xác nhận nhập 1 hộ' }).click();
  await expect(page.getByRole('status').first()).toContainText('Đã nhập danh sách hộ gia đình');
  await page.getByRole('link', { name: /Về danh sách hộ/ }).first().click();
  const card = page.locator('li.card', { hasText: label });
  await expect(card).toContainText('Chưa hỏi ý kiến');
  // Later, at the doorstep, the member asks and records the family's consent.
  await card.getByRole('link', { name: label }).click();
  await expect(page.locator('main')).toContainText('Chưa hỏi ý kiến (nhập từ tệp)');
  await page.getByRole('button', { name: 'Gia đình đã đồng ý' }).click();
  await expect(page.getByRole('status').first()).toContainText('Đã ghi nhận hộ gia đình đồng ý');
  await expect(page.locator('main')).toContainText('Đã đồng ý (');
  await expect(page.getByRole('button', { name: 'Gia đình đã đồng ý' })).toHaveCount(0);
  await page.goto('/to-cua-toi/ho-gia-dinh');
  await expect(page.locator('li.card', { hasText: label })).not.toContainText('Chưa hỏi ý kiến');
  await context.close();
});
