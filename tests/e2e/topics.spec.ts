/** The monthly topic journey with JavaScript off: ask before the session, a moderator answers, the FAQ shows. */
import { expect, test } from '@playwright/test';
import { paths } from '../../src/lib/editions.ts';
import { getSchedule, monthLabel, nextSession } from '../../src/server/schedule/schedule.ts';
import { signIn } from './helpers.ts';

test.use({ javaScriptEnabled: false });

test('a member asks a question, a moderator answers it, and it shows as FAQ on the topic and course pages', async ({ page, browser }) => {
  const topic = nextSession(getSchedule())!;
  expect(topic, 'the schedule has a session still to come').toBeTruthy();
  const question = `Khi nào thì nên cập nhật trình duyệt trên điện thoại? (${Date.now()})`;
  const answer = 'Khi điện thoại báo có bản cập nhật từ kho ứng dụng chính thức; đừng cập nhật từ đường link lạ.';

  await page.goto('/');
  await expect(page.getByRole('link', { name: 'Đặt câu hỏi trước' })).toBeVisible();
  await signIn(page, '0912000002');
  await page.goto(`/lich/${topic.month}`);
  await expect(page.getByRole('heading', { level: 1, name: `Chuyên đề ${monthLabel(topic.month)}: ${topic.course.title}` })).toBeVisible();
  await page.getByLabel('Câu hỏi của bạn').fill(question);
  await page.getByRole('button', { name: 'Gửi câu hỏi' }).click();
  await expect(page.getByRole('status')).toContainText('Đã gửi câu hỏi');
  const mine = page.getByRole('region', { name: 'Câu hỏi của bạn' }).getByRole('listitem').filter({ hasText: question });
  await expect(mine).toContainText('Đang chờ duyệt');

  const modContext = await browser.newContext({ javaScriptEnabled: false });
  const mod = await modContext.newPage();
  await signIn(mod, '0912000005');
  await mod.goto('/quan-tri/hoi-dap');
  const card = mod.getByRole('listitem').filter({ hasText: question });
  await card.getByLabel('Câu trả lời').fill(answer);
  await card.getByRole('button', { name: 'Lưu câu trả lời' }).click();
  await expect(mod.getByRole('status')).toContainText('Đã lưu câu trả lời');
  await modContext.close();

  await page.goto(`/lich/${topic.month}`);
  await expect(page.getByRole('region', { name: 'Câu hỏi của bạn' }).getByRole('listitem').filter({ hasText: question })).toContainText('Đã trả lời');
  const faq = page.getByRole('region', { name: 'Giải đáp' });
  await expect(faq).toContainText(question);
  await expect(faq).toContainText(answer);

  await page.goto(paths.course(topic.course.slug, topic.course.editions[0]!));
  const courseFaq = page.getByRole('region', { name: 'Hỏi đáp' });
  await expect(courseFaq).toContainText(question);
  await expect(courseFaq).toContainText(answer);
});

test('the year page lists the sessions and offers the calendar feed without JavaScript', async ({ page, request }) => {
  await page.goto('/lich');
  const topic = nextSession(getSchedule())!;
  await page.goto(`/lich?nam=${topic.month.slice(0, 4)}`);
  await expect(page.getByRole('link', { name: new RegExp(topic.course.title) }).first()).toBeVisible();
  const feed = await request.get(await page.getByRole('link', { name: 'Tải tệp lịch (.ics)' }).getAttribute('href') ?? '');
  expect(feed.headers()['content-type']).toBe('text/calendar; charset=utf-8');
  expect(await feed.text()).toContain('BEGIN:VCALENDAR');
});
