/**
 * The monthly topic programme over HTTP on the built server: feeds, pages, questions (bad and hostile
 * input), moderation access, check-in. The server reads a fixture catalogue with a schedule generated
 * around the real clock, so a session is live now, one is over and one is still to come.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import ICAL from 'ical.js';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthOf } from '../../src/server/schedule/schedule.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';

const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|Error:/;
const vn = (d: Date) => new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 19) + '+07:00';
const now = Date.now();
const session = (startOffsetMin: number, minutes: number) => {
  const start = new Date(now + startOffsetMin * 60_000);
  return { month: monthOf(start), start: vn(start), end: vn(new Date(start.getTime() + minutes * 60_000)) };
};
const LIVE = session(-30, 120);
const PAST = session(-62 * 24 * 60, 90);
const NEXT = session(62 * 24 * 60, 90);

let server: TestServer;
let contentDir: string;
let phone = 0;

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  contentDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-topics-'));
  fs.cpSync('tests/fixtures/content', contentDir, { recursive: true });
  const entry = (s: typeof LIVE, description: string, extra: object = {}) => ({
    course: 'khoa-thu-nghiem',
    description,
    session: { start: s.start, end: s.end, place: 'Nhà văn hóa thôn Đông; trực tuyến qua nhóm Zalo, tổ dân phố' },
    ...extra,
  });
  fs.writeFileSync(
    path.join(contentDir, 'schedule.yaml'),
    YAML.stringify({
      [PAST.month]: entry(PAST, 'Chuyên đề đã qua của khóa thử nghiệm.', { summary: 'Đã giải đáp về đường link lạ, mã OTP và mật khẩu.' }),
      [LIVE.month]: entry(LIVE, 'Chuyên đề đang diễn ra của khóa thử nghiệm.'),
      [NEXT.month]: entry(NEXT, 'Chuyên đề sắp tới của khóa thử nghiệm.'),
    }),
  );
  server = await startServer({ CONTENT_DIR: contentDir, CHECKIN_SECRET: 'http-test-secret-0123456789-abcdefghij' });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  fs.rmSync(contentDir, { recursive: true, force: true });
});

async function member(name = 'Nguyễn Văn Thử'): Promise<Client> {
  const c = new Client(server.url);
  phone++;
  const r = await c.post('/dang-ky', { displayName: name, phone: `0912${String(500000 + phone)}`, password: 'vườn nhà có ba cây bưởi', next: '/' });
  expect(r.status).toBe(303);
  return c;
}

async function moderator(): Promise<Client> {
  const c = new Client(server.url);
  const r = await c.post('/dang-nhap', { phone: '0912000005', password: 'hoc-thu-2026', next: '/' });
  expect(r.status).toBe(303);
  return c;
}

async function expectPage(r: Response, status: number, message: RegExp) {
  expect(r.status).toBe(status);
  const body = await r.text();
  expect(body).toMatch(message);
  expect(body).toContain('lang="vi"');
  expect(body).not.toMatch(STACK);
  return body;
}

/** The question ids on a moderation page, with their text. */
async function moderationItems(c: Client, status = 'pending'): Promise<{ id: string; html: string }[]> {
  const html = await (await c.get(`/quan-tri/hoi-dap?trang-thai=${status}`)).text();
  return [...html.matchAll(/<li class="card">([\s\S]*?)<\/li>/g)].map((m) => ({ id: /name="id" value="([^"]+)"/.exec(m[1]!)![1]!, html: m[1]! }));
}

describe('calendar feeds', () => {
  it('serves /lich.ics as a valid calendar with every session in Vietnamese', async () => {
    const r = await fetch(`${server.url}/lich.ics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const text = await r.text();
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const events = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events).toHaveLength(3);
    expect(events.map((e) => e.summary)).toContain(`Hỏi đáp chuyên đề tháng ${Number(LIVE.month.slice(5))}/${LIVE.month.slice(0, 4)}: Khóa thử nghiệm`);
    expect(events[0]!.location).toBe('Nhà văn hóa thôn Đông; trực tuyến qua nhóm Zalo, tổ dân phố');
  });

  it('gives a signed-in member a private feed URL once, and revokes it', async () => {
    const c = await member('Trần Thị Lịch');
    expect((await c.get('/lich/rieng')).status).toBe(200);
    expect((await c.post('/lich/rieng', { action: 'tao' })).headers.get('location')).toBe('/lich/rieng');
    const page = await (await c.get('/lich/rieng')).text();
    const url = /value="(http[^"]+\/lich\/rieng\/([a-z2-7]{48})\.ics)"/.exec(page);
    expect(url).not.toBeNull();
    expect(await (await c.get('/lich/rieng')).text()).not.toContain(url![2]!);
    const feedPath = new URL(url![1]!).pathname;
    const feed = await fetch(server.url + feedPath);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('cache-control')).toBe('private, no-store');
    const cal = new ICAL.Component(ICAL.parse(await feed.text()));
    expect(cal.getFirstPropertyValue('x-wr-calname')).toBe('Học Số — Lịch của Trần Thị Lịch');

    await c.post('/lich/rieng', { action: 'tao' });
    expect((await fetch(server.url + feedPath)).status).toBe(404);
    await c.post('/lich/rieng', { action: 'thu-hoi' });
    const gone = await fetch(server.url + feedPath);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toMatch(/thu hồi/);
    await expectPage(await c.post('/lich/rieng', { action: 'xoa-het' }), 400, /không hợp lệ/);
    expect((await new Client(server.url).get('/lich/rieng')).headers.get('location')).toMatch(/^\/dang-nhap/);
    expect((await fetch(`${server.url}/lich/rieng/${'a'.repeat(48)}.ics`)).status).toBe(404);
  });
});

describe('topic pages', () => {
  it('features this month on the home page and lists the year, rendered per request', async () => {
    const home = await (await fetch(server.url + '/')).text();
    expect(home).toContain(`Chuyên đề tháng ${Number(LIVE.month.slice(5))}/${LIVE.month.slice(0, 4)}`);
    expect(home).toContain('Buổi hỏi đáp đang diễn ra');
    const year = await (await fetch(`${server.url}/lich?nam=${LIVE.month.slice(0, 4)}`)).text();
    expect(year).toContain(`href="/lich/${LIVE.month}"`);
    expect(year).toContain('Đang diễn ra');
    await expectPage(await fetch(`${server.url}/lich?nam=1999`), 404, /Chưa có lịch chuyên đề cho năm 1999/);
    const past = await (await fetch(`${server.url}/lich/${PAST.month}`)).text();
    expect(past).toContain('Đã giải đáp về đường link lạ');
    await expectPage(await fetch(`${server.url}/lich/2026-13`), 404, /Không tìm thấy chuyên đề/);
  });

  it('keeps the home, year and topic pages (HTML + CSS + JS, brotli) within 30 KB', async () => {
    for (const p of ['/', '/lich', `/lich/${LIVE.month}`]) {
      const html = Buffer.from(await (await fetch(server.url + p)).arrayBuffer());
      const assets = [...html.toString('utf8').matchAll(/<(?:link[^>]+rel="?stylesheet"?[^>]+href|script[^>]+src)="?([^" >]+)/g)].map((m) => m[1]!);
      let total = zlib.brotliCompressSync(html).length;
      for (const a of assets) total += zlib.brotliCompressSync(Buffer.from(await (await fetch(server.url + a)).arrayBuffer())).length;
      expect(total, p).toBeLessThanOrEqual(30 * 1024);
    }
  });
});

describe('questions before the session', () => {
  const ask = (month: string) => `/lich/${month}`;
  const cases: [string, (c: Client) => Promise<Response>, number, RegExp][] = [
    ['a question too short', (c) => c.post(ask(LIVE.month), { question: 'Sao vậy?' }), 400, /ít nhất 10 ký tự/],
    ['a question too long', (c) => c.post(ask(LIVE.month), { question: 'Dài quá. '.repeat(80) }), 400, /tối đa 500 ký tự/],
    ['a control character', (c) => c.post(ask(LIVE.month), { question: 'Có ký tự lạ \u0001 ở giữa câu' }), 400, /ký tự điều khiển/],
    ['no question field', (c) => c.post(ask(LIVE.month), {}), 400, /câu hỏi/],
    ['an unknown month', (c) => c.post('/lich/2030-02', { question: 'Một câu hỏi đủ dài.' }), 404, /Không tìm thấy chuyên đề/],
    ['a session that is over', (c) => c.post(ask(PAST.month), { question: 'Một câu hỏi đủ dài.' }), 409, /đã kết thúc/],
    ['an oversized body', (c) => c.post(ask(LIVE.month), { question: 'x'.repeat(40_000) }), 413, /quá lớn/],
    [
      'a body that is not a form',
      (c) => c.request(ask(LIVE.month), { method: 'POST', headers: { origin: c.base, 'content-type': 'text/plain' }, body: 'câu hỏi' }),
      415,
      /biểu mẫu/,
    ],
  ];
  // One account for every case (sign-ups are rate-limited per client); none of them may save anything.
  let c: Client;
  beforeAll(async () => {
    c = await member();
  });
  it.each(cases)('refuses %s with a Vietnamese 4xx and saves nothing', async (_, send, status, message) => {
    await expectPage(await send(c), status, message);
    expect(await (await c.get(ask(LIVE.month))).text()).not.toContain('Câu hỏi của bạn</h2>');
  });

  it('sends guests to sign in and saves nothing', async () => {
    const r = await new Client(server.url).post(ask(LIVE.month), { question: 'Câu hỏi của khách chưa đăng nhập.' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(`/dang-nhap?tiep=${encodeURIComponent(ask(LIVE.month))}`);
  });

  it('renders hostile input inert, shows the status to the asker only, and the answer as FAQ', async () => {
    const hostile = '<script>alert("xss")</script><img src=x onerror=alert(1)> Trang này có an toàn không?';
    const asker = await member('Lê Văn Hỏi');
    const sent = await asker.post(ask(LIVE.month), { question: hostile });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(`/lich/${LIVE.month}?da-gui=1#cau-hoi-cua-ban`);
    let mine = await (await asker.get(`/lich/${LIVE.month}`)).text();
    expect(mine).toContain('&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(mine).not.toContain('<script>alert');
    expect(mine).not.toContain('<img src=x');
    expect(mine).toContain('Đang chờ duyệt');

    const other = await member();
    for (const page of [await (await other.get(`/lich/${LIVE.month}`)).text(), await (await fetch(`${server.url}/lich/${LIVE.month}`)).text()]) {
      expect(page).not.toContain('onerror=alert(1)');
    }

    const mod = await moderator();
    const item = (await moderationItems(mod)).find((i) => i.html.includes('onerror=alert(1)'))!;
    expect(item.html).toContain('&lt;script&gt;');
    expect(item.html).toContain('Lê Văn Hỏi');
    expect((await mod.post('/quan-tri/hoi-dap?trang-thai=pending', { id: item.id, action: 'approve' })).status).toBe(303);
    const approved = await (await fetch(`${server.url}/lich/${LIVE.month}`)).text();
    expect(approved).toContain('Câu hỏi sẽ được giải đáp');
    expect(approved).toContain('onerror=alert(1)&gt;');
    expect(approved).not.toContain('Lê Văn Hỏi');

    const answer = 'Có, nếu địa chỉ đúng. <b>Đừng</b> bấm link lạ & "giữ" mã OTP.\nXem bài 2.';
    const saved = await mod.post('/quan-tri/hoi-dap?trang-thai=approved', { id: item.id, action: 'answer', answer });
    expect(saved.headers.get('location')).toBe('/quan-tri/hoi-dap?trang-thai=approved&xong=answer');
    for (const p of [`/lich/${LIVE.month}`, '/khoa-hoc/khoa-thu-nghiem/nguoi-dan']) {
      const html = await (await fetch(server.url + p)).text();
      expect(html, p).toContain('&lt;b&gt;Đừng&lt;/b&gt; bấm link lạ &amp; &quot;giữ&quot; mã OTP.\nXem bài 2.');
      expect(html, p).toContain('&lt;script&gt;alert');
      expect(html, p).not.toContain('<b>Đừng');
    }
    mine = await (await asker.get(`/lich/${LIVE.month}`)).text();
    expect(mine).toContain('Đã trả lời');
  });

  it('lets only moderators and admins into moderation, and refuses bad moderation input', async () => {
    expect((await new Client(server.url).get('/quan-tri/hoi-dap')).headers.get('location')).toMatch(/^\/dang-nhap\?tiep=/);
    const learner = await member('Người Không Có Quyền');
    await learner.post(ask(NEXT.month), { question: 'Câu hỏi cho buổi tháng sau nhé.' });
    await expectPage(await learner.get('/quan-tri/hoi-dap'), 403, /không có quyền/);
    await expectPage(await learner.get(`/quan-tri/diem-danh/${LIVE.month}`), 403, /không có quyền/);
    const mod = await moderator();
    const item = (await moderationItems(mod)).find((i) => i.html.includes('Câu hỏi cho buổi tháng sau nhé.'))!;
    await expectPage(await learner.post('/quan-tri/hoi-dap', { id: item.id, action: 'hide' }), 403, /không có quyền/);
    expect(await (await learner.get(ask(NEXT.month))).text()).toContain('Đang chờ duyệt');

    await expectPage(await mod.post('/quan-tri/hoi-dap', { id: item.id, action: 'xoa' }), 400, /Thao tác không hợp lệ/);
    await expectPage(await mod.post('/quan-tri/hoi-dap', { id: item.id, action: 'answer', answer: '' }), 400, /câu trả lời/);
    await expectPage(await mod.post('/quan-tri/hoi-dap', { id: '00000000-0000-4000-8000-000000000000', action: 'hide' }), 404, /Không tìm thấy câu hỏi/);
    expect((await mod.post('/quan-tri/hoi-dap', { id: item.id, action: 'hide' })).status).toBe(303);
    expect(await (await learner.get(ask(NEXT.month))).text()).toContain('Không hiển thị');
  });
});

describe('check-in', () => {
  it('records a member who enters the host code once, and refuses wrong codes and closed sessions', async () => {
    const mod = await moderator();
    const host = await (await mod.get(`/quan-tri/diem-danh/${LIVE.month}`)).text();
    const code = /class="code"[^>]*>(\d{6})</.exec(host)![1]!;
    expect(host).toMatch(/Đã điểm danh: <strong>0<\/strong>/);

    const c = await member('Phạm Thị Điểm Danh');
    expect(await (await c.get(`/lich/${LIVE.month}`)).text()).toContain(`href="/lich/${LIVE.month}/diem-danh"`);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await expectPage(await c.post(`/lich/${LIVE.month}/diem-danh`, { code: wrong }), 400, /không đúng hoặc đã hết hạn/);
    await expectPage(await c.post(`/lich/${LIVE.month}/diem-danh`, { code: 'abc' }), 400, /6 chữ số/);
    expect((await c.post(`/lich/${LIVE.month}/diem-danh`, { code })).status).toBe(303);
    expect(await (await c.get(`/lich/${LIVE.month}/diem-danh`)).text()).toMatch(/Đã ghi nhận: bạn đã điểm danh lúc/);
    expect((await c.post(`/lich/${LIVE.month}/diem-danh`, { code })).status).toBe(303);
    expect(await (await mod.get(`/quan-tri/diem-danh/${LIVE.month}`)).text()).toMatch(/Đã điểm danh: <strong>1<\/strong>/);

    await expectPage(await c.post(`/lich/${PAST.month}/diem-danh`, { code }), 409, /đã kết thúc/);
    await expectPage(await c.post(`/lich/${NEXT.month}/diem-danh`, { code }), 409, /Chưa đến giờ điểm danh/);
    expect(await (await mod.get(`/quan-tri/diem-danh/${NEXT.month}`)).text()).toMatch(/Điểm danh chưa mở/);
    expect((await new Client(server.url).get(`/lich/${LIVE.month}/diem-danh`)).headers.get('location')).toMatch(/^\/dang-nhap/);
  });
});
