/** The built site over HTTP: health, compression, CSRF, bad input, page weight, error pages. */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCatalog } from '../../src/server/content/catalog.ts';
import { paths } from '../../src/lib/editions.ts';
import type { Edition } from '../../src/lib/content/schema.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';

let server: TestServer;
const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|Error:/;

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer();
});
afterAll(() => server?.stop());

const LESSON = paths.lesson('trinh-duyet-an-toan', 'citizen', 'doc-dia-chi');

async function signUp(c: Client, phone: string) {
  const r = await c.post('/dang-ky', { displayName: 'Nguyễn Văn Thử', phone, password: 'vườn nhà có ba cây bưởi', next: '/' });
  expect(r.status).toBe(303);
  return r;
}

describe('health and compression', () => {
  it('reports the database kind', async () => {
    const r = await fetch(`${server.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok', database: process.env.DATABASE_URL ? 'postgres' : 'pglite' });
  });

  it.each([
    ['br', LESSON],
    ['gzip', LESSON],
    ['br', '/khoa-hoc'],
    ['gzip', '/'],
  ])('compresses with %s (%s)', async (enc, p) => {
    const r = await fetch(server.url + p, { headers: { 'accept-encoding': enc } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-encoding')).toBe(enc);
  });
});

describe('cross-site requests', () => {
  it('refuses a cross-site form POST', async () => {
    const c = new Client(server.url);
    const r = await c.post('/dang-nhap', { phone: '0912345678', password: 'x' }, { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
  });

  it('refuses cross-site JSON, with or without Origin', async () => {
    for (const headers of [
      { origin: 'https://evil.example', 'content-type': 'application/json' } as Record<string, string>,
      { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      { 'content-type': 'application/json' },
    ]) {
      const r = await fetch(`${server.url}${LESSON}/kiem-tra`, { method: 'POST', headers, body: '{}' });
      expect(r.status).toBe(403);
      expect((await r.json()).error).toMatch(/từ chối/);
    }
  });

  it('sets the session cookie HttpOnly and SameSite=Lax', async () => {
    const c = new Client(server.url);
    const r = await signUp(c, '0912000111');
    const cookie = r.headers.getSetCookie().find((x) => x.startsWith('hs_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // not production
  });
});

describe('bad input gets a clear Vietnamese 4xx, never a stack trace', () => {
  const cases: [string, (c: Client) => Promise<Response>, number, RegExp][] = [
    ['unknown course', (c) => c.get('/khoa-hoc/khong-co/nguoi-dan'), 404, /Không tìm thấy/],
    ['unknown edition', (c) => c.get('/khoa-hoc/trinh-duyet-an-toan/ai-do'), 404, /Không tìm thấy/],
    ['unknown lesson', (c) => c.get('/khoa-hoc/trinh-duyet-an-toan/nguoi-dan/khong-co'), 404, /Không tìm thấy/],
    ['check for an unknown lesson', (c) => c.post('/khoa-hoc/trinh-duyet-an-toan/nguoi-dan/khong-co/kiem-tra', { 'q-x': '0' }), 404, /Không tìm thấy bài học/],
    ['member-only lesson in the citizen edition', (c) => c.post('/khoa-hoc/trinh-duyet-an-toan/nguoi-dan/kich-ban-huong-dan/hoan-thanh', {}), 404, /Không tìm thấy bài học/],
    ['answer to a question not in the lesson', (c) => c.post(`${LESSON}/kiem-tra`, { 'q-khong-co': '0' }), 400, /không có trong bài/],
    ['two answers to a single-choice question', (c) => c.post(`${LESSON}/kiem-tra`, [['q-dda-1', '0'], ['q-dda-1', '1']]), 400, /nhiều hơn một/],
    ['an answer of the wrong type', (c) => c.post(`${LESSON}/kiem-tra`, { 'q-dda-1': 'đúng' }), 400, /không hợp lệ/],
    ['an oversized form', (c) => c.post(`${LESSON}/kiem-tra`, { 'q-dda-1': 'x'.repeat(100_000) }), 413, /quá lớn/],
    [
      'a body that is not a form',
      (c) => c.request(`${LESSON}/kiem-tra`, { method: 'POST', headers: { origin: c.base, 'content-type': 'text/plain' }, body: 'xin chào' }),
      415,
      /biểu mẫu/,
    ],
    ['a result that does not exist', (c) => c.get(`${LESSON}/kiem-tra?ket-qua=00000000-0000-0000-0000-000000000000`), 404, /Không tìm thấy/],
    ['a malformed result id', (c) => c.get(`${LESSON}/kiem-tra?ket-qua=%27%3B--`), 404, /Không tìm thấy/],
    ['a bad phone number at sign-up', (c) => c.post('/dang-ky', { displayName: 'Bà Tư', phone: '0123', password: 'vườn nhà có ba cây bưởi' }), 400, /10 chữ số/],
    ['an oversized name at sign-up', (c) => c.post('/dang-ky', { displayName: 'A'.repeat(500), phone: '0912000222', password: 'vườn nhà có ba cây bưởi' }), 400, /tối đa 80/],
    ['a short password', (c) => c.post('/dang-ky', { displayName: 'Bà Tư', phone: '0912000223', password: 'ngắn' }), 400, /ít nhất 8/],
    ['a missing password at sign-in', (c) => c.post('/dang-nhap', { phone: '0912000224' }), 400, /mật khẩu/],
  ];
  it.each(cases)('%s', async (_, send, status, message) => {
    const r = await send(new Client(server.url));
    expect(r.status).toBe(status);
    const body = await r.text();
    expect(body).toMatch(message);
    expect(body).toContain('lang="vi"');
    expect(body).not.toMatch(STACK);
  });

  it('refuses tampered final-quiz submissions and keeps the attempt open', async () => {
    const c = new Client(server.url);
    await signUp(c, '0912000333');
    const quizPath = paths.finalQuiz('trinh-duyet-an-toan', 'citizen');
    const page = await (await c.get(quizPath)).text();
    const attempt = /name="attempt" value="([^"]+)"/.exec(page)![1]!;
    const drawn = [...page.matchAll(/name="q-([a-z0-9-]+?)(?:--\d+)?"/g)].map((m) => m[1]);
    const pool = getCatalog().bySlug.get('trinh-duyet-an-toan')!.editions.citizen!.finalPool.map((q) => q.id);
    const notDrawn = pool.find((id) => !drawn.includes(id))!;
    for (const fields of [
      [['attempt', attempt], [`q-${notDrawn}`, '0']],
      [['attempt', attempt], ['q-bogus', '0']],
      [['attempt', 'không-phải-id']],
    ] as [string, string][][]) {
      const r = await c.post(quizPath, fields);
      expect(r.status).toBe(400);
      expect(await r.text()).toMatch(/không hợp lệ/);
    }
    // The same attempt is still open: the page shows it again.
    expect(await (await c.get(quizPath)).text()).toContain(attempt);
  });
});

describe('guests', () => {
  it('asks guests to sign in for the final quiz and keeps their check answers across sign-in', async () => {
    const c = new Client(server.url);
    const quiz = await c.get(paths.finalQuiz('trinh-duyet-an-toan', 'citizen'));
    expect(quiz.status).toBe(303);
    expect(quiz.headers.get('location')).toMatch(/^\/dang-nhap\?tiep=/);

    const lesson = getCatalog().bySlug.get('trinh-duyet-an-toan')!.editions.citizen!.lessons[0]!;
    const q = lesson.check[0]!;
    const r = await c.post(`${LESSON}/kiem-tra`, { [`q-${q.id}`]: '0' });
    expect(r.status).toBe(303);
    const result = r.headers.get('location')!;
    expect(await (await c.get(result)).text()).toMatch(/chưa đăng nhập/);
    const login = await c.post('/dang-ky', { displayName: 'Khách Mới', phone: '0912000444', password: 'vườn nhà có ba cây bưởi', next: result });
    expect(login.headers.get('location')).toBe(result);
    const after = await (await c.get(result)).text();
    expect(after).not.toMatch(/chưa đăng nhập/);
  });
});

describe('page weight', () => {
  const budget = 30 * 1024;
  const brotli = (b: Buffer) => zlib.brotliCompressSync(b).length;

  it('keeps every lesson page (HTML + CSS + JS, brotli) within 30 KB', async () => {
    const catalog = getCatalog();
    let count = 0;
    for (const course of catalog.courses) {
      for (const [e, ed] of Object.entries(course.editions) as [Edition, NonNullable<(typeof course.editions)[Edition]>][]) {
        for (const l of ed.lessons) {
          const r = await fetch(server.url + paths.lesson(course.slug, e, l.id));
          expect(r.status, `${course.slug}/${e}/${l.id}`).toBe(200);
          const html = Buffer.from(await r.arrayBuffer());
          let total = brotli(html);
          const assets = [...html.toString('utf8').matchAll(/<(?:link[^>]+rel="?stylesheet"?[^>]+href|script[^>]+src)="?([^" >]+)/g)].map((m) => m[1]!);
          for (const a of assets) total += brotli(Buffer.from(await (await fetch(server.url + a)).arrayBuffer()));
          expect(total, `${course.slug}/${e}/${l.id}: ${total} bytes`).toBeLessThanOrEqual(budget);
          count++;
        }
      }
    }
    expect(count).toBeGreaterThanOrEqual(8);
  }, 180_000); // ~200 lesson pages since the full catalogue landed, each compressed at brotli's top quality
});

describe('error pages', () => {
  it('serves a Vietnamese 404 page for unknown addresses', async () => {
    const r = await fetch(`${server.url}/khong-co-trang-nay`);
    expect(r.status).toBe(404);
    expect(await r.text()).toMatch(/Không tìm thấy trang/);
  });

  it('never sends the content folder or source files', async () => {
    for (const p of ['/content/courses/trinh-duyet-an-toan/final.yaml', '/src/server/db/connect.ts', '/../package.json']) {
      const r = await fetch(server.url + p);
      expect(r.status).toBe(404);
    }
    expect(fs.existsSync(path.join('dist/client', 'final.yaml'))).toBe(false);
  });
});
