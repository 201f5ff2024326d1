/**
 * Found in review (issue "Doorstep help and household coverage"), on the built server with the demo
 * data: every refusal of the household and visit forms says in Vietnamese what to correct, next to the
 * field when the form has one, and a NUL byte in a list search is not a 500.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type TestServer } from '../setup/server.ts';

let server: TestServer;
let member: Client;
let official: Client;
let household: string;
let team: string;

const first = (html: string, re: RegExp) => html.match(re)?.[1];
/** The messages the page shows: field errors and the notice above the form. */
const shown = (html: string) => [...html.matchAll(/class="(?:error|notice bad)"[^>]*>(?:<p[^>]*>)?([^<]*)/g)].map((m) => m[1]!.trim()).filter(Boolean);
/** The field errors the page marks, by the id of their message (`<field>-loi`). */
const marked = (html: string) => Object.fromEntries([...html.matchAll(/<p class="error" id="([a-z-]+)-loi"[^>]*>([^<]*)/g)].map((m) => [m[1]!, m[2]!]));
const ENGLISH = /Too big|Too small|Invalid input|expected/;
const today = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer();
  member = new Client(server.url);
  expect((await member.post('/dang-nhap', { phone: '0912000002', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
  official = new Client(server.url);
  expect((await official.post('/dang-nhap', { phone: '0912000010', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
  const list = await (await member.get('/to-cua-toi/ho-gia-dinh')).text();
  household = first(list, /href="\/ho-gia-dinh\/([0-9a-f-]{36})"/)!;
  team = first(list, /\/quan-ly\/to\/(\d+)\/hieu-qua/)!;
  expect(household).toBeTruthy();
}, 150_000);
afterAll(() => server?.stop());

describe('the visit form says what is wrong, in Vietnamese', () => {
  const base = () => ({ ho: household, 'dong-y': 'co', nguoi: 'bà Tư', ngay: today(), 'ky-nang': 'mua-sam' });
  it.each([
    ['a 5,000-character name', { nguoi: 'a'.repeat(5000) }, 'nguoi'],
    ['a lesson not in the catalogue', { 'tai-lieu': 'khong-co-bai-nay' }, 'tai-lieu'],
    ['a 5,000-character lesson', { 'tai-lieu': 'x'.repeat(5000) }, 'tai-lieu'],
    ['an overlong household id', { ho: 'x'.repeat(300) }, 'ho'],
  ])('%s', async (_what, change, field) => {
    const r = await member.post('/to-cua-toi/luot-ho-tro', { ...base(), ...change });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).not.toMatch(ENGLISH);
    expect(marked(html)[field], `${field} marked`).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/);
  });

  it('a skill value or a list too long for the form, an outcome off the list: a message above the form, never English', async () => {
    for (const fields of [
      [...Object.entries(base()), ['ky-nang', 'k'.repeat(500)]],
      [...Object.entries(base()), ...Array.from({ length: 50 }, (_, i) => ['nhiem-vu', `viec-${i}`])],
      [...Object.entries(base()), ['kq-mua-sam', 'tuyet-voi']],
      [...Object.entries(base()), ['nguoi', 'bà Ba']],
    ] as [string, string][][]) {
      const r = await member.post('/to-cua-toi/luot-ho-tro', fields);
      expect(r.status).toBe(400);
      const html = await r.text();
      expect(html).not.toMatch(ENGLISH);
      expect(shown(html).length, 'a message is shown').toBeGreaterThan(0);
    }
  });

  it('a correction with a future or impossible date marks the date field', async () => {
    const made = await member.post('/to-cua-toi/luot-ho-tro', base());
    expect(made.status).toBe(303);
    const visit = first(made.headers.get('location')!, /luot-ho-tro\/([0-9a-f-]{36})/)!;
    for (const [ngay, message] of [['2099-01-01', 'Ngày hỗ trợ không thể ở tương lai.'], ['2026-02-30', 'Ngày này không có trên lịch.']]) {
      const r = await member.post(`/to-cua-toi/luot-ho-tro/${visit}`, { viec: 'sua', nguoi: 'bà Tư', ngay: ngay!, 'ky-nang': 'mua-sam' });
      expect(r.status).toBe(400);
      expect(marked(await r.text()).ngay).toBe(message);
    }
    const long = await member.post(`/to-cua-toi/luot-ho-tro/${visit}`, { viec: 'sua', nguoi: 'a'.repeat(5000), ngay: today(), 'ky-nang': 'mua-sam' });
    expect(marked(await long.text()).nguoi).toBe('Người được hỗ trợ dài tối đa 60 ký tự.');
    const unknown = await member.post(`/to-cua-toi/luot-ho-tro/${visit}`, { viec: 'xoa-het' });
    expect(unknown.status).toBe(400);
    expect(shown(await unknown.text())).toContain('Thao tác không hợp lệ. Hãy tải lại trang.');
  });
});

describe('household forms', () => {
  it('a phone that is not a number is refused with the phone rule, not “Invalid input”', async () => {
    const r = await member.post('/to-cua-toi/ho-gia-dinh/them', { 'dong-y': 'co', ten: 'Hộ thử số điện thoại', sdt: 'không có', 'ghi-chu': '' });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).not.toMatch(ENGLISH);
    expect(html).toContain('Số điện thoại di động cần đủ 10 chữ số');
    const note = await member.post('/to-cua-toi/ho-gia-dinh/them', { 'dong-y': 'co', ten: 'Hộ thử ghi chú', sdt: '', 'ghi-chu': '\u200b' });
    expect(note.status).toBe(400);
    expect(await note.text()).toContain('Ghi chú chỉ có ký tự ẩn');
  });

  it('a refused household edit lists what to correct on the error page', async () => {
    const r = await member.post(`/ho-gia-dinh/${household}/sua`, { viec: 'sua', ten: 'Hộ bác Tư, ngõ 3 (mẫu)', sdt: '0912', 'ghi-chu': '' });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('Số điện thoại di động cần đủ 10 chữ số');
    expect(html).not.toMatch(ENGLISH);
  });

  it('a NUL byte in a list search is searched as a space, not a 500', async () => {
    for (const [c, p] of [[member, '/to-cua-toi/ho-gia-dinh'], [official, `/quan-ly/to/${team}/ho-gia-dinh`]] as const) {
      const r = await c.get(`${p}?tim=bac%00tu`);
      expect(r.status, p).toBe(200);
      expect(await r.text()).toContain('Hộ bác Tư, ngõ 3 (mẫu)');
    }
  });
});

describe('linking', () => {
  it('a confirmation that is not “co” is refused with a message, never a blank 400', async () => {
    const citizen = new Client(server.url);
    expect((await citizen.post('/dang-nhap', { phone: '0912000003', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
    const r = await citizen.post('/lien-ket', { ma: '123456', 'xac-nhan': 'khong' });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).not.toMatch(ENGLISH);
    expect(shown(html).length, 'a message is shown').toBeGreaterThan(0);
  });
});

describe('a linked citizen’s data download', () => {
  it('gives the day of the visit as a date (YYYY-MM-DD), not a timestamp at the server’s midnight', async () => {
    const hoa = new Client(server.url);
    expect((await hoa.post('/dang-nhap', { phone: '0912000001', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
    const data = (await (await hoa.get('/tai-khoan/du-lieu.json')).json()) as { householdLinks: { visitDate: string | null }[] };
    expect(data.householdLinks.length).toBeGreaterThan(0);
    for (const l of data.householdLinks) expect(l.visitDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('the team household export', () => {
  it('follows the list page’s guard: a plain member gets 403, the leader and the official download it', async () => {
    const path = `/quan-ly/to/${team}/ho-gia-dinh/xuat?dinh-dang=csv`;
    expect((await member.get(`/quan-ly/to/${team}/ho-gia-dinh`)).status).toBe(403);
    const r = await member.get(path);
    expect(r.status).toBe(403);
    expect(await r.text()).not.toContain('Hộ bác Tư');
    const leader = new Client(server.url);
    expect((await leader.post('/dang-nhap', { phone: '0912000011', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
    expect((await leader.get(path)).status).toBe(200);
    expect((await official.get(path)).status).toBe(200);
    const guest = await new Client(server.url).get(path);
    expect(guest.status).toBe(303);
    expect(guest.headers.get('location')).toContain('/dang-nhap');
  });
});


describe('the real number of households of a village', () => {
  it('takes 350 or 1.500, refuses "5.5" and "1,50" in Vietnamese instead of reading them as 55 and 150', async () => {
    // The official's village: a child unit of their commune whose dashboard has the form.
    const home = await (await official.get('/quan-ly')).text();
    const queue = [...new Set([...home.matchAll(/\/quan-ly\/don-vi\/(\d+)/g)].map((m) => m[1]!))];
    let village: string | undefined;
    for (let i = 0; i < queue.length && i < 12 && !village; i++) {
      const html = await (await official.get(`/quan-ly/don-vi/${queue[i]}/ho-gia-dinh`)).text();
      if (html.includes('name="so-ho"')) village = queue[i];
      for (const m of html.matchAll(/href="\/quan-ly\/don-vi\/(\d+)\/ho-gia-dinh"/g)) if (!queue.includes(m[1]!)) queue.push(m[1]!);
    }
    expect(village).toBeTruthy();
    const post = (v: string) => official.post(`/quan-ly/don-vi/${village}/ho-gia-dinh/so-ho`, { 'so-ho': v });
    for (const bad of ['5.5', '1,50', '12.34.5', 'ba trăm']) {
      const r = await post(bad);
      expect(r.status, bad).toBe(400);
      expect(await r.text(), bad).toContain('Số hộ là một số nguyên, ví dụ 350 hoặc 1.500.');
    }
    expect((await post('1.500')).status).toBe(303);
    expect(await (await official.get(`/quan-ly/don-vi/${village}/ho-gia-dinh`)).text()).toContain('value="1500"');
    expect((await post('350')).status).toBe(303);
    expect(await (await official.get(`/quan-ly/don-vi/${village}/ho-gia-dinh`)).text()).toContain('value="350"');
  });
});

describe('a member cannot inflate the figures with a script', () => {
  it('60 visits and 60 households an hour; the 61st of each is refused with 429 and Retry-After, in Vietnamese', async () => {
    // The team's leader, who has recorded nothing here yet (the member's posts above count in their hour).
    const leader = new Client(server.url);
    expect((await leader.post('/dang-nhap', { phone: '0912000011', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
    const visitForm = (i: number) => ({ ho: household, 'dong-y': 'co', nguoi: `bà Tư ${i}`, ngay: today(), 'ky-nang': 'mua-sam', 'ma-gui': crypto.randomUUID() });
    const before = await (await leader.get('/to-cua-toi/luot-ho-tro')).text();
    expect(before).toContain('Ghi lượt hỗ trợ');
    let stored = 0;
    for (let i = 0; i < 61; i++) {
      const r = await leader.post('/to-cua-toi/luot-ho-tro', visitForm(i));
      if (r.status === 303) {
        stored++;
        continue;
      }
      expect(r.status).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await r.text()).toContain('Bạn đã ghi rất nhiều lượt hỗ trợ trong một giờ');
      break;
    }
    expect(stored).toBe(60);
    let added = 0;
    for (let i = 0; i < 61; i++) {
      const r = await leader.post('/to-cua-toi/ho-gia-dinh/them', { ten: `Hộ thử giới hạn ${i}`, 'dong-y': 'co' });
      if (r.status === 303) {
        added++;
        continue;
      }
      expect(r.status).toBe(429);
      expect(await r.text()).toContain('Bạn đã thêm rất nhiều hộ trong một giờ');
      break;
    }
    expect(added).toBe(60);
  }, 120_000);
});

describe('methods other than GET and POST', () => {
  it('PUT, PATCH and DELETE get 405 with Allow, never the page as if it were read', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      for (const path of [`/ho-gia-dinh/${household}`, '/to-cua-toi/luot-ho-tro', '/']) {
        const r = await fetch(new URL(path, server.url), { method, redirect: 'manual' });
        expect(r.status, `${method} ${path}`).toBe(405);
        expect(r.headers.get('allow')).toBe('GET, HEAD, POST');
        expect(await r.text()).toContain('Phương thức này không được hỗ trợ');
      }
    }
    expect((await fetch(new URL('/', server.url), { method: 'HEAD' })).status).toBe(200);
  });
});
