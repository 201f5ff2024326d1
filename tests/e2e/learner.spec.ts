/**
 * The learner's journey, by role and accessible name, on the real server and database.
 * Every test signs in to an account of its own (the `account` fixture): the demo accounts are shared
 * with other specs running in parallel, whose quiz attempts and sessions would interfere.
 */
import { expect } from '@playwright/test';
import { paths } from '../../src/lib/editions.ts';
import { answerAllCorrectly, COURSE, course, signIn, test, uniquePhone } from './helpers.ts';

test('a citizen signs up, learns every lesson, passes the final quiz and completes the course', async ({ page }) => {
  const c = course();
  const ed = c.editions.citizen!;
  await page.goto('/');
  await page.getByRole('link', { name: 'Bắt đầu học' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Các khóa học' })).toBeVisible();
  await page.getByRole('link', { name: /^Người dân · \d+ bài/ }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: c.title })).toBeVisible();

  await page.getByRole('link', { name: 'Đăng nhập' }).first().click();
  await page.getByRole('link', { name: 'Tạo tài khoản mới' }).click();
  await page.getByLabel('Họ và tên').fill('Nguyễn Thị Hương');
  await page.getByLabel('Số điện thoại di động').fill(uniquePhone().replace(/^0/, '+84 '));
  await page.getByLabel('Mật khẩu').fill('vườn nhà có ba cây bưởi');
  await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
  await expect(page).toHaveURL(new RegExp(`${paths.course(COURSE, 'citizen')}$`));

  for (const [i, lesson] of ed.lessons.entries()) {
    await page.goto(paths.lesson(COURSE, 'citizen', lesson.id));
    await expect(page.getByRole('heading', { level: 1, name: lesson.title })).toBeVisible();
    await expect(page.getByText(`Ghi nhớ: ${lesson.remember}`)).toBeVisible();
    await page.getByRole('link', { name: 'Làm bài kiểm tra nhanh' }).click();
    await expect(page.getByRole('heading', { level: 1, name: `Kiểm tra nhanh: ${lesson.title}` })).toBeVisible();
    await answerAllCorrectly(page, lesson.check);
    await page.getByRole('button', { name: 'Nộp bài kiểm tra' }).click();
    await expect(page.getByRole('heading', { level: 1, name: /Kết quả kiểm tra/ })).toBeVisible();
    await expect(page.getByText('Tiến độ đã được lưu')).toBeVisible();
    if (i === 0) {
      await page.goto('/');
      await expect(page.getByRole('heading', { name: 'Tiếp tục học' })).toBeVisible();
      await expect(page.getByRole('link', { name: `Học tiếp: ${ed.lessons[1]!.title}` })).toBeVisible();
    }
  }

  await page.goto(paths.course(COURSE, 'citizen'));
  await page.getByRole('link', { name: 'Làm bài kiểm tra cuối khóa' }).click();
  await expect(page).toHaveURL(new RegExp(`${paths.finalQuiz(COURSE, 'citizen')}$`));
  expect(await answerAllCorrectly(page, ed.finalPool)).toBe(ed.draw);
  await page.getByRole('button', { name: 'Nộp bài' }).click();
  await expect(page.getByText(`${ed.draw}/${ed.draw} câu đúng`)).toBeVisible();
  await expect(page.getByText(/Bạn đã hoàn thành khóa học/)).toBeVisible();
  await page.goto('/tai-khoan');
  await expect(page.getByRole('listitem').filter({ hasText: `${c.title} (Người dân)` })).toBeVisible();
});

test('a member completes the member edition, marking lessons done', async ({ page, account }) => {
  const ed = course().editions.member!;
  await signIn(page, account);
  for (const lesson of ed.lessons) {
    await page.goto(paths.lesson(COURSE, 'member', lesson.id));
    await page.getByRole('button', { name: 'Tôi đã học xong bài này' }).click();
    await expect(page.getByText(`Đã lưu: bạn đã học xong bài «${lesson.title}»`)).toBeVisible();
  }
  await page.goto(paths.finalQuiz(COURSE, 'member'));
  await answerAllCorrectly(page, ed.finalPool);
  await page.getByRole('button', { name: 'Nộp bài' }).click();
  await expect(page.getByText(/Bạn đã hoàn thành khóa học/)).toBeVisible();
  await page.goto(paths.course(COURSE, 'member'));
  await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
});

test.describe('with JavaScript turned off', () => {
  test.use({ javaScriptEnabled: false });

  test('the final quiz works as plain forms, shows wrong answers with explanations but not the key', async ({ page, account }) => {
    const ed = course().editions.citizen!;
    await signIn(page, account);
    await page.goto(paths.finalQuiz(COURSE, 'citizen'));
    // Leave everything blank: allowed, and every question counts as wrong.
    await page.getByRole('button', { name: 'Nộp bài' }).click();
    await expect(page.getByText(`0/${ed.draw} câu đúng`)).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Các câu chưa đúng' })).toBeVisible();
    await expect(page.getByText('Bạn chưa trả lời câu này').first()).toBeVisible();
    await expect(page.getByText('Đáp án đúng')).toHaveCount(0);
    await page.getByRole('link', { name: 'Làm lại bài kiểm tra' }).click();
    await expect(page).toHaveURL(new RegExp(`${paths.finalQuiz(COURSE, 'citizen')}$`));
    await answerAllCorrectly(page, ed.finalPool);
    await page.getByRole('button', { name: 'Nộp bài' }).click();
    await expect(page.getByText(`${ed.draw}/${ed.draw} câu đúng`)).toBeVisible();
    await expect(page.getByText('Chúc mừng! Bạn đã qua bài kiểm tra.')).toBeVisible();
  });

  test('a guest’s check answers are kept across sign-in', async ({ page, account }) => {
    const lesson = course().editions.citizen!.lessons[2]!;
    await page.goto(paths.lesson(COURSE, 'citizen', lesson.id));
    await page.getByRole('link', { name: 'Làm bài kiểm tra nhanh' }).click();
    await answerAllCorrectly(page, lesson.check);
    await page.getByRole('button', { name: 'Nộp bài kiểm tra' }).click();
    await expect(page.getByText(/chưa đăng nhập nên tiến độ chưa được lưu/)).toBeVisible();
    await page.getByRole('link', { name: 'Đăng nhập để lưu' }).click();
    await page.getByLabel('Số điện thoại di động').fill(account.replace(/^(\d{4})(\d{3})(\d{3})$/, '$1 $2 $3'));
    await page.getByLabel('Mật khẩu').fill('hoc-thu-2026');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect(page.getByText('Tiến độ đã được lưu')).toBeVisible();
    await page.goto(paths.course(COURSE, 'citizen'));
    await expect(page.getByRole('listitem').filter({ hasText: lesson.title })).toContainText('đã học xong');
  });
});

test('sign-out ends the session', async ({ page, account }) => {
  await signIn(page, account);
  await page.goto('/tai-khoan');
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  // Wait for the sign-out to land (it redirects home) before navigating away, which would cancel it.
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: 'Đăng nhập' }).first()).toBeVisible();
  await page.goto('/tai-khoan');
  await expect(page).toHaveURL(/dang-nhap/);
});
