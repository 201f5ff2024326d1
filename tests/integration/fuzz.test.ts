/**
 * Property-based probing of the whole site: every route under src/pages (enumerated from the file
 * system), with generated hostile route parameters, query strings and form bodies, as a guest, a
 * citizen and an admin. A fixed seed and count make the run reproducible; a failure prints both and the
 * request. Nothing may answer ≥ 500, and no body may carry a stack trace or SQL text.
 */
import fs from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type RouteInfo } from '../setup/routes.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const CONCURRENCY = 6;
const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|\.mjs:\d+|Error:|TypeError|ReferenceError/;
const SQL = /invalid input syntax|syntax error at|violates|relation "|column "|duplicate key|\bselect\b.+\bfrom\b|insert into|kysely|\bpg_[a-z]+\(|sqlstate/i;

let server: TestServer;
let clients: { name: string; client: Client }[];
let good: Record<string, string[]>;

async function signIn(phone: string): Promise<Client> {
  const c = new Client(server.url);
  const r = await c.post('/dang-nhap', { phone, password: 'hoc-thu-2026', next: '/' });
  expect(r.status, `sign-in ${phone}`).toBe(303);
  return c;
}

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer();
  const admin = await signIn('0912000099');
  const official = await signIn('0912000010');
  // A team member too: the households and help-visit pages (/to-cua-toi/…) answer only the team's members.
  const member = await signIn('0912000002');
  clients = [
    { name: 'guest', client: new Client(server.url) },
    { name: 'citizen', client: await signIn('0912000001') },
    { name: 'official', client: official },
    { name: 'admin', client: admin },
    { name: 'member', client: member },
  ];
  // A real household of the member's team, so generated bodies reach the household handlers.
  const added = await member.post('/to-cua-toi/ho-gia-dinh/them', { 'dong-y': 'co', ten: 'Hộ thử nghiệm fuzz', sdt: '', 'ghi-chu': '' });
  expect(added.status, 'member adds a household').toBe(303);
  const household = added.headers.get('location')!.match(/\/ho-gia-dinh\/([0-9a-f-]{36})/)![1]!;
  const home = await (await official.get('/quan-ly')).text();
  const unit = home.match(/\/quan-ly\/don-vi\/(\d+)/)?.[1] ?? '1';
  const unitPage = await (await official.get(`/quan-ly/don-vi/${unit}`)).text();
  const team = unitPage.match(/\/quan-ly\/to\/(\d+)/)?.[1] ?? '1';
  // Real values too, so generated bodies reach the handlers behind the parameter checks.
  good = {
    unit: [unit, '1'],
    team: [team],
    member: ['00000000-0000-4000-8000-000000000000'],
    import: ['00000000-0000-4000-8000-000000000000'],
    attempt: ['00000000-0000-4000-8000-000000000000'],
    course: ['trinh-duyet-an-toan'],
    edition: ['thanh-vien', 'nguoi-dan'],
    lesson: ['khong-co-bai-nay'],
    code: ['HS4VN-2026D'],
    month: ['2026-11', '2026-12'],
    token: ['a'.repeat(48)],
    request: ['00000000-0000-4000-8000-000000000000'],
    list: ['1'],
    household: [household, '00000000-0000-4000-8000-000000000000'],
    visit: ['00000000-0000-4000-8000-000000000000'],
    householdImport: ['00000000-0000-4000-8000-000000000000'],
  };
}, 180_000);
afterAll(() => server?.stop());

/** Values that broke sites before: malformed ids, encodings, control and bidi characters, SQL, huge numbers. */
const hostile = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(
    '', ' ', '0', '-1', '1e309', 'NaN', '99999999999999999999', '2147483648', '00000000-0000-0000-0000-00000000000g',
    '------------------------------------', "' or 1=1 --", '%00', '%', '%zz', '..%2f..%2fetc%2fpasswd', '/\\evil.example',
    '//evil.example', '/%09/evil.example', 'javascript:alert(1)', '\u202Eevil', '\u200B\u200B\u200B', '<script>x</script>',
    '2026-13', '0000-00', 'HS4VN-0000O', 'x'.repeat(5000), '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'Ngõ 5\u0000', '[object Object]', '{"a":1}', 'null', 'true',
  ) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  // Strings that pass a loose /^[0-9a-f-]{36}$/ check but are no uuid.
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9a-f-]{36}$/) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 3_000_000_000 }).map(String) },
  { weight: 1, arbitrary: fc.uuid().map((u) => u.toUpperCase()) },
);

const FIELDS = ['ho', 'nguoi', 'ngay', 'ky-nang', 'sdt', 'ghi-chu', 'dong-y', 'nhac', 'phien', 'phone', 'password', 'next', 'displayName', 'viec', 'ten', 'don-vi', 'to', 'khoa', 'han', 'code', 'question', 'action', 'id', 'answer',
  'cho-thoi', 'attempt', 'cap-tren', 'loai', 'ma', 'reason', 'name', 'q1', 'q-0', 'tiep'];
const QUERIES = ['tiep', 'tb', 'khoa', 'bang', 'dinh-dang', 'ket-qua', 'trang-thai', 'ma', 'xong', 'q', 'ky-nang', 'phien-ban', 'da-xong', 'da-gui'];

interface Case {
  who: number;
  route: number;
  params: (string | null)[];
  method: 'GET' | 'POST';
  query: [string, string][];
  body: [string, string][];
  bodyKind: 'form' | 'json' | 'garbage';
}

function caseArb(all: RouteInfo[]): fc.Arbitrary<Case> {
  return fc.record({
    who: fc.integer({ min: 0, max: 4 }),
    route: fc.integer({ min: 0, max: all.length - 1 }),
    // null = a real value (reaches the handler), else a hostile one.
    params: fc.array(fc.option(hostile, { nil: null, freq: 2 }), { minLength: 3, maxLength: 3 }),
    method: fc.constantFrom('GET' as const, 'POST' as const),
    query: fc.array(fc.tuple(fc.constantFrom(...QUERIES), hostile), { maxLength: 3 }),
    body: fc.array(fc.tuple(fc.constantFrom(...FIELDS), hostile), { maxLength: 6 }),
    bodyKind: fc.constantFrom('form' as const, 'form' as const, 'form' as const, 'json' as const, 'garbage' as const),
  });
}

function pathOf(c: Case, r: RouteInfo): string {
  let i = 0;
  const p = r.route.replace(/\[(\w+)\]/g, (_, k: string) => {
    const v = c.params[i++ % c.params.length];
    const real = good[k]?.[i % (good[k]?.length ?? 1)] ?? 'x';
    return encodeURIComponent(v ?? real);
  });
  const qs = new URLSearchParams(c.query).toString();
  return p + (qs ? `?${qs}` : '');
}

async function send(c: Case, all: RouteInfo[]): Promise<{ req: string; status: number; body: string }> {
  const r = all[c.route]!;
  const p = pathOf(c, r);
  const { client } = clients[c.who]!;
  let res: Response;
  if (c.method === 'GET') res = await client.get(p);
  else if (c.bodyKind === 'form') res = await client.post(p, c.body);
  else {
    const body = c.bodyKind === 'json' ? JSON.stringify(Object.fromEntries(c.body)) : c.body.map(([, v]) => v).join('\u0000');
    res = await client.request(p, { method: 'POST', body, headers: { origin: server.url, 'content-type': c.bodyKind === 'json' ? 'application/json' : 'multipart/form-data; boundary=x' } });
  }
  return { req: `${clients[c.who]!.name} ${c.method} ${p} ${c.bodyKind} ${JSON.stringify(c.body).slice(0, 300)}`, status: res.status, body: await res.text() };
}

describe('fuzzing every route with hostile input', () => {
  it(`answers ${RUNS} generated requests (seed ${SEED}) without a 5xx, a stack trace or SQL text`, async () => {
    // Signing out would end the sessions the run depends on; it takes no input anyway.
    const all = routes().filter((r) => r.route !== '/dang-xuat');
    expect(all.length).toBeGreaterThan(40);
    const cases = fc.sample(caseArb(all), { seed: SEED, numRuns: RUNS });
    expect(cases).toHaveLength(RUNS);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) {
          const idx = next++;
          const { req, status, body } = await send(cases[idx]!, all);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const bad = status >= 500 ? `status ${status}` : STACK.test(body) ? 'stack trace in body' : SQL.test(body) ? 'SQL text in body' : undefined;
          if (bad && failures.length < 20) failures.push(`#${idx} ${bad}: ${req}\n   ${body.replace(/\s+/g, ' ').slice(0, 300)}`);
        }
      }),
    );
    console.log(`fuzz: ${RUNS} requests, seed ${SEED}, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    expect(failures, `seed ${SEED}, runs ${RUNS} (FUZZ_SEED/FUZZ_RUNS to replay):\n${failures.join('\n')}`).toEqual([]);
  }, 900_000);
});

describe('the defects probing found stay fixed', () => {
  const DASHES = '-'.repeat(36);
  const NOT_HEX = 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz';

  it('malformed ids get a Vietnamese 400/404 page, never a 500 or database text', async () => {
    const admin = clients[3]!.client;
    const citizen = clients[1]!.client;
    const member = clients[4]!.client;
    const guest = clients[0]!.client;
    const cases: [Client, 'GET' | 'POST', string, Record<string, string>?][] = [];
    for (const bad of [DASHES, NOT_HEX, '1', 'abc']) {
      const e = encodeURIComponent(bad);
      cases.push(
        [citizen, 'GET', `/ket-qua/${e}`],
        [citizen, 'GET', `/khoa-hoc/trinh-duyet-an-toan/nguoi-dan/${'mot-bai'}/kiem-tra?ket-qua=${e}`],
        [citizen, 'POST', '/khoa-hoc/trinh-duyet-an-toan/nguoi-dan/kiem-tra-cuoi', { attempt: bad }],
        [admin, 'GET', `/quan-ly/thanh-vien/${e}`],
        [admin, 'POST', `/quan-ly/thanh-vien/${e}/sua`, { viec: 'cho-thoi' }],
        [admin, 'GET', `/quan-ly/nhap/${e}`],
        [admin, 'POST', `/quan-ly/nhap/${e}/phieu`, {}],
        [admin, 'POST', '/quan-tri/hoi-dap', { id: bad, action: 'approve' }],
        // Households, help visits, household imports, recovery requests, reminders and sessions.
        [member, 'GET', `/ho-gia-dinh/${e}`],
        [member, 'POST', `/ho-gia-dinh/${e}/sua`, { viec: 'xoa' }],
        [member, 'GET', `/ho-gia-dinh/nhap/${e}`],
        [member, 'POST', `/ho-gia-dinh/nhap/${e}`, {}],
        [member, 'GET', `/to-cua-toi/luot-ho-tro/${e}`],
        [member, 'POST', `/to-cua-toi/luot-ho-tro/${e}`, { ho: bad }],
        [member, 'POST', '/to-cua-toi/luot-ho-tro', { ho: bad, 'dong-y': 'co', nguoi: 'bà Tư', ngay: '2026-12-01', 'ky-nang': 'mua-sam' }],
        [member, 'POST', '/nhac-nho/an', { nhac: bad }],
        [admin, 'GET', `/quan-ly/cap-ma/${e}`],
        [admin, 'POST', `/quan-ly/cap-ma/${e}`, {}],
        [admin, 'GET', `/quan-ly/thanh-vien/${e}/phieu`],
        [admin, 'POST', `/quan-ly/thanh-vien/${e}/cap-lai-ma`, {}],
        [admin, 'GET', `/quan-ly/nhap/${e}/phieu`],
        [citizen, 'POST', '/tai-khoan/phien/ket-thuc', { phien: bad }],
        // Months and calendar tokens are checked at the edge too.
        [citizen, 'GET', `/lich/${e}`],
        [citizen, 'POST', `/lich/${e}`, { question: 'Câu hỏi thử về dịch vụ công' }],
        [citizen, 'GET', `/lich/${e}/diem-danh`],
        [admin, 'GET', `/quan-tri/diem-danh/${e}`],
        [guest, 'GET', `/lich/rieng/${e}.ics`],
      );
    }
    // A malformed household to preselect on the visit form is ignored (the form opens with none chosen).
    for (const bad of [DASHES, NOT_HEX, '1', 'abc']) {
      const r = await member.get(`/to-cua-toi/luot-ho-tro?ho=${encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(200);
      expect(await r.text()).not.toMatch(/<option value="[^"]+" selected/);
    }
    for (const [client, method, p, body] of cases) {
      const r = method === 'GET' ? await client.get(p) : await client.post(p, body ?? {});
      const text = await r.text();
      expect([400, 404], `${method} ${p} → ${r.status}`).toContain(r.status);
      expect(text, `${method} ${p}`).not.toMatch(SQL);
      expect(text, `${method} ${p}`).not.toMatch(STACK);
    }
  });

  it('sign-in never redirects off the site', async () => {
    const official = clients[2]!.client;
    for (const bad of ['/%5Cevil.example', '/%09/evil.example', '/%0A/evil.example', '//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/%2F/evil.example']) {
      const r = await official.get(`/dang-nhap?tiep=${bad.startsWith('/%') ? bad : encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(303);
      const loc = r.headers.get('location')!;
      expect(new URL(loc, server.url).origin, `${bad} → ${loc}`).toBe(server.url);
      expect(loc, bad).not.toMatch(/[\\\t\n]|evil/);
    }
    const guest = new Client(server.url);
    for (const bad of ['/\\evil.example', '//evil.example', '/\tevil']) {
      const r = await guest.post('/dang-nhap', { phone: '0912000003', password: 'hoc-thu-2026', next: bad });
      expect(r.status).toBe(303);
      expect(new URL(r.headers.get('location')!, server.url).origin).toBe(server.url);
    }
  });

  it('a crafted ?tb= shows no text of its own; known codes show their fixed notice', async () => {
    const official = clients[2]!.client;
    const home = await (await official.get('/quan-ly')).text();
    const unit = home.match(/\/quan-ly\/don-vi\/(\d+)/)![1];
    const crafted = await (await official.get(`/quan-ly/don-vi/${unit}?tb=${encodeURIComponent('Tài khoản bị khóa, gọi 0900000000')}`)).text();
    expect(crafted).not.toContain('Tài khoản bị khóa');
    const known = await (await official.get(`/quan-ly/don-vi/${unit}?tb=da-giao-khoa-hoc`)).text();
    expect(known).toContain('Đã giao khóa học bắt buộc.');
    // Pages with their own fixed codes never print inherited properties of a lookup object.
    const admin = clients[3]!.client;
    for (const code of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const page = await (await admin.get(`/quan-tri/hoi-dap?xong=${code}`)).text();
      expect(page, code).not.toMatch(/native code|function |\[object /);
      for (const tb of [`/quan-ly/don-vi/${unit}?tb=${code}`, `/tai-khoan?tb=${code}`]) {
        expect(await (await admin.get(tb)).text(), tb).not.toMatch(/native code|function |\[object /);
      }
    }
  });
});
