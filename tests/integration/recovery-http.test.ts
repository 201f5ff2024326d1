/**
 * Account recovery over HTTP on the built server: who may start a recovery and what they learn, sessions
 * after a reset, the notice on the next sign-in, and activation/recovery claiming a guest's work.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCatalog } from '../../src/server/content/catalog.ts';
import { paths } from '../../src/lib/editions.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';

let server: TestServer;
const PASSWORD = 'hoc-thu-2026';
const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|Error:/;

async function signIn(phone: string, password = PASSWORD): Promise<Client> {
  const c = new Client(server.url);
  const r = await c.post('/dang-nhap', { phone, password, next: '/' });
  expect(r.status, `sign-in ${phone}`).toBe(303);
  return c;
}

const codeIn = (html: string) => html.match(/class="code">([A-Z0-9]{8})</)?.[1];

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer();
}, 120_000);
afterAll(() => server?.stop());

describe('who may start a recovery', () => {
  it('an official of another commune learns nothing about a citizen: no name, no code, same page as an unknown number', async () => {
    const officialB = await signIn('0912000020');
    const citizen = await officialB.post('/quan-ly/cap-ma', { phone: '0912000001' });
    const unknown = await officialB.post('/quan-ly/cap-ma', { phone: '0987654321' });
    const a = await citizen.text();
    const b = await unknown.text();
    expect(a).not.toContain('Nguyễn Thị Hoa');
    expect(codeIn(a)).toBeUndefined();
    expect(citizen.status).toBe(unknown.status);
    // Only the per-request parts (the request link and the matching number) differ.
    const strip = (s: string) => s.replace(/0912 000 001|0987 654 321/g, 'PHONE').replace(/\/quan-ly\/cap-ma\/[0-9a-f-]{36}/g, 'REQ').replace(/\b\d{3} \d{3}\b/g, 'NNN NNN');
    expect(strip(a)).toBe(strip(b));
    expect(a).not.toMatch(STACK);
  });

  it('a leader gets nothing for a member of another commune’s team: same page as an unknown number', async () => {
    const leaderA = await signIn('0912000011');
    const other = await leaderA.post('/quan-ly/cap-ma', { phone: '0912000021' });
    const unknown = await leaderA.post('/quan-ly/cap-ma', { phone: '0987654322' });
    const a = await other.text();
    expect(a).not.toContain('Hoàng Thị Nga');
    expect(codeIn(a)).toBeUndefined();
    expect(other.status).toBe(unknown.status);
  });
});

describe('after a reset', () => {
  it('signs out every other session of the person, and claims the guest’s work on the device that redeemed', async () => {
    const old = await signIn('0912000002');
    expect((await old.get('/tai-khoan')).status).toBe(200);
    const leaderA = await signIn('0912000011');
    const issued = await leaderA.post('/quan-ly/cap-ma', { phone: '0912000002' });
    const code = codeIn(await issued.text());
    expect(code, 'a leader issues a code to a member of their own team').toBeDefined();

    // A guest passes a lesson check on the device, then recovers the account there.
    const device = new Client(server.url);
    const lesson = getCatalog().bySlug.get('trinh-duyet-an-toan')!.editions.citizen!.lessons[0]!;
    const r = await device.post(`${paths.lesson('trinh-duyet-an-toan', 'citizen', lesson.id)}/kiem-tra`, { [`q-${lesson.check[0]!.id}`]: '0' });
    const result = r.headers.get('location')!;
    expect(await (await device.get(result)).text()).toMatch(/chưa đăng nhập/);
    const redeemed = await device.post('/kich-hoat', { phone: '0912000002', code: code!, password: 'cây bàng đầu ngõ 2026' });
    expect([200, 303]).toContain(redeemed.status);
    // Claimed: the signed-in person sees the result as theirs (unclaimed work is not found for them).
    const claimed = await device.get(result);
    expect(claimed.status).toBe(200);
    expect(await claimed.text()).toContain('Kết quả kiểm tra');

    // The session from before the reset is gone.
    const after = await old.get('/tai-khoan');
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/dang-nhap/);
  });
});
