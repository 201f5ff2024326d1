/**
 * The item-analysis page over HTTP on the built server: a lesson check answered through its form (with
 * the timing fields) shows up on the admin page and in its CSV; only admins get in; bad query values
 * get a Vietnamese 400/404.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/lib/editions.ts';
import { getCatalog, questionVersion } from '../../src/server/content/catalog.ts';
import { correctFieldsFromHtml } from '../setup/answers.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';

const PAGE = '/quan-tri/phan-tich-cau-hoi';
let server: TestServer;

async function signIn(phone: string): Promise<Client> {
  const c = new Client(server.url);
  const r = await c.post('/dang-nhap', { phone, password: 'hoc-thu-2026', next: '/' });
  expect(r.status, `sign-in ${phone}`).toBe(303);
  return c;
}

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer();
}, 180_000);
afterAll(() => server?.stop());

const course = getCatalog().courses.find((c) => c.editions.citizen)!;
const lesson = course.editions.citizen!.lessons[0]!;

describe('item analysis over HTTP', () => {
  it('shows a check answered through its form, with its time, on the page and in the CSV', async () => {
    const learner = await signIn('0912000003');
    const check = paths.check(course.slug, 'citizen', lesson.id);
    const opened = Date.now();
    const html = await (await learner.get(check)).text();
    const token = /name="token" value="([^"]+)"/.exec(html)![1]!;
    const times = [...html.matchAll(/<input type="hidden" name="(t\d+)" value=""/g)].map((m) => m[1]!);
    expect(times).toHaveLength(lesson.check.length);
    const answers = correctFieldsFromHtml(html, lesson.check);
    const posted = await learner.post(check, [['token', token], ...answers, ...times.map((t): [string, string] => [t, '4000'])]);
    expect(posted.status).toBe(303);
    // The browser claimed 4 s a question; the server keeps no more than really passed since the form was issued.
    const passed = Math.ceil((Date.now() - opened) / 1000) + 1;

    const admin = await signIn('0912000099');
    const page = await admin.get(`${PAGE}?khoa=${course.slug}&phien-ban=nguoi-dan`);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('Phân tích câu hỏi');
    for (const q of lesson.check) expect(body).toContain(questionVersion(q));

    const csv = await admin.get(`${PAGE}?khoa=${course.slug}&phien-ban=nguoi-dan&dinh-dang=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse(bytes.subarray(3).toString('utf8'), { columns: true }) as Record<string, string>[];
    for (const q of lesson.check) {
      const rows = records.filter((r) => r['Mã câu hỏi'] === q.id);
      expect(rows.length, q.id).toBeGreaterThan(0);
      expect(rows[0]).toMatchObject({ 'Lượt trả lời': '1', 'Tỉ lệ đúng (%)': '100.0', 'Lượt có thời gian': '1' });
      expect(Number(rows[0]!['Thời gian trung vị (giây)'])).toBeLessThanOrEqual(Math.min(4, passed));
    }
  });

  it('is for admins only: others get 403, guests are sent to sign in', async () => {
    for (const phone of ['0912000001', '0912000002', '0912000005', '0912000010', '0912000011']) {
      const c = await signIn(phone);
      for (const p of [PAGE, `${PAGE}?dinh-dang=csv`]) {
        const r = await c.get(p);
        expect(r.status, `${phone} ${p}`).toBe(403);
        expect(await r.text()).not.toContain('đáp án đúng');
      }
    }
    const guest = await new Client(server.url).get(`${PAGE}?dinh-dang=csv`);
    expect(guest.status).toBe(303);
    expect(guest.headers.get('location')).toMatch(/^\/dang-nhap/);
  });

  it('answers malformed or unknown filters with a Vietnamese 400 or 404', async () => {
    const admin = await signIn('0912000009');
    const cases: [string, number][] = [
      ['?khoa=Kh%C3%B4ng%20h%E1%BB%A3p', 400],
      ['?khoa=khong-co-khoa-nay', 404],
      ['?phien-ban=ca-hai', 400],
      ['?dinh-dang=xlsx', 400],
      [`?khoa=${course.slug}&phien-ban=can-bo`, course.editions.official ? 200 : 404],
    ];
    for (const [qs, status] of cases) {
      const r = await admin.get(PAGE + qs);
      expect(r.status, qs).toBe(status);
      const text = await r.text();
      if (status !== 200) expect(text).toMatch(/role="alert">[^<]*(không hợp lệ|Không tìm thấy|không có|chỉ có thể)/);
      expect(text).not.toMatch(/at \w+ \(|\.ts:\d+/);
    }
  });
});
