/**
 * Teams over HTTP on the built server: access limits for every route under src/pages (enumerated from
 * the file system, not a hand-written list), roster import end to end, activation, exports, bad files.
 */
import fs from 'node:fs';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { Resvg } from '@resvg/resvg-js';
import jsQR from 'jsqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../setup/routes.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';

let server: TestServer;
const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|Error:/;
const PASSWORD = 'hoc-thu-2026';
const B_SECRETS = ['Hoàng Thị Nga', 'Tổ CNSCĐ số 5', 'Lý Thị Thu', 'Hộ bác Tư, xóm 3', 'Hộ ông Sáu (bí mật B)'];

async function signIn(phone: string): Promise<Client> {
  const c = new Client(server.url);
  const r = await c.post('/dang-nhap', { phone, password: PASSWORD, next: '/' });
  expect(r.status, `sign-in ${phone}`).toBe(303);
  return c;
}

function upload(c: Client, p: string, bytes: Uint8Array | string, name: string) {
  const form = new FormData();
  form.set('tep', new Blob([(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes) as Uint8Array<ArrayBuffer>]), name);
  return c.request(p, { method: 'POST', body: form, headers: { origin: server.url } });
}

const firstMatch = (html: string, re: RegExp) => html.match(new RegExp(re.source, re.flags.replace('g', '')))?.[1];
const SLIP_CODE = /class="slip-code"[^>]*>([A-Z0-9]{8})</g;

/** Decodes the first QR code (inline SVG) of a page: rendered with resvg, read with jsQR. */
async function qrText(html: string): Promise<string | undefined> {
  const svg = html.match(/<svg[^>]*viewBox="0 0 \d+ \d+"[^>]*shape-rendering="crispEdges"[\s\S]*?<\/svg>/)?.[0];
  if (!svg) return undefined;
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: 400 }, background: '#ffffff' }).render();
  return jsQR(new Uint8ClampedArray(png.pixels), png.width, png.height)?.data;
}

/** Ids of commune B, found by browsing as B's official. */
let B: { unit: string; village: string; team: string; member: string; import: string; leaderPhone: string; session: string; request: string; household: string; visit: string; householdImport: string };
/** B's official, signed in: their session must survive every attempt below. */
let officialB: Client;
let A: { unit: string };
let officialA: Client;

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer();
  const b = await signIn('0912000020');
  const home = await (await b.get('/quan-ly')).text();
  const unit = firstMatch(home, /\/quan-ly\/don-vi\/(\d+)/)!;
  const unitPage = await (await b.get(`/quan-ly/don-vi/${unit}`)).text();
  const village = firstMatch(unitPage, /href="\/quan-ly\/don-vi\/(\d+)"/)!;
  const villagePage = await (await b.get(`/quan-ly/don-vi/${village}`)).text();
  const team = firstMatch(villagePage, /\/quan-ly\/to\/(\d+)/)!;
  const teamPage = await (await b.get(`/quan-ly/to/${team}`)).text();
  const member = firstMatch(teamPage, /\/quan-ly\/thanh-vien\/([0-9a-f-]{36})/)!;
  const up = await upload(b, `/quan-ly/don-vi/${unit}/nhap-danh-sach`, 'Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò\r\nĐinh Văn Khoa,0918000001,Tổ dân phố số 5 (mẫu),Tổ CNSCĐ số 5 (mẫu),Thành viên\r\n', 'b.csv');
  expect(up.status).toBe(303);
  const imp = up.headers.get('location')!.split('/').pop()!;
  // B's own session id (the first half of the cookie token), as an attacker might learn it.
  const session = [...b.cookies.values()].find((v) => /^[a-z2-7]{24}\./.test(v))!.split('.')[0]!;
  // A recovery request made by B's official (for a citizen), to try from commune A.
  const asked = await (await b.post('/quan-ly/cap-ma', { phone: '0912000001' })).text();
  const request = firstMatch(asked, /\/quan-ly\/cap-ma\/([0-9a-f-]{36})/)!;
  // A household and a help visit recorded by B's leader.
  const leaderB = await signIn('0912000021');
  const added = await leaderB.post('/to-cua-toi/ho-gia-dinh/them', { 'dong-y': 'co', ten: 'Hộ bác Tư, xóm 3', sdt: '', 'ghi-chu': '' });
  expect(added.status).toBe(303);
  const household = added.headers.get('location')!.match(/\/ho-gia-dinh\/([0-9a-f-]{36})/)![1]!;
  const recorded = await leaderB.post('/to-cua-toi/luot-ho-tro', { ho: household, 'dong-y': 'co', nguoi: 'bà Tư', ngay: new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10), 'ky-nang': 'mua-sam', 'kq-mua-sam': 'tu-lam' });
  expect(recorded.status).toBe(303);
  const visit = recorded.headers.get('location')!.match(/\/luot-ho-tro\/([0-9a-f-]{36})/)![1]!;
  // A household list uploaded (not committed) by B's leader.
  const hUp = await upload(leaderB, '/to-cua-toi/ho-gia-dinh/nhap', 'Tên gọi của hộ,Số điện thoại,Ghi chú\r\nHộ ông Sáu (bí mật B),,\r\n', 'ho.csv');
  expect(hUp.status).toBe(303);
  const householdImport = hUp.headers.get('location')!.split('/').pop()!;
  B = { unit, village, team, member, import: imp, leaderPhone: '0912000021', session, request, household, visit, householdImport };
  officialB = b;
  officialA = await signIn('0912000010');
  A = { unit: firstMatch(await (await officialA.get('/quan-ly')).text(), /\/quan-ly\/don-vi\/(\d+)/)! };
  expect(A.unit).not.toBe(B.unit);
}, 120_000);
afterAll(() => server?.stop());

/** Substitutes commune B's ids (and harmless values for content parameters). */
function fill(route: string): string {
  const values: Record<string, string> = {
    unit: B.unit,
    team: B.team,
    member: B.member,
    import: B.import,
    course: 'trinh-duyet-an-toan',
    edition: 'thanh-vien',
    lesson: 'khong-co-bai-nay',
    attempt: '00000000-0000-4000-8000-000000000000',
    // Public certificate and monthly-topic routes: the demo certificate, a scheduled month, a bogus feed token.
    code: 'HS4VN-2026D',
    month: '2026-11',
    token: 'a'.repeat(48),
    // The public certificate status list.
    list: '1',
    request: B.request,
    household: B.household,
    visit: B.visit,
    householdImport: B.householdImport,
  };
  return route.replace(/\[(\w+)\]/g, (_, k: string) => {
    if (!(k in values)) throw new Error(`new route parameter [${k}]: add a value for it in this test`);
    return values[k]!;
  });
}

const COMMUNE_PARAMS = new Set(['unit', 'team', 'member', 'import', 'request', 'household', 'visit', 'householdImport']);

describe('access: an official of commune A never reaches commune B', () => {
  it('answers 403 or 404 on every route with B’s ids, GET and POST, and leaks nothing of B elsewhere', async () => {
    const all = routes();
    const scoped = all.filter((r) => r.params.some((p) => COMMUNE_PARAMS.has(p)));
    expect(scoped.length).toBeGreaterThanOrEqual(10);
    for (const r of all) {
      const p = fill(r.route);
      // Signing out would end this official's session for the rest of the test; it holds no data.
      if (p === '/dang-xuat') continue;
      for (const method of ['GET', 'POST'] as const) {
        const qs = method === 'GET' ? '?bang=thanh-vien&dinh-dang=csv' : '';
        const res =
          method === 'GET'
            ? await officialA.get(p + qs)
            : await officialA.post(p, { viec: 'cho-thoi', ten: 'Tổ bị chiếm', 'don-vi': A.unit, to: B.team, khoa: 'trinh-duyet-an-toan:member', han: '2027-01-01', phone: B.leaderPhone, 'cho-thoi': B.member, phien: B.session });
        const body = await res.text();
        if (r.params.some((x) => COMMUNE_PARAMS.has(x))) {
          expect([403, 404], `${method} ${p} → ${res.status}`).toContain(res.status);
        }
        // Another person's session id in a form is never accepted.
        if (method === 'POST' && p === '/tai-khoan/phien/ket-thuc') expect(res.status).toBe(404);
        for (const s of B_SECRETS) expect(body, `${method} ${p} leaks ${s}`).not.toContain(s);
        expect(body).not.toMatch(STACK);
      }
    }
  }, 120_000);

  it('B’s data is unchanged after all those attempts', async () => {
    // B's session was named in every form above and still works.
    expect((await officialB.get('/tai-khoan')).status).toBe(200);
    const b = await signIn('0912000020');
    const team = await (await b.get(`/quan-ly/to/${B.team}`)).text();
    expect(team).toContain('Tổ CNSCĐ số 5 (mẫu)');
    expect(team).not.toContain('đã thôi tham gia');
    const log = await (await b.get(`/quan-ly/don-vi/${B.unit}/nhat-ky`)).text();
    expect(log).not.toContain('Cấp mã khôi phục mật khẩu');
  });

  it('a member and a leader of commune A’s team get 404 on B’s household, visit and household import, GET and POST, and change nothing', async () => {
    const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
    for (const phone of ['0912000002', '0912000011']) {
      const c = await signIn(phone);
      const cases: [string, string, Record<string, string>?][] = [
        ['GET', `/ho-gia-dinh/${B.household}`],
        ['POST', `/ho-gia-dinh/${B.household}/sua`, { viec: 'sua', ten: 'Hộ bị chiếm', sdt: '', 'ghi-chu': '' }],
        ['POST', `/ho-gia-dinh/${B.household}/sua`, { viec: 'xoa', 'xac-nhan': 'co' }],
        ['POST', `/ho-gia-dinh/${B.household}/sua`, { viec: 'chuyen', to: B.team }],
        ['GET', `/to-cua-toi/luot-ho-tro/${B.visit}`],
        ['POST', `/to-cua-toi/luot-ho-tro/${B.visit}`, { viec: 'sua', nguoi: 'kẻ lạ', ngay: today, 'ky-nang': 'mua-sam', 'kq-mua-sam': 'tu-lam' }],
        ['GET', `/ho-gia-dinh/nhap/${B.householdImport}`],
        ['POST', `/ho-gia-dinh/nhap/${B.householdImport}`, {}],
      ];
      for (const [method, p, body] of cases) {
        const r = method === 'GET' ? await c.get(p) : await c.post(p, body ?? {});
        expect(r.status, `${phone} ${method} ${p}`).toBe(404);
        const text = await r.text();
        for (const secret of B_SECRETS) expect(text, `${phone} ${method} ${p} leaks ${secret}`).not.toContain(secret);
      }
      // Recording a visit for B's household from A's form is refused like an unknown household.
      const visit = await c.post('/to-cua-toi/luot-ho-tro', { ho: B.household, 'dong-y': 'co', nguoi: 'kẻ lạ', ngay: today, 'ky-nang': 'mua-sam', 'kq-mua-sam': 'tu-lam' });
      expect(visit.status).toBe(400);
      expect(await visit.text()).toContain('Không tìm thấy hộ gia đình này, hoặc hộ nằm ngoài phạm vi của bạn.');
    }
    const leaderB = await signIn('0912000021');
    const household = await (await leaderB.get(`/ho-gia-dinh/${B.household}`)).text();
    expect(household).toContain('Hộ bác Tư, xóm 3');
    expect(household).not.toContain('kẻ lạ');
    expect(await (await leaderB.get(`/ho-gia-dinh/nhap/${B.householdImport}`)).text()).not.toMatch(/Đã nhập vào/);
  });

  it('members and citizens cannot open /quan-ly; guests are sent to sign in', async () => {
    for (const phone of ['0912000001', '0912000002']) {
      const c = await signIn(phone);
      for (const p of ['/quan-ly', `/quan-ly/don-vi/${A.unit}`, `/quan-ly/don-vi/${A.unit}/xuat?bang=thanh-vien`]) {
        const r = await c.get(p);
        expect([403, 404], `${phone} ${p}`).toContain(r.status);
      }
    }
    const guest = await new Client(server.url).get('/quan-ly');
    expect(guest.status).toBe(303);
    expect(guest.headers.get('location')).toMatch(/dang-nhap/);
  });

  it('a leader sees their own team only', async () => {
    const leader = await signIn('0912000011');
    const home = await (await leader.get('/quan-ly')).text();
    const team = firstMatch(home, /\/quan-ly\/to\/(\d+)/)!;
    expect((await leader.get(`/quan-ly/to/${team}`)).status).toBe(200);
    expect((await leader.get(`/quan-ly/to/${B.team}`)).status).toBe(404);
    expect((await leader.get(`/quan-ly/don-vi/${A.unit}`)).status).toBe(404);
  });
});

describe('roster import, activation and recovery', () => {
  const roster = [
    'Họ và tên;Số điện thoại;Thôn, tổ dân phố;Tổ công nghệ số;Vai trò',
    'Ngô Văn Tâm;0919 000 001;Tổ dân phố số 9;Tổ CNSCĐ số 9;Tổ trưởng',
    'Mai Thị Hạnh;0919000002;Tổ dân phố số 9;Tổ CNSCĐ số 9;Thành viên',
    'Lê Thị Mai;0912000003;Tổ dân phố số 9;Tổ CNSCĐ số 9;Thành viên', // a registered citizen: linked
  ].join('\r\n');

  it('previews, commits once, invites the citizen, and re-importing changes nothing', async () => {
    const up = await upload(officialA, `/quan-ly/don-vi/${A.unit}/nhap-danh-sach`, '\uFEFF' + roster, 'ds.csv');
    expect(up.status).toBe(303);
    const previewUrl = new URL(up.headers.get('location')!, server.url).pathname;
    const preview = await (await officialA.get(previewUrl)).text();
    expect(preview).toMatch(/Tổ dân phố số 9\s*<strong>\s*\(mới\)/);
    // The registered citizen is invited, never enrolled; the preview only says the number has an account.
    expect(preview).toContain('Đã có tài khoản — sẽ mời');
    expect(preview).toContain('<title>Xem trước danh sách');
    expect(preview).toContain('Thành viên hiện có nhưng không có trong tệp');
    const commit = await officialA.post(previewUrl, {});
    expect(commit.status).toBe(303);
    const done = await (await officialA.get(previewUrl)).text();
    expect(done).toMatch(/2 tài khoản mới, 0 tài khoản có sẵn được thêm, 1 lời mời/);
    expect(done).toContain('<title>Đã nhập danh sách');
    expect((await officialA.post(previewUrl, {})).status).toBe(409);

    const again = await upload(officialA, `/quan-ly/don-vi/${A.unit}/nhap-danh-sach`, roster, 'ds.csv');
    const againUrl = new URL(again.headers.get('location')!, server.url).pathname;
    const againPreview = await (await officialA.get(againUrl)).text();
    expect(againPreview.match(/Không đổi/g)).toHaveLength(2);
    expect(againPreview).toContain('Đã mời, chờ người đó trả lời');
    expect(againPreview).not.toContain('(mới)');
    expect((await officialA.post(againUrl, {})).status).toBe(303);
    expect(await (await officialA.get(againUrl)).text()).toMatch(/0 tài khoản mới, 0 tài khoản có sẵn được thêm, 0 lời mời, 0 chuyển tổ, 0 cho thôi/);

    // Slips: “In phiếu” issues codes (POST), the page only reads them: a reload shows the same codes.
    expect((await officialA.post(`${previewUrl}/phieu`, {})).status).toBe(303);
    const slips = await officialA.get(`${previewUrl}/phieu`);
    const html = await slips.text();
    expect(slips.status).toBe(200);
    expect(html.match(/class="slip activation-slip"/g)).toHaveLength(2); // the citizen already has a password
    expect(html).toContain('Học Số — lời mời tham gia tổ');
    const codes = [...html.matchAll(SLIP_CODE)].map((m) => m[1]);
    expect(codes).toHaveLength(2);
    expect([...(await (await officialA.get(`${previewUrl}/phieu`)).text()).matchAll(SLIP_CODE)].map((m) => m[1])).toEqual(codes);
    expect((await officialA.post(`${previewUrl}/phieu`, {})).status).toBe(303);
    expect([...(await (await officialA.get(`${previewUrl}/phieu`)).text()).matchAll(SLIP_CODE)].map((m) => m[1])).toEqual(codes);
    // The QR code on the slip opens the activation page, with no number or code in it.
    expect(await qrText(html)).toBe(`${server.url}/kich-hoat`);
    const code = firstMatch(html.slice(html.indexOf('Ngô Văn Tâm')), SLIP_CODE)!;
    const member = new Client(server.url);
    const wrong = await member.post('/kich-hoat', { phone: '0919000001', code: 'AAAAAAAA', password: 'cây bàng đầu ngõ 2026' });
    expect(wrong.status).toBe(400);
    const ok = await member.post('/kich-hoat', { phone: '0919000001', code, password: 'cây bàng đầu ngõ 2026' });
    expect(ok.status).toBe(200); // signed in; the page shows the new personal recovery code once
    expect(await ok.text()).toMatch(/class="code">[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}</);
    expect((await member.post('/kich-hoat', { phone: '0919000001', code, password: 'cây bàng đầu ngõ 2027' })).status).toBe(400); // single use
    const home = await (await member.get('/')).text();
    expect(home).toContain('Khóa học bắt buộc của tổ');
    expect(home).toContain('hạn 31/12/2026');

    // The invited citizen is asked at sign-in; nothing applies before she accepts.
    const mai = new Client(server.url);
    const signedIn = await mai.post('/dang-nhap', { phone: '0912000003', password: PASSWORD, next: '/' });
    expect(signedIn.headers.get('location')).toBe('/loi-moi?tiep=%2F');
    expect(await (await mai.get('/')).text()).not.toContain('Khóa học bắt buộc của tổ');
    const invitation = await (await mai.get('/loi-moi')).text();
    expect(invitation).toContain('Lời mời tham gia Tổ CNSCĐ số 9');
    const id = firstMatch(invitation, /name="loi-moi" value="([0-9a-f-]{36})"/)!;
    // Another person cannot answer it.
    expect((await member.post('/loi-moi', { 'loi-moi': id, 'tra-loi': 'dong-y', tiep: '/' })).status).toBe(404);
    const accepted = await mai.post('/loi-moi', { 'loi-moi': id, 'tra-loi': 'dong-y', tiep: '/' });
    expect(accepted.status).toBe(303);
    const maiHome = await (await mai.get(accepted.headers.get('location')!)).text();
    expect(maiHome).toContain('Bạn đã vào tổ');
    expect(maiHome).toContain('Khóa học bắt buộc của tổ');

    // The new leader issues a recovery code to a member of their team; it is audit-logged.
    const leader = member;
    const rec = await leader.post('/quan-ly/cap-ma', { phone: '0919000002' });
    expect(rec.status).toBe(200);
    expect(await rec.text()).toMatch(/class="code">[A-Z0-9]{8}</);
    // B's leader: only a request the owner must confirm, the same page as for an unknown number.
    const other = await leader.post('/quan-ly/cap-ma', { phone: '0912000021' });
    const otherText = await other.text();
    expect(other.status).toBe((await leader.post('/quan-ly/cap-ma', { phone: '0987123456' })).status);
    expect(otherText).not.toContain('Hoàng Thị Nga');
    expect(otherText).not.toMatch(/class="code">[A-Z0-9]{8}</);
    const log = await (await officialA.get(`/quan-ly/don-vi/${A.unit}/nhat-ky`)).text();
    expect(log).toContain('Cấp mã khôi phục mật khẩu');
    expect(log).toContain('Xác nhận nhập danh sách');
  });

  it('refuses bad files with clear Vietnamese messages and writes nothing', async () => {
    const before = await (await officialA.get(`/quan-ly/don-vi/${A.unit}/nhat-ky`)).text();
    const xlsxNot = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8]);
    const cases: [string, Uint8Array | string, string, number, RegExp][] = [
      ['Windows-1258', iconv.encode(roster.replace(/;/g, ','), 'windows1258'), 'cu.csv', 400, /CSV UTF-8/],
      ['missing columns', 'Họ và tên,Điện thoại di động\r\nA,0912345678\r\n', 'x.csv', 400, /thiếu cột/i],
      ['junk', new Uint8Array(10 * 1024 * 1024).fill(7), 'rac.csv', 413, /quá lớn/],
      ['binary junk', new Uint8Array(2000).fill(0), 'rac.csv', 400, /không phải tệp văn bản/],
      ['not a spreadsheet', xlsxNot, 'ds.xlsx', 400, /không phải bảng tính Excel|bị hỏng/],
      ['xlsx name on text', 'hello', 'ds.xlsx', 400, /không phải bảng tính Excel/],
      ['empty', '', 'ds.csv', 400, /chọn tệp|trống/],
    ];
    for (const [name, bytes, file, status, re] of cases) {
      const r = await upload(officialA, `/quan-ly/don-vi/${A.unit}/nhap-danh-sach`, bytes, file);
      const text = await r.text();
      expect(r.status, name).toBe(status);
      expect(text, name).toMatch(re);
      expect(text, name).not.toMatch(STACK);
    }
    // Row problems are listed per row, in Vietnamese, and the commit is refused.
    const bad = ['Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò', '=HYPERLINK("x"),0919100001,Thôn 1,Tổ 1,Thành viên', ',0919100002,Thôn 1,Tổ 1,', 'Người Hai,12345,Thôn 1,Tổ 1,', 'Người Ba,0919100003,Thôn 1,Tổ 1,', 'Người Bốn,0919100003,Thôn 1,Tổ 1,Chủ tịch'].join('\n');
    const up = await upload(officialA, `/quan-ly/don-vi/${A.unit}/nhap-danh-sach`, bad, 'loi.csv');
    const url = new URL(up.headers.get('location')!, server.url).pathname;
    const preview = await (await officialA.get(url)).text();
    for (const m of ['công thức', 'Thiếu họ và tên', 'không hợp lệ: cần 10 chữ số', 'trùng với dòng 5', 'Vai trò “Chủ tịch”']) expect(preview).toContain(m);
    const commit = await officialA.post(url, {});
    expect(commit.status).toBe(400);
    expect(await commit.text()).toMatch(/chưa có gì được lưu/);
    const after = await (await officialA.get(`/quan-ly/don-vi/${A.unit}/nhat-ky`)).text();
    expect(after.match(/Xác nhận nhập danh sách/g)?.length).toBe(before.match(/Xác nhận nhập danh sách/g)?.length);
  });

  it('accepts an XLSX roster and serves the template', async () => {
    const tpl = await officialA.get('/quan-ly/mau-danh-sach?dinh-dang=xlsx');
    expect(tpl.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await tpl.arrayBuffer());
    expect(wb.worksheets[0]!.getRow(1).getCell(1).value).toBe('Họ và tên');
    wb.worksheets[0]!.getRow(2).getCell(2).value = 919200001; // numeric phone, as Excel stores it
    wb.worksheets[0]!.getRow(3).getCell(2).value = '0919200002';
    const up = await upload(officialA, `/quan-ly/don-vi/${A.unit}/nhap-danh-sach`, new Uint8Array(await wb.xlsx.writeBuffer()), 'mau.xlsx');
    expect(up.status).toBe(303);
    const preview = await (await officialA.get(new URL(up.headers.get('location')!, server.url).pathname)).text();
    expect(preview.match(/Tạo mới/g)).toHaveLength(2);
    const csv = await officialA.get('/quan-ly/mau-danh-sach?dinh-dang=csv');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect(bytes.slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
    // The CSV template is valid CSV, and imports unchanged as exactly its two example rows.
    const records = parse(new TextDecoder().decode(bytes), { bom: true }) as string[][];
    expect(records.map((r) => r.length)).toEqual([5, 5, 5]);
    const asIs = await upload(officialA, `/quan-ly/don-vi/${A.unit}/nhap-danh-sach`, bytes, 'mau-danh-sach.csv');
    const asIsPreview = await (await officialA.get(new URL(asIs.headers.get('location')!, server.url).pathname)).text();
    expect(asIsPreview).not.toContain('class="error"');
    expect(asIsPreview.match(/Tạo mới/g)).toHaveLength(2);
    expect(asIsPreview).toContain('Nguyễn Văn An<span class="muted"> (tổ trưởng)</span>');
    expect(asIsPreview).toContain('Tổ CNSCĐ thôn 1');
  });

  it('a header with a shifted column is an error in the preview, naming the line', async () => {
    const old = 'Họ và tên,Số điện thoại,Thôn, tổ dân phố,Tổ công nghệ số,Vai trò\r\nNguyễn Văn An,0919210001,Thôn 1,Tổ CNSCĐ thôn 1,Tổ trưởng\r\n';
    const up = await upload(officialA, `/quan-ly/don-vi/${A.unit}/nhap-danh-sach`, old, 'cu.csv');
    const url = new URL(up.headers.get('location')!, server.url).pathname;
    const preview = await (await officialA.get(url)).text();
    expect(preview).toContain('Dòng 2: Dòng này có 5 cột nhưng dòng tiêu đề (dòng 1) có 6 cột');
    expect(preview).toContain('Tên tổ “Tổ trưởng” là tên một vai trò');
    expect((await officialA.post(url, {})).status).toBe(400);
  });
});

describe('dashboards and exports', () => {
  it('renders the unit dashboard with a server-side SVG chart and filters, refusing bad filters', async () => {
    const r = await officialA.get(`/quan-ly/don-vi/${A.unit}?khoa=trinh-duyet-an-toan:member`);
    const html = await r.text();
    expect(r.status).toBe(200);
    expect(html).toMatch(/<svg[^>]+role="img"[^>]+aria-label="Số khóa học bắt buộc hoàn thành mỗi tuần/);
    expect(html).not.toMatch(/<script(?![^>]*is:inline)[^>]*src=/);
    const bad = await officialA.get(`/quan-ly/don-vi/${A.unit}?khoa=khong-co:member`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Bộ lọc khóa học không hợp lệ');
    expect((await officialA.get('/quan-ly/don-vi/abc')).status).toBe(404);
    expect((await officialA.get('/quan-ly/don-vi/99999999')).status).toBe(404);
  });

  it('exports CSV with BOM, CRLF and neutralised formulas, and XLSX', async () => {
    // A citizen whose name looks like a formula joins a team through the roster (linked by phone).
    const c = new Client(server.url);
    expect((await c.post('/dang-ky', { displayName: '=1+2 Nguyễn Văn Cộng', phone: '0919300001', password: 'vườn nhà có ba cây bưởi', next: '/' })).status).toBe(303);
    const up = await upload(officialA, `/quan-ly/don-vi/${A.unit}/nhap-danh-sach`, 'Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò\r\nCộng,0919300001,Tổ dân phố số 9,Tổ CNSCĐ số 9,Thành viên\r\n', 'c.csv');
    expect((await officialA.post(new URL(up.headers.get('location')!, server.url).pathname, {})).status).toBe(303);
    // She registered herself, so she was invited: she accepts from her own account.
    const id = firstMatch(await (await c.get('/loi-moi')).text(), /name="loi-moi" value="([0-9a-f-]{36})"/)!;
    expect((await c.post('/loi-moi', { 'loi-moi': id, 'tra-loi': 'dong-y', tiep: '/' })).status).toBe(303);

    const r = await officialA.get(`/quan-ly/don-vi/${A.unit}/xuat?bang=thanh-vien&dinh-dang=csv`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/csv/);
    const bytes = new Uint8Array(await r.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('\r\n');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text).toContain("'=1+2 Nguyễn Văn Cộng");
    expect(text).not.toMatch(/(^|,)=1\+2/m);
    expect(text).toContain('Hạn hoàn thành');

    const x = await officialA.get(`/quan-ly/don-vi/${A.unit}/xuat?bang=don-vi&dinh-dang=xlsx`);
    expect(x.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await x.arrayBuffer());
    // A title and the export time sit above the header row.
    expect(wb.worksheets[0]!.getRow(3).getCell(1).value).toBe('Đơn vị hoặc tổ');
    expect(wb.worksheets[0]!.rowCount).toBeGreaterThan(1);
    expect((await officialA.get(`/quan-ly/don-vi/${A.unit}/xuat?bang=gi-do&dinh-dang=csv`)).status).toBe(400);
    expect((await officialA.get(`/quan-ly/don-vi/${A.unit}/xuat?bang=don-vi&dinh-dang=pdf`)).status).toBe(400);
  });
});

describe('due dates, pickers and codes over HTTP', () => {
  it('refuses a due date in the past with a clear message, and marks today as the earliest', async () => {
    const page = await (await officialA.get(`/quan-ly/don-vi/${A.unit}`)).text();
    expect(page).toMatch(/name="han" type="date" required min="\d{4}-\d{2}-\d{2}"/);
    const r = await officialA.post(`/quan-ly/don-vi/${A.unit}/giao-khoa-hoc`, { khoa: 'trinh-duyet-an-toan:member', han: '2020-01-02' });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('Hạn hoàn thành phải từ hôm nay');
    // Moving the demo due date (31/12/2026) is a change the members are told about.
    const moved = await officialA.post(`/quan-ly/don-vi/${A.unit}/giao-khoa-hoc`, { khoa: 'trinh-duyet-an-toan:member', han: '2027-02-28' });
    expect(moved.status).toBe(303);
    expect(moved.headers.get('location')).toContain('tb=da-doi-han');
    const leader = await signIn('0912000011');
    expect(await (await leader.get('/')).text()).toContain('Hạn hoàn thành đã đổi từ 31/12/2026 sang 28/02/2027');
    expect(await (await officialA.get(`/quan-ly/don-vi/${A.unit}/nhat-ky`)).text()).toContain('Đổi hạn hoàn thành khóa học bắt buộc');
  });

  it('moves teams and members with pickers by name, never a typed id', async () => {
    const unitPage = await (await officialA.get(`/quan-ly/don-vi/${A.unit}`)).text();
    const village = firstMatch(unitPage, /href="\/quan-ly\/don-vi\/(\d+)"/)!;
    const team = firstMatch(await (await officialA.get(`/quan-ly/don-vi/${village}`)).text(), /\/quan-ly\/to\/(\d+)/)!;
    const teamPage = await (await officialA.get(`/quan-ly/to/${team}`)).text();
    expect(teamPage).not.toContain('inputmode="numeric"');
    expect(teamPage).toMatch(/<select class="text" id="don-vi-chon" name="don-vi" required>/);
    expect(teamPage).not.toContain('Phường Ngọc Hà'); // only units in scope are offered
    const member = firstMatch(teamPage, /\/quan-ly\/thanh-vien\/([0-9a-f-]{36})/)!;
    const memberPage = await (await officialA.get(`/quan-ly/thanh-vien/${member}`)).text();
    expect(memberPage).not.toContain('inputmode="numeric"');
    const options = [...memberPage.matchAll(/<option value="(\d+)"[^>]*>([^<]+)<\/option>/g)].map((m) => [m[1], m[2]]);
    const target = options.find(([id, label]) => id !== team && label!.includes('Tổ CNSCĐ số 9'))!;
    expect(target).toBeDefined();
    expect((await officialA.post(`/quan-ly/thanh-vien/${member}/sua`, { viec: 'chuyen' })).status).toBe(400); // nothing chosen
    expect((await officialA.post(`/quan-ly/thanh-vien/${member}/sua`, { viec: 'chuyen', to: target[0]! })).status).toBe(303);
    expect(await (await officialA.get(`/quan-ly/thanh-vien/${member}`)).text()).toContain(`href="/quan-ly/to/${target[0]}"`);
  });

  it('the admin chooses a unit by searching its name (radio buttons), then acts on it', async () => {
    const admin = await signIn('0912000099');
    const first = await (await admin.get('/quan-ly/quan-tri')).text();
    expect(first).not.toContain('inputmode="numeric" required');
    const found = await (await admin.get(`/quan-ly/quan-tri?tim=${encodeURIComponent('Ngọc Hà')}`)).text();
    const radio = firstMatch(found, /<input type="radio" name="don-vi" value="(\d+)"[^>]*> <span>Phường Ngọc Hà — /)!;
    expect(radio).toBeDefined();
    const chosen = await (await admin.get(`/quan-ly/quan-tri?tim=${encodeURIComponent('Ngọc Hà')}&don-vi=${radio}`)).text();
    expect(chosen).toContain('Đơn vị đã chọn: <strong>Phường Ngọc Hà</strong>');
    expect(chosen).toContain(`name="cap-tren" value="${radio}"`);
    expect((await admin.get('/quan-ly/quan-tri?don-vi=abc')).status).toBe(400);
  });

  it('“Cấp lại mã” needs the confirmation, replaces only that person’s code, and is audit-logged', async () => {
    const up = await upload(officialA, `/quan-ly/don-vi/${A.unit}/nhap-danh-sach`, 'Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò\r\nLã Văn Mới,0919800001,Tổ dân phố số 9,Tổ CNSCĐ số 9,Thành viên\r\n', 'm.csv');
    const url = new URL(up.headers.get('location')!, server.url).pathname;
    expect((await officialA.post(url, {})).status).toBe(303);
    expect((await officialA.post(`${url}/phieu`, {})).status).toBe(303);
    const slips = await (await officialA.get(`${url}/phieu`)).text();
    const old = firstMatch(slips.slice(slips.indexOf('Lã Văn Mới')), SLIP_CODE)!;
    const unitPage = await (await officialA.get(`/quan-ly/don-vi/${A.unit}`)).text();
    const village = firstMatch(unitPage, /href="\/quan-ly\/don-vi\/(\d+)[^"]*">Tổ dân phố số 9</)!;
    const team = firstMatch(await (await officialA.get(`/quan-ly/don-vi/${village}`)).text(), /href="\/quan-ly\/to\/(\d+)">Tổ CNSCĐ số 9</)!;
    const person = firstMatch(await (await officialA.get(`/quan-ly/to/${team}`)).text(), /href="\/quan-ly\/thanh-vien\/([0-9a-f-]{36})">Lã Văn Mới</)!;
    expect(await (await officialA.get(`/quan-ly/thanh-vien/${person}`)).text()).toContain('Cấp lại mã');
    const refused = await officialA.post(`/quan-ly/thanh-vien/${person}/cap-lai-ma`, {});
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Hãy đánh dấu ô xác nhận');
    expect(firstMatch(await (await officialA.get(`/quan-ly/thanh-vien/${person}/phieu`)).text(), SLIP_CODE)).toBe(old);
    const re = await officialA.post(`/quan-ly/thanh-vien/${person}/cap-lai-ma`, { 'xac-nhan': 'co' });
    expect(re.status).toBe(303);
    const fresh = firstMatch(await (await officialA.get(`/quan-ly/thanh-vien/${person}/phieu`)).text(), SLIP_CODE)!;
    expect(fresh).not.toBe(old);
    expect((await new Client(server.url).post('/kich-hoat', { phone: '0919800001', code: old, password: 'mưa phùn tháng hai 2027' })).status).toBe(400);
    expect(await (await officialA.get(`/quan-ly/don-vi/${A.unit}/nhat-ky`)).text()).toContain('Cấp lại mã kích hoạt cho một người');
  });
});
