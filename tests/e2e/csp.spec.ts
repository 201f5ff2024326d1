/**
 * The Content-Security-Policy breaks nothing: every page's scripts run (text size, listening, search with
 * Pagefind's WebAssembly and worker, sharing, the countdown) and the browser reports no violation.
 */
import { expect, test, type Page } from '@playwright/test';
import { paths } from '../../src/lib/editions.ts';
import { getSchedule, nextSession } from '../../src/server/schedule/schedule.ts';
import { COURSE, course, signIn } from './helpers.ts';

/** Every CSP violation the browser reports, from `securitypolicyviolation` events and from the console. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.exposeFunction('__cspViolation', (v: string) => seen.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __cspViolation: (v: string) => void }).__cspViolation(`${location.pathname}: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} ${e.sample}`);
    });
  });
  const onConsole = (text: string, where: string) => {
    // Chromium logs each refusal ("Refused to execute inline script…"); Pagefind warns when its worker fails.
    if (/Content Security Policy|Refused to|Pagefind web worker/i.test(text)) seen.push(`${where}: ${text}`);
  };
  page.on('console', (m) => onConsole(m.text(), `console ${m.type()} ${page.url()}`));
  page.on('worker', (w) => w.on('console', (m) => onConsole(m.text(), `worker ${w.url()}`)));
  page.on('pageerror', (e) => seen.push(`page error ${page.url()}: ${e.message}`));
  return seen;
}

test('home page with its countdown: scripts run, no violations', async ({ page }) => {
  const seen = await watchViolations(page);
  const topic = nextSession(getSchedule());
  test.skip(!topic || topic.session.start.getTime() <= Date.now(), 'no session still to come, so no countdown');
  // The browser's clock two days and three hours before the session: the script's text is exact.
  await page.clock.install({ time: topic!.session.start.getTime() - (2 * 24 + 3) * 3600_000 });
  await page.goto('/');
  await expect(page.locator('.countdown')).toHaveText(' — còn 2 ngày 3 giờ nữa');
  await page.clock.runFor(60 * 60_000);
  await expect(page.locator('.countdown')).toHaveText(' — còn 2 ngày 2 giờ nữa');
  expect(seen).toEqual([]);
});

test('a lesson with listening and the text-size button', async ({ page }) => {
  const seen = await watchViolations(page);
  // A phone with a Vietnamese voice (Chromium on Linux has none).
  await page.addInitScript(() => {
    const spoken: string[] = [];
    (window as unknown as { __spoken: string[] }).__spoken = spoken;
    Object.defineProperty(window, 'speechSynthesis', {
      configurable: true,
      value: { getVoices: () => [{ lang: 'vi-VN', name: 'Tiếng Việt' }], speak: (u: { text: string }) => spoken.push(u.text), cancel() {}, addEventListener() {} },
    });
    (window as unknown as { SpeechSynthesisUtterance: unknown }).SpeechSynthesisUtterance = class {
      text: string;
      constructor(t: string) {
        this.text = t;
      }
    };
  });
  const lesson = course().editions.citizen!.lessons[0]!;
  await page.goto(paths.lesson(COURSE, 'citizen', lesson.id));
  await page.getByRole('button', { name: 'Nghe bài học' }).click();
  await expect(page.getByRole('button', { name: 'Dừng đọc' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __spoken: string[] }).__spoken.length)).toBe(1);

  const size = page.getByRole('button', { name: 'Chữ lớn' });
  await expect(size).toHaveAttribute('aria-pressed', 'false');
  await size.click();
  await expect(size).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('html')).toHaveClass(/chu-lon/);
  // The inline head script (allowed by its hash) applies the remembered size on the next page.
  await page.goto(paths.course(COURSE, 'citizen'));
  await expect(page.locator('html')).toHaveClass(/chu-lon/);
  await expect(page.getByRole('button', { name: 'Chữ lớn' })).toHaveAttribute('aria-pressed', 'true');
  expect(seen).toEqual([]);
});

test('search runs Pagefind (WebAssembly, worker) within the policy', async ({ page }) => {
  const seen = await watchViolations(page);
  await page.goto('/tim-kiem');
  await page.getByLabel(/Từ cần tìm/).fill('mật khẩu');
  await page.getByRole('button', { name: 'Tìm' }).click();
  await expect(page.getByRole('status')).toHaveText(/Tìm thấy \d+ bài học/, { timeout: 30_000 });
  await expect(page.locator('#ket-qua li').first()).toBeVisible();
  // A second query reuses the loaded index.
  await page.getByLabel(/Từ cần tìm/).fill('duong link la');
  await page.getByRole('button', { name: 'Tìm' }).click();
  await expect(page.getByRole('status')).toHaveText(/Tìm thấy \d+ bài học|Không tìm thấy/, { timeout: 30_000 });
  expect(seen).toEqual([]);
});

test('signed in: my certificates with sharing, the verification page, the account and a course with progress', async ({ page }) => {
  const seen = await watchViolations(page);
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
  expect(await page.evaluate(() => (window as unknown as { shared: ShareData[] }).shared.length)).toBe(1);
  const link = page.getByLabel(/Đường dẫn để chia sẻ/).first();
  await link.focus();
  await link.selectText();
  await page.getByRole('link', { name: 'Xem trang kiểm tra' }).first().click();
  await expect(page.getByText('Chứng nhận này còn hiệu lực.')).toBeVisible();
  for (const p of ['/', '/tai-khoan', paths.course(COURSE, 'citizen'), '/khong-co-trang-nay']) {
    await page.goto(p);
    await expect(page.locator('h1').first()).toBeVisible();
  }
  // The progress bar is drawn without an inline style.
  await page.context().clearCookies();
  await signIn(page, '0912000001');
  await page.goto(paths.course(COURSE, 'citizen'));
  await expect(page.getByRole('progressbar')).toBeVisible();
  const filled = await page.getByRole('progressbar').locator('rect').evaluate((r) => (r as SVGRectElement).getBBox().width);
  expect(filled).toBeGreaterThan(0);
  expect(seen).toEqual([]);
});

test('an official’s dashboard and a moderator’s pages', async ({ page }) => {
  const seen = await watchViolations(page);
  await signIn(page, '0912000010');
  await page.goto('/quan-ly');
  const unit = page.locator('a[href^="/quan-ly/don-vi/"]').first();
  await unit.click();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.context().clearCookies();
  await signIn(page, '0912000005');
  for (const p of ['/quan-tri/hoi-dap', `/quan-tri/diem-danh/${getSchedule().topics[0]!.month}`]) {
    await page.goto(p);
    await expect(page.locator('h1').first()).toBeVisible();
  }
  expect(seen).toEqual([]);
});
