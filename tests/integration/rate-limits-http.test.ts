/**
 * Rate limits over HTTP on the built server behind a (pretend) proxy: TRUST_PROXY=1, so the client is
 * the last X-Forwarded-For hop and whatever a client writes before it changes nothing. Exact counts
 * under parallel requests; 429 answers in Vietnamese with Retry-After.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/lib/editions.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';

let server: TestServer;

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer({ TRUST_PROXY: '1' });
});
afterAll(() => server?.stop());

const DEMO_PHONE = '0912000001';
const DEMO_PASSWORD = 'hoc-thu-2026';
const CHECK = `${paths.lesson('trinh-duyet-an-toan', 'citizen', 'doc-dia-chi')}/kiem-tra`;

function tally(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

describe('sign-in over HTTP', () => {
  it('keys the client by the proxy-appended hop: 30 parallel wrong passwords with spoofed hops → exactly 5 checked, 25 refused', async () => {
    const rs = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        new Client(server.url).post('/dang-nhap', { phone: DEMO_PHONE, password: 'không phải mật khẩu', next: '/' }, { 'x-forwarded-for': `10.9.${i}.1, 198.51.100.1` }),
      ),
    );
    expect(tally(rs.map((r) => r.status))).toEqual({ 401: 5, 429: 25 });
    const limited = rs.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(await limited.text()).toContain('Bạn đã thử đăng nhập quá nhiều lần. Vui lòng đợi 15 phút rồi thử lại.');
    const wrong = rs.find((r) => r.status === 401)!;
    expect(await wrong.text()).toContain('Số điện thoại hoặc mật khẩu không đúng.');
  });

  it('lets the owner sign in from another address right after; the flooding address stays blocked', async () => {
    const owner = new Client(server.url);
    const r = await owner.post('/dang-nhap', { phone: DEMO_PHONE, password: DEMO_PASSWORD, next: '/tai-khoan' }, { 'x-forwarded-for': '198.51.100.2' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/tai-khoan');
    const flooder = new Client(server.url);
    const again = await flooder.post('/dang-nhap', { phone: DEMO_PHONE, password: DEMO_PASSWORD, next: '/' }, { 'x-forwarded-for': '198.51.100.1' });
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('submissions over HTTP', () => {
  it('stores exactly the per-account allowance of 40 parallel guest checks and answers the rest 429 with Retry-After', async () => {
    const guest = new Client(server.url);
    const headers = { 'x-forwarded-for': '198.51.100.3' };
    // Open the check as a browser does: its sealed token and the first question's field name.
    const html = await (await guest.get(CHECK, headers)).text();
    const fields: [string, string][] = [['token', /name="token" value="([^"]+)"/.exec(html)![1]!], [/type="radio" name="(q\d+)"/.exec(html)![1]!, '0']];
    const first = await guest.post(CHECK, fields, headers);
    expect(first.status).toBe(303);
    expect(guest.cookies.size).toBe(1);
    const rs = await Promise.all(Array.from({ length: 40 }, () => guest.post(CHECK, fields, headers)));
    // 303 = stored and redirected to its feedback; the allowance is 30 a minute per guest.
    expect(tally(rs.map((r) => r.status))).toEqual({ 303: 29, 429: 11 });
    const limited = rs.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toMatch(/Bạn đã nộp bài quá nhiều lần trong thời gian ngắn\. Vui lòng đợi \d+ (giây|phút) rồi nộp lại\./);
    // Another learner behind another address is not affected.
    expect((await new Client(server.url).post(CHECK, fields, { 'x-forwarded-for': '198.51.100.4' })).status).toBe(303);
  });
});

describe('behind a proxy that ends TLS', () => {
  it('accepts a form from the https origin the proxy vouches for, and still refuses other origins', async () => {
    const httpsOrigin = server.url.replace('http://', 'https://');
    const viaProxy = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.77' };
    const ok = await new Client(server.url).post('/dang-nhap', { phone: '0912000003', password: DEMO_PASSWORD, next: '/' }, { ...viaProxy, origin: httpsOrigin });
    expect(ok.status).toBe(303);
    for (const origin of ['https://evil.example', 'http://evil.example', `${httpsOrigin}.evil.example`]) {
      const r = await new Client(server.url).post('/dang-nhap', { phone: '0912000003', password: DEMO_PASSWORD, next: '/' }, { ...viaProxy, origin });
      expect(r.status, origin).toBe(403);
    }
  });
});
