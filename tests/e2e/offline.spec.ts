/**
 * Offline use in a real Chromium: installability, the app shell, lessons read offline, saving a course
 * edition, checks answered offline and sent once however often they are replayed, the update flow and
 * sign-out clearing. The network is cut with context.setOffline; every wait is for a condition.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { paths } from '../../src/lib/editions.ts';
import { answerAllCorrectly, COURSE, course, signIn, test } from './helpers.ts';

const SLOW = { timeout: 30_000 };

/**
 * Waits until the service worker controls the page. The first visit installs it and clientsClaim takes
 * over open pages, but a page whose navigation was in flight at the moment of activation is neither
 * claimed nor intercepted (Clients.claim skips clients not yet execution-ready): it stays uncontrolled
 * until its next load, as it would on a phone. So wait for an active worker, and load the page again
 * if that race left it uncontrolled.
 */
async function controlled(page: Page) {
  const isControlled = () => page.evaluate(() => Boolean(navigator.serviceWorker?.controller));
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  if (!(await isControlled())) await page.reload();
  await page.waitForFunction(() => Boolean(navigator.serviceWorker?.controller), undefined, SLOW);
}

/** Every text the device keeps in caches and IndexedDB (for leak checks and counting). */
export async function deviceText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const parts: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        const res = await cache.match(req);
        parts.push(`${name} ${req.url}\n${res ? await res.text() : ''}`);
      }
    }
    const dbs = (await indexedDB.databases?.()) ?? [{ name: 'hoc-so' }];
    for (const { name } of dbs) {
      if (!name) continue;
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const all = await new Promise<unknown[]>((ok, fail) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
        parts.push(`${name}/${store}\n${JSON.stringify(all)}`);
      }
      db.close();
    }
    return parts.join('\n');
  });
}

test('the site is installable: manifest and service worker pass Chromium’s installability check', async ({ baseURL }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-pwa-'));
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(dir, {
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
      baseURL,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await controlled(page);
    const manifest = await (await page.request.get('/manifest.webmanifest')).json();
    expect(manifest).toMatchObject({ lang: 'vi', short_name: 'Học Số', display: 'standalone', start_url: '/' });
    const cdp = await context.newCDPSession(page);
    // The check reads the manifest and icons itself; wait until it has an answer without errors.
    await expect
      .poll(async () => ((await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] }).installabilityErrors.map((e) => e.errorId), SLOW)
      .toEqual([]);
  } finally {
    await context?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a visited lesson stays readable offline; anything else shows the offline page with what is saved', async ({ page, context }) => {
  const ed = course().editions.citizen!;
  const lesson = ed.lessons[0]!;
  await page.goto(paths.lesson(COURSE, 'citizen', lesson.id));
  await controlled(page);
  // The first visit was before the worker controlled the page: visit again so it is kept.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: lesson.title })).toBeVisible();
  await expect.poll(() => page.evaluate(async (p) => Boolean(await caches.match(p)), paths.lesson(COURSE, 'citizen', lesson.id)), SLOW).toBe(true);
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: lesson.title })).toBeVisible();
  await page.goto(paths.lesson(COURSE, 'citizen', ed.lessons[1]!.id));
  await expect(page.getByRole('heading', { level: 1, name: 'Điện thoại đang không có mạng' })).toBeVisible();
  await expect(page.getByRole('link', { name: lesson.title })).toBeVisible();
  await page.goto(paths.finalQuiz(COURSE, 'citizen'));
  await expect(page.getByText('Bài kiểm tra cuối khóa cần có mạng')).toBeVisible();
  await context.setOffline(false);
});

/** The learner's stored lesson-check submissions for one lesson, from their own data download. */
async function storedChecks(page: Page, lessonId: string): Promise<number> {
  const data = (await (await page.request.get('/tai-khoan/du-lieu.json')).json()) as { lessonAnswers: { kind: string; lesson: string }[] };
  return data.lessonAnswers.filter((a) => a.kind === 'check' && a.lesson === lessonId).length;
}

/** Saves the citizen edition of COURSE from its course page. */
async function saveCourse(page: Page) {
  await page.goto(paths.course(COURSE, 'citizen'));
  await controlled(page);
  const box = page.getByRole('region', { name: 'Học khi không có mạng' });
  await expect(box.getByText(/Dung lượng: khoảng \d+(,\d)? (KB|MB) \(\d+ bài học/)).toBeVisible(SLOW);
  await box.getByRole('button', { name: 'Tải khóa học' }).click();
  await expect(box.getByText(/^Đã lưu khóa học/)).toBeVisible(SLOW);
}

test('a saved course is read offline, a check answered offline is graded once back online, and stored once after three replays', async ({ page, context, account }) => {
  const lesson = course().editions.citizen!.lessons[1]!;
  await signIn(page, account);
  await saveCourse(page);
  await page.goto('/da-luu');
  await expect(page.getByRole('heading', { level: 3, name: `${course().title} (Người dân)` })).toBeVisible();

  await context.setOffline(true);
  await page.goto(paths.lesson(COURSE, 'citizen', lesson.id));
  await expect(page.getByRole('heading', { level: 1, name: lesson.title })).toBeVisible();
  await page.getByRole('link', { name: 'Làm bài kiểm tra nhanh' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Kiểm tra nhanh: ${lesson.title}` })).toBeVisible();
  await answerAllCorrectly(page, lesson.check);
  await page.getByRole('button', { name: 'Nộp bài kiểm tra' }).click();
  await expect(page.getByText('Đã lưu — sẽ chấm khi có mạng.').first()).toBeVisible();
  const queued = page.getByRole('listitem').filter({ hasText: `Kiểm tra nhanh — ${lesson.title}` });
  await expect(queued).toContainText('sẽ chấm khi có mạng');

  await context.setOffline(false);
  await expect(queued).toContainText('đã chấm', SLOW);
  await queued.getByRole('link', { name: 'Xem kết quả' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Kết quả kiểm tra/ })).toBeVisible();
  expect(await storedChecks(page, lesson.id)).toBe(1);

  // Three more replays of the very same item (what a flaky link or Background Sync may do).
  const results = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok) => {
      const r = indexedDB.open('hoc-so');
      r.onsuccess = () => ok(r.result);
    });
    const items = await new Promise<{ key: string; url: string; body: string }[]>((ok) => {
      const r = db.transaction('queue').objectStore('queue').getAll();
      r.onsuccess = () => ok(r.result);
    });
    const out: string[] = [];
    for (let i = 0; i < 3; i++) {
      const p = new URLSearchParams(items[0]!.body);
      p.set('key', items[0]!.key);
      const r = await fetch(items[0]!.url, { method: 'POST', body: p, credentials: 'same-origin' });
      out.push(new URL(r.url).searchParams.get('ket-qua') ?? `status ${r.status}`);
    }
    return { count: items.length, out };
  });
  expect(results.count).toBe(1);
  expect(new Set(results.out).size).toBe(1);
  expect(results.out[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(await storedChecks(page, lesson.id)).toBe(1);
});

test('a saved lesson whose deployed version changed says “có bản mới” until the course is updated', async ({ page, account }) => {
  const lesson = course().editions.citizen!.lessons[0]!;
  const url = paths.lesson(COURSE, 'citizen', lesson.id);
  await signIn(page, account);
  await saveCourse(page);
  // What the phone saved is now older than the deployed lesson: the hash recorded at saving differs.
  await page.evaluate(async (u) => {
    const db = await new Promise<IDBDatabase>((ok) => {
      const r = indexedDB.open('hoc-so');
      r.onsuccess = () => ok(r.result);
    });
    const tx = db.transaction('courses', 'readwrite');
    const store = tx.objectStore('courses');
    const all = await new Promise<{ lessons: { url: string; hash: string }[] }[]>((ok) => {
      const r = store.getAll();
      r.onsuccess = () => ok(r.result);
    });
    for (const c of all) {
      for (const l of c.lessons) if (l.url === u) l.hash = 'ban-cu';
      store.put(c);
    }
    await new Promise((ok) => (tx.oncomplete = ok));
  }, url);
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1, name: lesson.title })).toBeVisible();
  await expect(page.getByText('Bài học này có bản mới.')).toBeVisible();
  await page.getByRole('link', { name: 'Cập nhật khóa học đã lưu' }).click();
  const saved = page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3, name: `${course().title} (Người dân)` }) });
  await expect(saved.getByText('Có bản mới của 1 bài học.')).toBeVisible(SLOW);
  await saved.getByRole('button', { name: 'Cập nhật' }).click();
  await expect(saved.getByText('Đã cập nhật.')).toBeVisible(SLOW);
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1, name: lesson.title })).toBeVisible();
  await expect(page.getByText('Bài học này có bản mới.')).toHaveCount(0);
});

test('signing out with answers still waiting warns first, then clears the account’s caches and queue', async ({ page, context, account }) => {
  const lesson = course().editions.citizen!.lessons[2]!;
  await signIn(page, account);
  await saveCourse(page);
  const userCaches = () => page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith('hs-rieng-')).length);
  expect(await userCaches()).toBe(1);
  await page.goto('/tai-khoan');
  // Another tab answers a check offline.
  const other = await context.newPage();
  await context.setOffline(true);
  await other.goto(paths.check(COURSE, 'citizen', lesson.id));
  await answerAllCorrectly(other, lesson.check);
  await other.getByRole('button', { name: 'Nộp bài kiểm tra' }).click();
  await expect(other.getByText('Đã lưu — sẽ chấm khi có mạng.').first()).toBeVisible();
  await other.close();

  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  const warning = page.getByRole('alert').filter({ hasText: 'chưa được gửi đi để chấm' });
  await expect(warning).toContainText('Còn 1 bài làm');
  await expect(warning).toContainText('Điện thoại đang không có mạng');
  await context.setOffline(false);
  await warning.getByRole('button', { name: /Vẫn đăng xuất|Đăng xuất/ }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: 'Đăng nhập' }).first()).toBeVisible();
  expect(await userCaches()).toBe(0);
  const accountItems = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok) => {
      const r = indexedDB.open('hoc-so');
      r.onsuccess = () => ok(r.result);
    });
    const all = await new Promise<{ owner: string }[]>((ok) => {
      const r = db.transaction('queue').objectStore('queue').getAll();
      r.onsuccess = () => ok(r.result);
    });
    return all.filter((i) => i.owner !== 'khach').length;
  });
  expect(accountItems).toBe(0);
  // Public lessons saved on the phone stay readable.
  expect(await page.evaluate(async (u) => Boolean(await (await caches.open('hs-luu')).match(u)), paths.lesson(COURSE, 'citizen', lesson.id))).toBe(true);
});

/** “Lượt hỗ trợ tháng này” on the demo team's household dashboard, as its leader sees it. */
async function teamVisitsThisMonth(browser: Browser): Promise<number> {
  const ctx = await browser.newContext();
  try {
    const p = await ctx.newPage();
    await signIn(p, '0912000011');
    await p.goto('/quan-ly');
    const team = await p.locator('a[href^="/quan-ly/to/"]').first().getAttribute('href');
    await p.goto(`${/^\/quan-ly\/to\/\d+/.exec(team!)![0]}/ho-gia-dinh`);
    const figure = p.locator('dt', { hasText: 'Lượt hỗ trợ tháng này' }).locator('xpath=following-sibling::dd');
    return Number((await figure.textContent())!.replace(/\D/g, ''));
  } finally {
    await ctx.close();
  }
}

/** The demo member signs in and opens the visit form online; the worker keeps it in this account's cache. */
async function openVisitFormAsMember(page: Page) {
  await signIn(page, '0912000002');
  await controlled(page);
  await page.goto('/to-cua-toi/luot-ho-tro');
  await expect.poll(() => page.evaluate(async () => Boolean(await caches.match('/to-cua-toi/luot-ho-tro'))), SLOW).toBe(true);
}

/** Records a visit to the demo household with the connection cut; it waits in the phone's queue. */
async function recordVisitOffline(page: Page, context: BrowserContext, person: string) {
  await context.setOffline(true);
  await page.goto('/to-cua-toi/luot-ho-tro');
  await page.getByLabel('Hộ gia đình').selectOption({ label: 'Hộ ông Sáu (mẫu)' });
  await page.getByLabel('Người được hỗ trợ').fill(person);
  await page.getByRole('checkbox', { name: 'Thanh toán trực tuyến' }).check();
  await page.getByRole('button', { name: 'Lưu lượt hỗ trợ' }).click();
  await expect(page.getByText('Đã lưu lượt hỗ trợ — sẽ gửi khi có mạng.')).toBeVisible();
}

test('a help visit recorded offline waits on the phone, then is stored once the connection returns', async ({ page, context, browser }) => {
  const person = `bà Offline ${Date.now() % 100000}`;
  const before = await teamVisitsThisMonth(browser);
  await openVisitFormAsMember(page);
  await recordVisitOffline(page, context, person);
  const item = page.getByRole('listitem').filter({ hasText: 'Lượt hỗ trợ: Hộ ông Sáu (mẫu)' });
  await expect(item).toContainText('đang chờ gửi');
  await context.setOffline(false);
  await expect(item).toContainText('đã gửi', SLOW);
  await item.getByRole('link', { name: 'Xem lượt hỗ trợ' }).click();
  await expect(page.locator('main')).toContainText(person);
  // The team's dashboard counts it (other tests may add visits too, never remove them).
  expect(await teamVisitsThisMonth(browser)).toBeGreaterThanOrEqual(before + 1);
});

test('a team’s households left on a shared phone are not shown offline to the next person when the session ended without signing out', async ({ page, context }) => {
  await openVisitFormAsMember(page);
  // The session ends without the sign-out form (it expired, or was ended from another device); a citizen signs in.
  await context.clearCookies();
  await signIn(page, '0912000001');
  await expect.poll(() => page.evaluate(async () => Boolean(await caches.match('/to-cua-toi/luot-ho-tro'))), SLOW).toBe(false);
  await context.setOffline(true);
  await page.goto('/to-cua-toi/luot-ho-tro');
  await expect(page.getByRole('heading', { level: 1, name: 'Điện thoại đang không có mạng' })).toBeVisible();
  await expect(page.getByText('Hộ ông Sáu (mẫu)')).toHaveCount(0);
  await context.setOffline(false);
});

test('a help visit queued by one account waits for it: the next person on the phone sees no household, and it is sent once the account is back', async ({ page, context }) => {
  const person = `ông Chờ ${Date.now() % 100000}`;
  await openVisitFormAsMember(page);
  await recordVisitOffline(page, context, person);
  // The member's session ends without the sign-out form; a citizen signs in on the phone, looks, and signs out.
  await context.clearCookies();
  await context.setOffline(false);
  await signIn(page, '0912000001');
  await page.goto('/da-luu');
  await expect(page.getByRole('listitem').filter({ hasText: 'Lượt hỗ trợ của một tài khoản khác' })).toBeVisible(SLOW);
  await expect(page.getByText('Hộ ông Sáu')).toHaveCount(0);
  await page.goto('/tai-khoan');
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page).toHaveURL(/\/$/);
  // The member is back: the visit is sent and stored.
  await signIn(page, '0912000002');
  await page.goto('/da-luu');
  const item = page.getByRole('listitem').filter({ hasText: 'Lượt hỗ trợ: Hộ ông Sáu (mẫu)' }).filter({ hasText: 'đã gửi' });
  await expect(item).toBeVisible(SLOW);
  await item.first().getByRole('link', { name: 'Xem lượt hỗ trợ' }).click();
  await expect(page.locator('main')).toContainText(person);
});

test('signing out without a connection shows the Vietnamese offline page, not the browser’s error', async ({ page, context, account }) => {
  await signIn(page, account);
  await page.goto('/tai-khoan');
  await controlled(page);
  await context.setOffline(true);
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Điện thoại đang không có mạng' })).toBeVisible();
  await context.setOffline(false);
});
