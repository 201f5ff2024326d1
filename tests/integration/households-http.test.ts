/**
 * Households over HTTP on the built server with the demo data, as `npm start` serves it: non-empty
 * coverage dashboards right after start, audit-logged exports, moving a household by choosing the
 * team by name, and a citizen's removal request that the team and the official see and act on.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type TestServer } from '../setup/server.ts';

let server: TestServer;
const PASSWORD = 'hoc-thu-2026';

async function signIn(phone: string): Promise<Client> {
  const c = new Client(server.url);
  const r = await c.post('/dang-nhap', { phone, password: PASSWORD, next: '/' });
  expect(r.status, `sign-in ${phone}`).toBe(303);
  return c;
}
const first = (html: string, re: RegExp) => html.match(re)?.[1];
/** The number in a stats card (`<dt>label</dt><dd>N…</dd>`). */
const stat = (html: string, label: string) => Number(first(html, new RegExp(`<dt>${label}</dt>\\s*<dd>(\\d+)`)));

let official: Client;
let leader: Client;
let commune: string;
let team1: string;

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer();
  official = await signIn('0912000010');
  leader = await signIn('0912000011');
  commune = first(await (await official.get('/quan-ly')).text(), /\/quan-ly\/don-vi\/(\d+)/)!;
  team1 = first(await (await leader.get('/to-cua-toi/ho-gia-dinh')).text(), /\/quan-ly\/to\/(\d+)\/hieu-qua/)!;
  expect(commune).toMatch(/^\d+$/);
  expect(team1).toMatch(/^\d+$/);
}, 150_000);
afterAll(() => server?.stop());

describe('right after start (demo data in Phường Ba Đình)', () => {
  it('the commune, village and team dashboards are not empty, with the monthly SVG chart', async () => {
    const html = await (await official.get(`/quan-ly/don-vi/${commune}/ho-gia-dinh`)).text();
    expect(html).toContain('Phường Ba Đình');
    expect(stat(html, 'Hộ đã ghi')).toBeGreaterThanOrEqual(3);
    expect(stat(html, 'Hộ đạt mục tiêu \\(một người đủ 5 kỹ năng\\)')).toBeGreaterThanOrEqual(1);
    expect(stat(html, 'Lượt hỗ trợ tháng này')).toBeGreaterThanOrEqual(1);
    expect(stat(html, 'Tài khoản người dân liên kết')).toBe(1);
    expect(html).toMatch(/<figure class="chart"[^>]*>\s*<svg/);
    // Drill down: the village, then the team's household list with each household's skills.
    const village = first(html, /href="\/quan-ly\/don-vi\/(\d+)\/ho-gia-dinh"/)!;
    const villageHtml = await (await official.get(`/quan-ly/don-vi/${village}/ho-gia-dinh`)).text();
    expect(stat(villageHtml, 'Hộ đã ghi')).toBeGreaterThanOrEqual(3);
    const teamHtml = await (await official.get(`/quan-ly/to/${team1}/ho-gia-dinh`)).text();
    expect(teamHtml).toContain('Hộ chị Hoa (mẫu)');
    expect(teamHtml).toContain('Hộ bác Tư, ngõ 3 (mẫu)');
    expect(teamHtml).toMatch(/Thanh toán trực tuyến/);
    // Search by label without tones; a bad page number is page 1, never an error.
    const found = await (await official.get(`/quan-ly/to/${team1}/ho-gia-dinh?tim=${encodeURIComponent('bac tu')}&trang=abc`)).text();
    expect(found).toContain('Hộ bác Tư, ngõ 3 (mẫu)');
    expect(found).not.toContain('Hộ chị Hoa (mẫu)');
    const mine = await leader.get(`/to-cua-toi/ho-gia-dinh?tim=${encodeURIComponent('chi hoa')}&trang=999999999`);
    expect(mine.status).toBe(200);
    const mineHtml = await mine.text();
    expect(mineHtml).toContain('Hộ chị Hoa (mẫu)');
    expect(mineHtml).not.toContain('Hộ bác Tư, ngõ 3 (mẫu)</a>');
  });

  it('an admin sees the same households summed at the national and provincial levels', async () => {
    const admin = await signIn('0912000099');
    const home = await (await admin.get('/quan-ly')).text();
    const country = first(home, /\/quan-ly\/don-vi\/(\d+)/)!;
    const national = await (await admin.get(`/quan-ly/don-vi/${country}/ho-gia-dinh`)).text();
    expect(national).toContain('Việt Nam');
    expect(stat(national, 'Hộ đã ghi')).toBeGreaterThanOrEqual(3);
    expect(national).toMatch(/<svg/);
    const province = first(national, /href="\/quan-ly\/don-vi\/(\d+)\/ho-gia-dinh"[^>]*>Thành phố Hà Nội</);
    expect(province, 'Hà Nội listed with a link').toBeTruthy();
    expect(stat(await (await admin.get(`/quan-ly/don-vi/${province}/ho-gia-dinh`)).text(), 'Hộ đã ghi')).toBeGreaterThanOrEqual(3);
  });

  it('household exports are audit-logged, for the unit table and the team list', async () => {
    const team = await official.get(`/quan-ly/to/${team1}/ho-gia-dinh/xuat?dinh-dang=csv`);
    expect(team.status).toBe(200);
    expect(await team.text()).toContain('Hộ chị Hoa (mẫu)');
    const unit = await official.get(`/quan-ly/don-vi/${commune}/ho-gia-dinh/xuat?dinh-dang=xlsx`);
    expect(unit.status).toBe(200);
    const log = await (await official.get(`/quan-ly/don-vi/${commune}/nhat-ky`)).text();
    expect(log.split('Tải bảng hộ gia đình').length - 1).toBeGreaterThanOrEqual(2);
  });
});

describe('moving a household', () => {
  it('an official chooses the target team by name; visits follow; the old team no longer sees it; audit-logged', async () => {
    const added = await leader.post('/to-cua-toi/ho-gia-dinh/them', { 'dong-y': 'co', ten: 'Hộ dời tổ (thử)', sdt: '', 'ghi-chu': '' });
    expect(added.status).toBe(303);
    const id = first(added.headers.get('location')!, /\/ho-gia-dinh\/([0-9a-f-]{36})/)!;
    const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
    const visit = await leader.post('/to-cua-toi/luot-ho-tro', { ho: id, 'dong-y': 'co', nguoi: 'bà Ba', ngay: today, 'ky-nang': 'mua-sam', 'kq-mua-sam': 'tu-lam' });
    expect(visit.status).toBe(303);
    // The team's own page offers no move; the official's offers a select of teams by name.
    expect(await (await leader.get(`/ho-gia-dinh/${id}`)).text()).not.toContain('Chuyển hộ');
    const page = await (await official.get(`/ho-gia-dinh/${id}`)).text();
    expect(page).not.toContain('Mã số tổ');
    const target = first(page, /<option value="(\d+)"[^>]*>Tổ CNSCĐ số 2 \(mẫu\) — Tổ dân phố số 2 \(mẫu\)<\/option>/);
    expect(target, 'team 2 offered by name').toBeTruthy();
    const before = stat(await (await official.get(`/quan-ly/to/${team1}/ho-gia-dinh`)).text(), 'Hộ đã ghi');
    const moved = await official.post(`/ho-gia-dinh/${id}/sua`, { viec: 'chuyen', to: target! });
    expect(moved.status).toBe(303);
    expect(stat(await (await official.get(`/quan-ly/to/${team1}/ho-gia-dinh`)).text(), 'Hộ đã ghi')).toBe(before - 1);
    const after = await (await official.get(`/ho-gia-dinh/${id}`)).text();
    expect(after).toContain('Tổ CNSCĐ số 2 (mẫu)');
    expect(after).toContain('bà Ba');
    expect((await leader.get(`/ho-gia-dinh/${id}`)).status).toBe(404);
    // A team outside the official's scope is refused with a message, not a 500.
    const outside = await official.post(`/ho-gia-dinh/${id}/sua`, { viec: 'chuyen', to: '999999' });
    expect(outside.status).toBe(404);
    expect(await outside.text()).toContain('Không tìm thấy tổ đích');
    const log = await (await official.get(`/quan-ly/don-vi/${commune}/nhat-ky`)).text();
    expect(log).toContain('Chuyển hộ gia đình sang tổ khác');
  });
});

describe('who sees a household', () => {
  it('a citizen and another commune’s leader get 404 on a household, its visit and its changes', async () => {
    const list = await (await leader.get('/to-cua-toi/ho-gia-dinh')).text();
    const id = first(list, /href="\/ho-gia-dinh\/([0-9a-f-]{36})"/)!;
    const visit = first(await (await leader.get(`/ho-gia-dinh/${id}`)).text(), /href="\/to-cua-toi\/luot-ho-tro\/([0-9a-f-]{36})"/)!;
    expect(visit).toBeTruthy();
    for (const phone of ['0912000001', '0912000021']) {
      const c = await signIn(phone);
      expect((await c.get(`/ho-gia-dinh/${id}`)).status, phone).toBe(404);
      expect((await c.get(`/to-cua-toi/luot-ho-tro/${visit}`)).status, phone).toBe(404);
      expect((await c.post(`/ho-gia-dinh/${id}/sua`, { viec: 'xoa', 'xac-nhan': 'co' })).status, phone).toBe(404);
      expect([403, 404], phone).toContain((await c.get(`/quan-ly/to/${team1}/ho-gia-dinh`)).status);
      expect([403, 404], phone).toContain((await c.get(`/quan-ly/to/${team1}/ho-gia-dinh/xuat?dinh-dang=csv`)).status);
    }
    expect((await leader.get(`/ho-gia-dinh/${id}`)).status).toBe(200);
  });
});

describe('a citizen asks for removal', () => {
  it('the team and the official see the request; the leader removes the data; the citizen’s link is gone', async () => {
    const citizen = await signIn('0912000001');
    const mine = await (await citizen.get('/ho-gia-dinh-cua-toi')).text();
    expect(mine).toContain('Hộ chị Hoa (mẫu)');
    expect(mine).toContain('Kỹ năng số của hộ');
    expect(mine).toMatch(/ghi bởi Đỗ Thị Lan/);
    expect((await citizen.post('/ho-gia-dinh-cua-toi', { viec: 'yeu-cau-xoa' })).status).toBe(303);
    const asked = await (await citizen.get('/ho-gia-dinh-cua-toi')).text();
    expect(asked).toContain('Bạn đã gửi yêu cầu ngày');
    expect(asked).not.toContain('>Yêu cầu xóa dữ liệu hộ</button>');
    expect(await (await official.get(`/quan-ly/to/${team1}/ho-gia-dinh`)).text()).toContain('Hộ đã yêu cầu xóa dữ liệu');
    // The commune's dashboard names the waiting request and links to the team's list.
    const waiting = await (await official.get(`/quan-ly/don-vi/${commune}/ho-gia-dinh`)).text();
    expect(waiting).toContain('Yêu cầu xóa dữ liệu đang chờ xử lý');
    expect(waiting).toContain(`href="/quan-ly/to/${team1}/ho-gia-dinh"`);
    expect(waiting).toMatch(/<strong>1<\/strong> hộ ở 1 tổ/);
    const list = await (await leader.get('/to-cua-toi/ho-gia-dinh')).text();
    expect(list).toContain('Hộ đã yêu cầu xóa dữ liệu');
    const id = first(list, /href="\/ho-gia-dinh\/([0-9a-f-]{36})">Hộ chị Hoa \(mẫu\)/)!;
    expect(await (await leader.get(`/ho-gia-dinh/${id}`)).text()).toContain('đã yêu cầu xóa dữ liệu của hộ');
    // Without the confirmation box nothing is removed.
    expect((await leader.post(`/ho-gia-dinh/${id}/sua`, { viec: 'xoa' })).status).toBe(400);
    expect((await leader.post(`/ho-gia-dinh/${id}/sua`, { viec: 'xoa', 'xac-nhan': 'co' })).status).toBe(303);
    expect((await leader.get(`/ho-gia-dinh/${id}`)).status).toBe(404);
    expect(await (await citizen.get('/ho-gia-dinh-cua-toi')).text()).toContain('chưa liên kết với hộ gia đình nào');
    const log = await (await official.get(`/quan-ly/don-vi/${commune}/nhat-ky`)).text();
    expect(log).toContain('Người dân yêu cầu xóa dữ liệu hộ');
    expect(log).toContain('Xóa dữ liệu hộ gia đình');
    // The visits stay as anonymous activity: the linked-citizen count drops, this month's visits do not.
    const dash = await (await official.get(`/quan-ly/don-vi/${commune}/ho-gia-dinh`)).text();
    expect(stat(dash, 'Tài khoản người dân liên kết')).toBe(0);
    expect(dash).not.toContain('Yêu cầu xóa dữ liệu đang chờ xử lý');
  });
});
