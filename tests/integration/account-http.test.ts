/**
 * The self-service account pages over HTTP on the built server: the session list (device, "phiên
 * này", ending one, another person's session id → 404), password change ending the other devices,
 * name changes refused with bidi or invisible characters and never altering an issued certificate,
 * the data download, and deletion (confirmation, password, certificate still valid, team left).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type TestServer } from '../setup/server.ts';

let server: TestServer;
const PASSWORD = 'hoc-thu-2026';
const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|Error:/;
const ANDROID = 'Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';
const WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0';

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer();
}, 240_000);
afterAll(() => server?.stop());

async function signIn(phone: string, userAgent = ANDROID, password = PASSWORD): Promise<Client> {
  const c = new Client(server.url);
  const r = await c.post('/dang-nhap', { phone, password, next: '/' }, { 'user-agent': userAgent });
  expect(r.status, `sign-in ${phone}`).toBe(303);
  return c;
}

/** The session id in a client's cookie (the first half of the token). */
const sessionOf = (c: Client) => [...c.cookies.values()].find((v) => /^[a-z2-7]{24}\.[a-z2-7]{24}$/.test(v))!.split('.')[0]!;

async function signedIn(c: Client): Promise<boolean> {
  return (await c.get('/tai-khoan')).status === 200;
}

describe('session list', () => {
  it('shows each device with "phiên này", ends one, and answers 404 to another person’s session id', async () => {
    const phone = await signIn('0912000003', ANDROID);
    const laptop = await signIn('0912000003', WINDOWS);
    const stranger = await signIn('0912000001');
    const page = await phone.get('/tai-khoan/phien');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Chrome trên Android');
    expect(html).toContain('Edge trên Windows');
    expect(html).toContain('phiên này');
    expect(html).not.toContain(sessionOf(stranger));
    expect(html).toContain(`value="${sessionOf(laptop)}"`);
    // The page never prints the raw user agent.
    expect(html).not.toContain('SM-A135F');

    const foreign = await phone.post('/tai-khoan/phien/ket-thuc', { phien: sessionOf(stranger) });
    expect(foreign.status).toBe(404);
    const body = await foreign.text();
    expect(body).toContain('Không tìm thấy phiên đăng nhập này');
    expect(body).not.toMatch(STACK);
    expect(await signedIn(stranger)).toBe(true);
    expect((await phone.post('/tai-khoan/phien/ket-thuc', { phien: 'không-phải-mã' })).status).toBe(400);

    const end = await phone.post('/tai-khoan/phien/ket-thuc', { phien: sessionOf(laptop) });
    expect(end.status).toBe(303);
    expect(end.headers.get('location')).toBe('/tai-khoan/phien?tb=da-dang-xuat-phien');
    expect(await (await phone.get(end.headers.get('location')!)).text()).toContain('Đã kết thúc phiên đăng nhập đó.');
    expect(await signedIn(laptop)).toBe(false);
    expect(await signedIn(phone)).toBe(true);

    const again = await signIn('0912000003', WINDOWS);
    const all = await phone.post('/tai-khoan/phien/ket-thuc', { phien: 'khac' });
    expect(all.headers.get('location')).toBe('/tai-khoan/phien?tb=da-dang-xuat-noi-khac');
    expect(await signedIn(again)).toBe(false);
    expect(await signedIn(phone)).toBe(true);
    expect(await signedIn(stranger)).toBe(true);
  });

  it('sends guests to sign in from every account page', async () => {
    const guest = new Client(server.url);
    for (const p of ['/tai-khoan/phien', '/tai-khoan/mat-khau', '/tai-khoan/ho-ten', '/tai-khoan/xoa', '/tai-khoan/du-lieu.json']) {
      const r = await guest.get(p);
      expect(r.status, p).toBe(303);
      expect(r.headers.get('location'), p).toMatch(/^\/dang-nhap/);
    }
    const post = await guest.post('/tai-khoan/phien/ket-thuc', { phien: 'khac' });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toMatch(/^\/dang-nhap/);
  });
});

describe('password change', () => {
  it('needs the current password and matching new ones; signs out the other devices only', async () => {
    const here = await signIn('0912000003', ANDROID);
    const other = await signIn('0912000003', WINDOWS);
    const cases: [Record<string, string>, RegExp][] = [
      [{ currentPassword: 'sai mật khẩu', newPassword: 'cây bàng đầu ngõ 2027', newPasswordAgain: 'cây bàng đầu ngõ 2027' }, /Mật khẩu hiện tại không đúng/],
      [{ currentPassword: PASSWORD, newPassword: 'cây bàng đầu ngõ 2027', newPasswordAgain: 'cây bàng đầu ngõ 2028' }, /chưa giống nhau/],
      [{ currentPassword: PASSWORD, newPassword: 'ngắn', newPasswordAgain: 'ngắn' }, /ít nhất 8 ký tự/],
      [{ currentPassword: PASSWORD, newPassword: 'matkhau123', newPasswordAgain: 'matkhau123' }, /quá phổ biến/],
    ];
    for (const [fields, message] of cases) {
      const r = await here.post('/tai-khoan/mat-khau', fields);
      expect(r.status, JSON.stringify(fields)).toBe(400);
      const text = await r.text();
      expect(text).toMatch(message);
      expect(text).not.toMatch(STACK);
    }
    expect(await signedIn(other)).toBe(true);
    const ok = await here.post('/tai-khoan/mat-khau', { currentPassword: PASSWORD, newPassword: 'cây bàng đầu ngõ 2027', newPasswordAgain: 'cây bàng đầu ngõ 2027' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/tai-khoan?tb=da-doi-mat-khau');
    expect(await (await here.get('/tai-khoan?tb=da-doi-mat-khau')).text()).toContain('Đã đổi mật khẩu');
    expect(await signedIn(other)).toBe(false);
    expect(await signedIn(here)).toBe(true);
    await signIn('0912000003', ANDROID, 'cây bàng đầu ngõ 2027');
  });
});

describe('name change', () => {
  it('refuses bidi and invisible-only names, and never changes an issued certificate', async () => {
    const c = await signIn('0912000004');
    for (const [name, message] of [
      ['Phạm \u202EgnằH\u202C Thị', /ký tự điều khiển/],
      ['\u200B'.repeat(20), /ký tự ẩn/],
      ['Phạm\u200B Thị Thu Hằng', /ký tự ẩn/],
      ['<b>Hằng</b>', /không hợp lệ/],
    ] as const) {
      const r = await c.post('/tai-khoan/ho-ten', { displayName: name });
      expect(r.status, JSON.stringify(name)).toBe(400);
      expect(await r.text()).toMatch(message);
    }
    const ok = await c.post('/tai-khoan/ho-ten', { displayName: 'Phạm Thị Thu Hằng Mới' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/tai-khoan?tb=da-doi-ten');
    expect(await (await c.get('/tai-khoan')).text()).toContain('Phạm Thị Thu Hằng Mới');
    const cert = await (await new Client(server.url).get('/chung-nhan/HS4VN-2026D')).text();
    expect(cert).toContain('Phạm Thị Thu Hằng');
    expect(cert).not.toContain('Hằng Mới');
    // The admin sees the account's new name and may reissue with it, explicitly.
    const admin = await signIn('0912000009');
    const adminPage = await (await admin.get('/quan-tri/chung-nhan?ma=HS4VN-2026D')).text();
    expect(adminPage).toContain('Cấp lại theo họ tên trong tài khoản');
    expect(adminPage).toContain('Phạm Thị Thu Hằng Mới');
  });
});

describe('data download', () => {
  it('is an attachment with the person’s data and nobody else’s', async () => {
    const c = await signIn('0912000004');
    const r = await c.get('/tai-khoan/du-lieu.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="hoc-so-du-lieu-cua-toi-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(r.headers.get('cache-control')).toContain('no-store');
    const text = await r.text();
    const data = JSON.parse(text);
    expect(data.account.phone).toBe('+84912000004');
    expect(data.certificates.map((x: { code: string }) => x.code)).toContain('HS4VN2026D');
    for (const foreign of ['+84912000001', '+84912000003', 'Nguyễn Thị Hoa', 'Lê Thị Mai']) expect(text).not.toContain(foreign);
    expect(data.householdLinks).toEqual([]);
  });

  it('includes the person’s household links (the demo citizen linked to a household)', async () => {
    const c = await signIn('0912000001');
    const data = JSON.parse(await (await c.get('/tai-khoan/du-lieu.json')).text());
    expect(data.householdLinks.map((l: { household: string; undoneAt: string | null }) => [l.household, l.undoneAt])).toEqual([['Hộ chị Hoa (mẫu)', null]]);
    expect(data.householdLinks[0].team).toBeTruthy();
  });
});

describe('home page', () => {
  it('shows members the way to their team’s households, whether or not they have required courses; citizens never', async () => {
    for (const phone of ['0912000002', '0912000021']) {
      const home = await (await (await signIn(phone)).get('/')).text();
      expect(home, phone).toContain('href="/to-cua-toi/ho-gia-dinh"');
      expect(home, phone).toContain('href="/to-cua-toi/luot-ho-tro"');
    }
    const citizen = await (await (await signIn('0912000004')).get('/')).text();
    expect(citizen).not.toContain('href="/to-cua-toi/ho-gia-dinh"');
  });
});

describe('account deletion', () => {
  it('explains what is kept, needs the confirmation and the password, then signs out everywhere', async () => {
    const leader = await signIn('0912000011');
    const home = await (await leader.get('/quan-ly')).text();
    const team = /\/quan-ly\/to\/(\d+)/.exec(home)![1]!;
    expect(await (await leader.get(`/quan-ly/to/${team}`)).text()).toContain('Trần Văn Bình');

    const c = await signIn('0912000002');
    const elsewhere = await signIn('0912000002', WINDOWS);
    const page = await (await c.get('/tai-khoan/xoa')).text();
    expect(page).toContain('Luật Bảo vệ dữ liệu cá nhân');
    expect(page).toContain('href="/tai-khoan/du-lieu.json"');
    expect(page).toContain('Chứng nhận đã cấp');

    const noConfirm = await c.post('/tai-khoan/xoa', { password: PASSWORD });
    expect(noConfirm.status).toBe(400);
    expect(await noConfirm.text()).toContain('đánh dấu ô xác nhận');
    const wrong = await c.post('/tai-khoan/xoa', { password: 'không đúng đâu', confirm: 'co' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Mật khẩu hiện tại không đúng');
    expect(await signedIn(c)).toBe(true);

    const done = await c.post('/tai-khoan/xoa', { password: PASSWORD, confirm: 'co' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/?tb=da-xoa-tai-khoan');
    expect(await (await c.get('/?tb=da-xoa-tai-khoan')).text()).toContain('Tài khoản của bạn đã được xóa.');
    expect(await signedIn(c)).toBe(false);
    expect(await signedIn(elsewhere)).toBe(false);
    const again = await new Client(server.url).post('/dang-nhap', { phone: '0912000002', password: PASSWORD, next: '/' });
    expect(again.status).toBe(401);
    // The team leader no longer sees the person.
    expect(await (await leader.get(`/quan-ly/to/${team}`)).text()).not.toContain('Trần Văn Bình');
  });

  it('keeps the certificate page valid with its frozen name after its holder deleted the account', async () => {
    const c = await signIn('0912000004');
    expect((await c.post('/tai-khoan/xoa', { password: PASSWORD, confirm: 'co' })).status).toBe(303);
    const r = await new Client(server.url).get('/chung-nhan/HS4VN-2026D');
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('Phạm Thị Thu Hằng');
    expect(html).toContain('Chứng nhận này còn hiệu lực');
    expect((await new Client(server.url).get('/chung-nhan/HS4VN-2026D.json')).status).toBe(200);
  });

  it('refuses to let an admin delete their own account', async () => {
    const admin = await signIn('0912000099');
    expect(await (await admin.get('/tai-khoan/xoa')).text()).toContain('không tự xóa được');
    const r = await admin.post('/tai-khoan/xoa', { password: PASSWORD, confirm: 'co' });
    expect(r.status).toBe(403);
    expect(await signedIn(admin)).toBe(true);
  });
});
