/** Certificates in the browser: earned at completion, listed in "Chứng nhận của tôi", shared, verified by anyone. */
import { expect, test } from '@playwright/test';
import { paths } from '../../src/lib/editions.ts';
import { answerAllCorrectly, COURSE, course, signIn, uniquePhone } from './helpers.ts';

test('a learner completes a course, finds the certificate, and a stranger verifies it from the link', async ({ page, browser }) => {
  const ed = course().editions.citizen!;
  await page.goto('/dang-ky');
  await page.getByLabel('Họ và tên').fill('Đỗ Thị Ưng Lễ');
  await page.getByLabel('Số điện thoại di động').fill(uniquePhone());
  await page.getByLabel('Mật khẩu').fill('vườn nhà có ba cây bưởi');
  await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
  await expect(page).not.toHaveURL(/dang-ky/);
  for (const lesson of ed.lessons) {
    await page.goto(paths.lesson(COURSE, 'citizen', lesson.id));
    await page.getByRole('button', { name: 'Tôi đã học xong bài này' }).click();
    await expect(page.getByText(`Đã lưu: bạn đã học xong bài «${lesson.title}»`)).toBeVisible();
  }
  await page.goto(paths.finalQuiz(COURSE, 'citizen'));
  await answerAllCorrectly(page, ed.finalPool);
  await page.getByRole('button', { name: 'Nộp bài' }).click();
  await expect(page.getByText(/nhận được chứng nhận/)).toBeVisible();

  await page.getByRole('link', { name: 'Xem chứng nhận của tôi' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Chứng nhận của tôi' })).toBeVisible();
  const card = page.getByRole('region', { name: course().title });
  await expect(card).toBeVisible();
  const link = await card.getByLabel(/Đường dẫn để chia sẻ/).inputValue();
  expect(link).toMatch(/\/chung-nhan\/[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
  // Chromium on Linux has no Web Share API: the share button stays hidden, the link is there to copy.
  await expect(card.getByRole('button', { name: 'Chia sẻ' })).toBeHidden();
  const pdf = await page.request.get(await card.getByRole('link', { name: 'Tải PDF' }).getAttribute('href') as string);
  expect(pdf.headers()['content-type']).toBe('application/pdf');

  // Someone else, not signed in, opens the shared link.
  const stranger = await browser.newPage();
  await stranger.goto(new URL(link).pathname);
  await expect(stranger.getByRole('heading', { level: 1, name: 'Kiểm tra chứng nhận' })).toBeVisible();
  await expect(stranger.getByText('Chứng nhận này còn hiệu lực.')).toBeVisible();
  await expect(stranger.getByText('Đỗ Thị Ưng Lễ')).toBeVisible();
  await expect(stranger.getByText(course().title)).toBeVisible();
  await stranger.close();
});

test('the share button uses the Web Share API where the browser has it', async ({ page }) => {
  // Linux Chromium lacks navigator.share; provide one that records what the page shares, as a phone browser would receive it.
  await page.addInitScript(() => {
    (window as unknown as { shared: ShareData[] }).shared = [];
    Object.defineProperty(navigator, 'share', {
      value: (data: ShareData) => {
        (window as unknown as { shared: ShareData[] }).shared.push(data);
        return Promise.resolve();
      },
    });
  });
  await signIn(page, '0912000004');
  await page.goto('/chung-nhan-cua-toi');
  await page.getByRole('button', { name: 'Chia sẻ' }).first().click();
  const shared = await page.evaluate(() => (window as unknown as { shared: ShareData[] }).shared);
  expect(shared).toHaveLength(1);
  expect(shared[0]!.url).toMatch(/\/chung-nhan\/HS4VN-2026D$/);
});

test.describe('with JavaScript turned off', () => {
  test.use({ javaScriptEnabled: false });

  test('the code typed from paper opens the verification page', async ({ page }) => {
    await page.goto('/chung-nhan');
    await page.getByLabel('Mã xác minh').fill('hs4vn 2026d');
    await page.getByRole('button', { name: 'Kiểm tra' }).click();
    await expect(page).toHaveURL(/\/chung-nhan\/HS4VN-2026D$/);
    await expect(page.getByText('Chứng nhận này còn hiệu lực.')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Tải bản PDF' })).toBeVisible();
  });
});
