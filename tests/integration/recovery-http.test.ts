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
const personalIn = (html: string) => html.match(/class="code">([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</)?.[1];

function upload(c: Client, p: string, text: string, name: string) {
  const form = new FormData();
  form.set('tep', new Blob([new TextEncoder().encode(text)]), name);
  return c.request(p, { method: 'POST', body: form, headers: { origin: server.url } });
}

// Read once before any request: loading the catalogue takes seconds on a busy machine, and a pause that
// long between requests races the server's keep-alive timeout ("other side closed").
const lesson = getCatalog().bySlug.get('trinh-duyet-an-toan')!.editions.citizen!.lessons[0]!;

/** A guest passes a lesson check on this device; returns the result page's path. */
async function guestCheck(device: Client): Promise<string> {
  const check = `${paths.lesson('trinh-duyet-an-toan', 'citizen', lesson.id)}/kiem-tra`;
  // The check hands out its layout in a sealed token; blank answers are enough to store a submission
  // (the shuffled first question may be an ordering one, whose fields are named differently).
  const page = await (await device.get(check)).text();
  const token = /name="token" value="([^"]+)"/.exec(page)![1]!;
  const r = await device.post(check, { token });
  expect(r.status).toBe(303);
  const result = r.headers.get('location')!;
  expect(await (await device.get(result)).text()).toMatch(/chưa đăng nhập/);
  return result;
}

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
    const result = await guestCheck(device);
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

describe('the owner confirms on their own phone', () => {
  it('shows the request to the signed-in owner, gives the helper the code after “Đồng ý”, and the notice at the next sign-in', async () => {
    const officialB = await signIn('0912000020');
    const ownerPhone = await signIn('0912000003');
    const started = await officialB.post('/quan-ly/cap-ma', { phone: '0912000003' });
    const page = await started.text();
    expect(page).not.toContain('Lê Thị Mai');
    const link = page.match(/\/quan-ly\/cap-ma\/[0-9a-f-]{36}/)![0];
    const match = page.match(/class="code">(\d{3} \d{3})</)![1]!;
    expect(await (await officialB.get(link)).text()).toContain('Chưa có xác nhận');
    expect((await officialB.post(link, {})).status).toBe(409);

    // The owner's phone: a banner on every page, and the request with the same matching number.
    expect(await (await ownerPhone.get('/tai-khoan')).text()).toContain('href="/tai-khoan/bao-mat"');
    const security = await (await ownerPhone.get('/tai-khoan/bao-mat')).text();
    expect(security).toContain(match);
    expect(security).toContain('cán bộ Lý Thị Thu (cán bộ mẫu)');
    const requestId = link.split('/').pop()!;
    // Bad or foreign input changes nothing.
    expect((await ownerPhone.post('/tai-khoan/bao-mat', { viec: 'dong-y', 'yeu-cau': 'khong-phai-uuid' })).status).toBe(400);
    expect((await officialB.post('/tai-khoan/bao-mat', { viec: 'dong-y', 'yeu-cau': requestId })).status).toBe(404);
    const yes = await ownerPhone.post('/tai-khoan/bao-mat', { viec: 'dong-y', 'yeu-cau': requestId });
    expect(yes.status).toBe(303);
    expect(yes.headers.get('location')).toBe('/tai-khoan/bao-mat?tb=da-xac-nhan-yeu-cau');

    expect(await (await officialB.get(link)).text()).toContain('Nhận mã khôi phục');
    const collected = await (await officialB.post(link, {})).text();
    expect(collected).toContain('Lê Thị Mai');
    const code = codeIn(collected)!;
    expect(code).toBeDefined();
    expect((await officialB.post(link, {})).status).toBe(409);

    const device = new Client(server.url);
    const done = await device.post('/kich-hoat', { phone: '0912 000 003', code: code.toLowerCase(), password: 'hoa sen nở trong ao 2026' });
    expect(done.status).toBe(200);
    expect(personalIn(await done.text())).toBeDefined();
    expect((await ownerPhone.get('/tai-khoan')).status).toBe(303); // signed out

    // Next sign-in: the notice first, with how and by whom, and "Không phải bạn?".
    const again = new Client(server.url);
    const r = await again.post('/dang-nhap', { phone: '0912000003', password: 'hoa sen nở trong ao 2026', next: '/khoa-hoc' });
    expect(r.headers.get('location')).toBe('/tai-khoan/bao-mat?tiep=%2Fkhoa-hoc');
    const notice = await (await again.get(r.headers.get('location')!)).text();
    expect(notice).toContain('Mật khẩu được đặt lại bằng mã khôi phục do cán bộ Lý Thị Thu (cán bộ mẫu)');
    expect(notice).toContain('Không phải bạn?');
    const seen = await again.post('/tai-khoan/bao-mat', { viec: 'da-xem', tiep: '/khoa-hoc' });
    expect(seen.headers.get('location')).toBe('/khoa-hoc?tb=da-xem-thong-bao');
    const later = await new Client(server.url).post('/dang-nhap', { phone: '0912000003', password: 'hoa sen nở trong ao 2026', next: '/khoa-hoc' });
    expect(later.headers.get('location')).toBe('/khoa-hoc');
  });
});

describe('in person at the commune', () => {
  it('gives a printed code that does not work yet, which the owner sees at sign-in and cancels', async () => {
    const officialA = await signIn('0912000010');
    const leaderA = await signIn('0912000011');
    expect((await leaderA.get('/quan-ly/dat-lai-tai-cho')).status).toBe(403);
    const unchecked = await officialA.post('/quan-ly/dat-lai-tai-cho', { phone: '0912000004', name: 'Phạm Thị Thu Hằng' });
    expect(unchecked.status).toBe(400);
    expect(await unchecked.text()).toContain('kiểm tra căn cước công dân');
    const wrong = await officialA.post('/quan-ly/dat-lai-tai-cho', { phone: '0912000004', name: 'Phạm Thị Hằng', 'da-kiem-tra': 'co' });
    const unknown = await officialA.post('/quan-ly/dat-lai-tai-cho', { phone: '0987000111', name: 'Phạm Thị Thu Hằng', 'da-kiem-tra': 'co' });
    expect(wrong.status).toBe(404);
    expect(unknown.status).toBe(404);
    const strip = (s: string) => s.replace(/value="[^"]*"/g, '');
    expect(strip(await wrong.text())).toBe(strip(await unknown.text()));

    const made = await officialA.post('/quan-ly/dat-lai-tai-cho', { phone: '0912000004', name: 'pham thi thu hang', 'da-kiem-tra': 'co' });
    expect(made.status).toBe(200);
    const code = codeIn(await made.text())!;
    const early = await new Client(server.url).post('/kich-hoat', { phone: '0912000004', code, password: 'mạo danh người khác 1' });
    expect(early.status).toBe(400);
    expect(await early.text()).toMatch(/chỉ dùng được từ/);

    // The owner signs in with the old password: the pending reset is shown with a cancel button.
    const owner = new Client(server.url);
    const r = await owner.post('/dang-nhap', { phone: '0912000004', password: PASSWORD, next: '/' });
    expect(r.headers.get('location')).toBe('/tai-khoan/bao-mat?tiep=%2F');
    const page = await (await owner.get('/tai-khoan/bao-mat')).text();
    expect(page).toContain('Hủy yêu cầu này');
    expect(page).toContain('Phạm Văn Quân (cán bộ mẫu)');
    const id = page.match(/name="ma" value="(\d+)"/)![1]!;
    expect((await owner.post('/tai-khoan/bao-mat', { viec: 'huy', ma: 'abc' })).status).toBe(400);
    const cancelled = await owner.post('/tai-khoan/bao-mat', { viec: 'huy', ma: id });
    expect(cancelled.headers.get('location')).toBe('/tai-khoan/bao-mat?tb=da-huy-khoi-phuc');
    expect(await (await owner.get(cancelled.headers.get('location')!)).text()).toContain('Đã hủy yêu cầu đặt lại mật khẩu.');
    expect((await owner.post('/tai-khoan/bao-mat', { viec: 'huy', ma: id })).status).toBe(404);
    const log = await (await officialA.get(`/quan-ly`)).text();
    const unit = log.match(/\/quan-ly\/don-vi\/(\d+)/)![1];
    const audit = await (await officialA.get(`/quan-ly/don-vi/${unit}/nhat-ky`)).text();
    expect(audit).toContain('Kiểm tra giấy tờ tại chỗ, tạo yêu cầu đặt lại mật khẩu');
    expect(audit).toContain('Chủ tài khoản hủy yêu cầu đặt lại mật khẩu tại chỗ');
  });
});

describe('activation', () => {
  it('claims the guest’s work on the device, shows a personal code once, and the code works at /quen-mat-khau’s form', async () => {
    const officialA = await signIn('0912000010');
    const unit = (await (await officialA.get('/quan-ly')).text()).match(/\/quan-ly\/don-vi\/(\d+)/)![1];
    const up = await upload(officialA, `/quan-ly/don-vi/${unit}/nhap-danh-sach`, 'Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò\r\nBùi Văn Lực,0919500001,Tổ dân phố số 7,Tổ CNSCĐ số 7,Thành viên\r\n', 'k.csv');
    expect(up.status).toBe(303);
    const preview = new URL(up.headers.get('location')!, server.url).pathname;
    expect((await officialA.post(preview, {})).status).toBe(303);
    expect((await officialA.post(`${preview}/phieu`, {})).status).toBe(303); // issues the codes
    const slips = await (await officialA.get(`${preview}/phieu`)).text(); // reads them
    const code = slips.slice(slips.indexOf('Bùi Văn Lực')).match(/class="slip-code"[^>]*>([A-Z0-9]{8})</)![1]!;

    const device = new Client(server.url);
    const result = await guestCheck(device);
    const activated = await device.post('/kich-hoat', { phone: '0919500001', code, password: 'lúa chín vàng đồng 2026' });
    expect(activated.status).toBe(200);
    const personal = personalIn(await activated.text())!;
    expect(personal).toBeDefined();
    const claimed = await device.get(result);
    expect(claimed.status).toBe(200);
    expect(await claimed.text()).toContain('Kết quả kiểm tra');

    // The personal code, typed on the forgotten-password page's form.
    expect(await (await new Client(server.url).get('/quen-mat-khau')).text()).toContain('action="/kich-hoat"');
    const back = await new Client(server.url).post('/kich-hoat', { phone: '0919500001', code: personal.replace(/-/g, ''), password: 'trâu cày ruộng sớm 2026' });
    expect(back.status).toBe(200);
    expect(personalIn(await back.text())).not.toBe(personal);
    expect((await device.get('/tai-khoan')).status).toBe(303); // the reset signed the device out
    // Bad input: a clear Vietnamese message, no stack trace.
    const bad = await new Client(server.url).post('/kich-hoat', { phone: '0919500001', code: 'ngắn', password: 'x' });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain('Mã gồm 8 ký tự');
    expect(text).not.toMatch(STACK);
  });
});

describe('guessing codes', () => {
  it('is limited per number at /kich-hoat, whichever kind of code is tried', async () => {
    const c = new Client(server.url);
    for (let i = 0; i < 5; i++) {
      const code = i % 2 ? 'ABCDEFGH' : 'ABCD-EFGH-JKMN';
      expect((await c.post('/kich-hoat', { phone: '0912000012', code, password: 'đoán bừa mà thôi' })).status, `try ${i + 1}`).toBe(400);
    }
    const blocked = await c.post('/kich-hoat', { phone: '0912000012', code: 'ABCDEFGH', password: 'đoán bừa mà thôi' });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toMatch(/Vui lòng đợi \d+ phút/);
  });
});
