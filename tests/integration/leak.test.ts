/**
 * Nothing that gives a quiz answer away reaches the browser before the answer is submitted.
 * A fixture course plants unique markers in option ids (the keys), in question ids (one named like
 * a verdict, "…-that", another "…-lua") and in every explanation; the site is built from it, then
 * the client files and every quiz-page response are scanned, and every form control's name, value
 * and id on the quiz pages must be positional, never derived from an id or a verdict.
 * The server runs with NODE_ENV=production, which also shows Secure cookies and no demo data.
 * Offline use (issue 11): the service worker, its precache list and the edition manifests are client
 * files, scanned like the rest; and a real Chromium saves the fixture course, answers a check offline
 * and sends it, then everything the device keeps (caches and IndexedDB) is read back and scanned.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Page } from '@playwright/test';
import { paths } from '../../src/lib/editions.ts';
import { loadCatalog } from '../../src/server/content/catalog.ts';
import { choiceIds } from '../../src/server/learning/quiz.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';

const run = promisify(execFile);
const MARKER = /mkleak/i;
const FIXTURE = path.resolve('tests/fixtures/content');
// Inside the project: the built server imports packages from node_modules.
const out = path.resolve(fs.mkdtempSync('dist-fixture-'));
let server: TestServer;

beforeAll(async () => {
  await run(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
    env: { ...process.env, NODE_ENV: 'production', CONTENT_DIR: FIXTURE, ASTRO_OUT_DIR: out, ASTRO_TELEMETRY_DISABLED: '1' },
    maxBuffer: 50 * 1024 * 1024,
  }).catch((e: { stderr: string; stdout: string }) => {
    throw new Error(`fixture build failed:\n${e.stdout.slice(-3000)}\n${e.stderr.slice(-3000)}`);
  });
  // The offline step of `npm run build`: edition manifests and the service worker with its precache list.
  await run(process.execPath, ['src/cli/service-worker.ts'], { env: { ...process.env, CONTENT_DIR: FIXTURE, ASTRO_OUT_DIR: out } }).catch((e: { stderr: string; stdout: string }) => {
    throw new Error(`service worker build failed:\n${e.stdout.slice(-3000)}\n${e.stderr.slice(-3000)}`);
  });
  server = await startServer({ DIST_DIR: out, CONTENT_DIR: FIXTURE, NODE_ENV: 'production', SEED_DEMO: '0', FORM_SECRET: 'leak-test-form-secret-0123456789abcdefgh' });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  fs.rmSync(out, { recursive: true, force: true });
});

const LESSONS = { citizen: ['bai-chung-mot', 'bai-chung-hai'], member: ['bai-chung-mot', 'bai-chung-hai', 'bai-thanh-vien'] } as const;

/**
 * Every name, value, id and for attribute inside the page's forms, except the sealed token and the
 * attempt id (checked on their own: the marker scan covers them, and the token is encrypted).
 */
function formAttributes(html: string): { attr: string; value: string }[] {
  const out: { attr: string; value: string }[] = [];
  for (const form of html.matchAll(/<form[\s\S]*?<\/form>/g)) {
    for (const tag of form[0].matchAll(/<[a-z]+\b[^>]*>/g)) {
      const attrs = [...tag[0].matchAll(/\s([a-z-]+)="([^"]*)"/g)].map((m) => ({ attr: m[1]!, value: m[2]! }));
      const hidden = attrs.some((a) => a.attr === 'name' && (a.value === 'token' || a.value === 'attempt' || a.value === 'owner'));
      for (const a of attrs) {
        if (hidden && a.attr === 'value') continue;
        if (['name', 'value', 'id', 'for', 'aria-describedby', 'aria-labelledby'].includes(a.attr)) out.push(a);
      }
    }
  }
  return out;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

describe('answer keys never reach the browser before submission', () => {
  it('the markers really are in the fixture content', () => {
    const text = walk(FIXTURE).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    expect(text.match(/MKLEAKEXPL/g)!.length).toBeGreaterThanOrEqual(10);
    const course = loadCatalog(FIXTURE).bySlug.get('khoa-thu-nghiem')!;
    expect([...course.questions.keys()].filter((id) => MARKER.test(id)).sort()).toEqual(['c2-tf-mkleak-that', 'f2-mkleak-lua']);
  });

  it('no built client file contains a key or an explanation', () => {
    const files = walk(path.join(out, 'client'));
    expect(files.some((f) => f.endsWith('.html'))).toBe(true);
    // The service worker, its precache list and the edition manifests are among them.
    for (const f of ['sw.js', 'offline/khoa-thu-nghiem/nguoi-dan.json', 'offline/khoa-thu-nghiem/thanh-vien.json']) expect(files).toContain(path.join(out, 'client', f));
    expect(fs.readFileSync(path.join(out, 'client', 'sw.js'), 'utf8')).toMatch(/"url":"\/ngoai-tuyen"/);
    for (const f of files) expect(fs.readFileSync(f).toString('utf8'), f).not.toMatch(MARKER);
  });

  it('no quiz page response contains one either, in any edition', async () => {
    const c = new Client(server.url);
    const signup = await c.post('/dang-ky', { displayName: 'Người Dò Tìm', phone: '0912777777', password: 'vườn nhà có ba cây bưởi', next: '/' });
    expect(signup.status).toBe(303);
    // Production: the session cookie is Secure.
    expect(signup.headers.getSetCookie().find((x) => x.startsWith('__Host-hs_session='))).toMatch(/Secure/); // __Host- prefixed in production
    const pages: string[] = ['/', '/khoa-hoc', '/tai-khoan'];
    for (const e of ['citizen', 'member'] as const) {
      pages.push(paths.course('khoa-thu-nghiem', e), paths.finalQuiz('khoa-thu-nghiem', e));
      for (const l of LESSONS[e]) pages.push(paths.lesson('khoa-thu-nghiem', e, l), paths.check('khoa-thu-nghiem', e, l));
    }
    for (const p of pages) {
      // Twice: a fresh attempt and a resumed one.
      for (let i = 0; i < 2; i++) {
        const r = await c.get(p);
        expect(r.status, p).toBe(200);
        expect(await r.text(), p).not.toMatch(MARKER);
      }
    }
    const health = await c.get('/healthz');
    expect(await health.text()).not.toMatch(MARKER);
  });

  it('names quiz fields, values and ids by position only, for guests and learners, lesson checks and final quizzes', async () => {
    const course = loadCatalog(FIXTURE).bySlug.get('khoa-thu-nghiem')!;
    // Everything authored that must not show through: question ids, choice ids, verdict words.
    const authored = [...course.questions.values()].flatMap((q) => [q.id, ...choiceIds(q)]);
    const forbidden = [...authored, 'true', 'false', 'lua', 'that', 'dung', 'sai', 'correct', 'answer', 'dap-an'];
    const learner = new Client(server.url);
    await learner.post('/dang-ky', { displayName: 'Người Xem Mã', phone: '0912777779', password: 'vườn nhà có ba cây bưởi', next: '/' });
    const guest = new Client(server.url);
    const quizPages: [Client, string][] = [];
    for (const e of ['citizen', 'member'] as const) {
      quizPages.push([learner, paths.finalQuiz('khoa-thu-nghiem', e)]);
      for (const l of LESSONS[e]) quizPages.push([learner, paths.check('khoa-thu-nghiem', e, l)], [guest, paths.check('khoa-thu-nghiem', e, l)]);
    }
    let controls = 0;
    for (const [client, p] of quizPages) {
      const html = await (await client.get(p)).text();
      expect(html, p).toMatch(/<fieldset/);
      for (const { attr, value } of formAttributes(html)) {
        for (const word of forbidden) expect(value.toLowerCase(), `${p}: ${attr}="${value}"`).not.toContain(word);
        // t<i>: the time spent on question i (item analysis), positional like the answers.
        if (attr === 'name') expect(value, p).toMatch(/^(token|attempt|owner|t\d+|q\d+(-\d+)?)$/);
        if (attr === 'value') expect(value, p).toMatch(/^\d*$/);
        if (attr === 'id' || attr === 'for') expect(value, p).toMatch(/^cau-q\d+(-\d+|-goi-y)?$/);
        controls++;
      }
    }
    expect(controls).toBeGreaterThan(100);
  });

  it('explanations appear only after submitting, and final results never show the correct option', async () => {
    const c = new Client(server.url);
    await c.post('/dang-ky', { displayName: 'Người Làm Bài', phone: '0912777778', password: 'vườn nhà có ba cây bưởi', next: '/' });
    const checkPath = paths.check('khoa-thu-nghiem', 'citizen', 'bai-chung-mot');
    const token = /name="token" value="([^"]+)"/.exec(await (await c.get(checkPath)).text())![1]!;
    const check = await c.post(checkPath, { token });
    const feedback = await (await c.get(check.headers.get('location')!)).text();
    expect(feedback).toContain('MKLEAKEXPL-C1');
    const quizPath = paths.finalQuiz('khoa-thu-nghiem', 'citizen');
    const attempt = /name="attempt" value="([^"]+)"/.exec(await (await c.get(quizPath)).text())![1]!;
    const submitted = await c.post(quizPath, { attempt });
    const result = await (await c.get(submitted.headers.get('location')!)).text();
    expect(result).toMatch(/MKLEAKEXPL-F/); // explanations of the wrong (blank) answers
    expect(result).not.toMatch(/Đáp án đúng/);
    for (const text of ['Lừa đảo', 'Ý A', 'Làm trước']) expect(result).not.toContain(text); // option texts of the keys
  });

  it('seeds no demo accounts in production', async () => {
    const c = new Client(server.url);
    const r = await c.post('/dang-nhap', { phone: '0912000001', password: 'hoc-thu-2026' });
    expect(r.status).toBe(401);
  });
});

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Everything the device keeps for this site: every cached response and every IndexedDB record. */
async function deviceText(page: Page): Promise<{ text: string; caches: string[]; records: number }> {
  return page.evaluate(async () => {
    const parts: string[] = [];
    const names = await caches.keys();
    for (const name of names) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        const res = await cache.match(req);
        parts.push(`${name} ${req.url}\n${res ? await res.text() : ''}`);
      }
    }
    let records = 0;
    for (const { name } of await indexedDB.databases()) {
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
        records += all.length;
        parts.push(`${name}/${store}\n${JSON.stringify(all)}`);
      }
      db.close();
    }
    return { text: parts.join('\n'), caches: names, records };
  });
}

describe('nothing the device keeps for offline use gives an answer away', () => {
  it.skipIf(!fs.existsSync(CHROMIUM))('scans the service worker caches and IndexedDB after saving the course and answering a check offline', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'] });
    try {
      const context = await browser.newContext({ baseURL: server.url });
      const page = await context.newPage();
      const signup = await context.request.post('/dang-ky', {
        form: { displayName: 'Người Dò Máy', phone: '0912777780', password: 'vườn nhà có ba cây bưởi', next: '/' },
        headers: { origin: server.url },
        maxRedirects: 0,
      });
      expect(signup.status()).toBe(303);
      for (const e of ['nguoi-dan', 'thanh-vien']) {
        await page.goto(`/khoa-hoc/khoa-thu-nghiem/${e}`);
        await page.waitForFunction(() => Boolean(navigator.serviceWorker?.controller), undefined, { timeout: 30_000 });
        await page.getByRole('button', { name: 'Tải khóa học' }).click();
        await page.getByText(/^Đã lưu khóa học/).waitFor({ timeout: 30_000 });
      }
      // A visited lesson (runtime cache) and a check answered offline (IndexedDB queue).
      await page.goto(paths.lesson('khoa-thu-nghiem', 'member', 'bai-thanh-vien'));
      await page.reload();
      await context.setOffline(true);
      await page.goto(paths.check('khoa-thu-nghiem', 'citizen', 'bai-chung-mot'));
      await page.locator('form fieldset input').first().check();
      await page.getByRole('button', { name: 'Nộp bài kiểm tra' }).click();
      await page.getByText('Đã lưu — sẽ chấm khi có mạng.').first().waitFor();
      const offline = await deviceText(page);
      expect(offline.caches.some((n) => n.startsWith('hs-rieng-'))).toBe(true);
      expect(offline.text).toContain('Kiểm tra nhanh');
      expect(offline.text).not.toMatch(MARKER);
      // Back online, the answer is graded (its result page carries explanations: it is never stored).
      await context.setOffline(false);
      await page.locator('li[data-trang-thai="sent"]').waitFor({ timeout: 30_000 });
      const after = await deviceText(page);
      expect(after.records).toBeGreaterThanOrEqual(3);
      expect(after.text).toMatch(/ket-qua=/);
      expect(after.text).not.toMatch(MARKER);
      await context.close();
    } finally {
      await browser.close();
    }
  }, 180_000);
});

describe('offline replays over HTTP', () => {
  it('marks refusals a device must not retry, and stores a replayed key once', async () => {
    const c = new Client(server.url);
    await c.post('/dang-ky', { displayName: 'Người Gửi Lại', phone: '0912777781', password: 'vườn nhà có ba cây bưởi', next: '/' });
    const checkPath = paths.check('khoa-thu-nghiem', 'citizen', 'bai-chung-mot');
    const html = await (await c.get(checkPath)).text();
    const token = /name="token" value="([^"]+)"/.exec(html)![1]!;
    const owner = /name="owner" value="([^"]+)"/.exec(html)![1]!;
    expect(owner).not.toBe('khach');
    const key = '6d0f7a3e-1b2c-4d5e-8f90-123456789abc';
    const locations = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = await c.post(checkPath, { token, owner, key });
      expect(r.status).toBe(303);
      locations.add(r.headers.get('location')!);
    }
    expect(locations.size).toBe(1);
    const wrongOwner = await c.post(checkPath, { token, owner: 'AAAAAAAAAAAAAAAAAAAAAA', key: '6d0f7a3e-1b2c-4d5e-8f90-123456789abd' });
    expect(wrongOwner.status).toBe(409);
    expect(wrongOwner.headers.get('x-hocso-outcome')).toBe('owner');
    const otherLesson = await c.post(paths.check('khoa-thu-nghiem', 'citizen', 'bai-chung-hai'), { token, owner, key: '6d0f7a3e-1b2c-4d5e-8f90-123456789abe' });
    expect(otherLesson.status).toBe(400);
    expect(otherLesson.headers.get('x-hocso-outcome')).toBe('invalid');
    const data = (await (await c.get('/tai-khoan/du-lieu.json')).json()) as { lessonAnswers: { kind: string }[] };
    expect(data.lessonAnswers.filter((a) => a.kind === 'check')).toHaveLength(1);
  });
});
