/**
 * Uploads and request bodies on the built server: hostile roster files are refused with a Vietnamese
 * page while /healthz keeps answering; huge bodies (generated lazily, never allocated) get a 413
 * before they are sent, and the connection is closed. Times are printed by `npm run bench`.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEndless } from '../setup/endless-body.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';
import { householdRowBomb, rosterXlsx, rowBomb } from '../setup/xlsx-files.ts';

let server: TestServer;
let official: Client;
let unit: string;
const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|Error:/;
const BODY = 200 * 1024 * 1024;

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer();
  official = new Client(server.url);
  expect((await official.post('/dang-nhap', { phone: '0912000010', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
  unit = /\/quan-ly\/don-vi\/(\d+)/.exec(await (await official.get('/quan-ly')).text())![1]!;
}, 120_000);
afterAll(() => server?.stop());

function upload(bytes: Uint8Array, name: string, path = `/quan-ly/don-vi/${unit}/nhap-danh-sach`) {
  const form = new FormData();
  form.set('tep', new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
  return official.request(path, { method: 'POST', body: form, headers: { origin: server.url } });
}

describe('roster uploads', () => {
  it('refuses the 10-million-row file and a lying archive while /healthz answers', async () => {
    const [bomb, lying, health] = await Promise.all([upload(rowBomb(10_000_000), 'ds.xlsx'), upload(rowBomb(3_000_000, { lie: true }), 'ds.xlsx'), fetch(`${server.url}/healthz`)]);
    expect(health.status).toBe(200);
    const text = await bomb.text();
    expect(bomb.status).toBe(413);
    expect(text).toMatch(/khi giải nén lớn hơn 8 MB/);
    expect(text).not.toMatch(STACK);
    expect(lying.status).toBe(400);
    expect(await lying.text()).toMatch(/không khớp với nội dung/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200); // the server is still up
  });

  it('refuses 5,001 rows and reports a missing file next to the field', async () => {
    const over = await upload(await rosterXlsx(5001), 'ds.xlsx');
    expect(over.status).toBe(413);
    expect(await over.text()).toMatch(/quá nhiều dòng \(tối đa 5000\)/);
    const form = new FormData();
    form.set('tep', '');
    const none = await official.request(`/quan-ly/don-vi/${unit}/nhap-danh-sach`, { method: 'POST', body: form, headers: { origin: server.url } });
    expect(none.status).toBe(400);
    expect(await none.text()).toMatch(/id="tep-loi">Vui lòng chọn tệp danh sách/);
  });

  it('404s a malformed or out-of-range unit before reading anything', async () => {
    for (const u of ['abc', '0', '1e3', '99999999999', `${unit}.5`]) {
      const r = await upload(await rosterXlsx(1), 'ds.xlsx', `/quan-ly/don-vi/${u}/nhap-danh-sach`);
      expect(r.status, u).toBe(404);
      expect(await r.text()).not.toMatch(STACK);
    }
  });
});

describe('household list uploads (same streaming limits as rosters)', () => {
  it('refuses the 10-million-row file, a zip bomb and 3 million rows from a member and an official while /healthz answers', async () => {
    const member = new Client(server.url);
    expect((await member.post('/dang-nhap', { phone: '0912000002', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
    const unitPage = await (await official.get(`/quan-ly/don-vi/${unit}`)).text();
    const village = /href="\/quan-ly\/don-vi\/(\d+)"/.exec(unitPage)?.[1];
    const teamPage = village ? await (await official.get(`/quan-ly/don-vi/${village}`)).text() : unitPage;
    const team = /\/quan-ly\/to\/(\d+)/.exec(teamPage + unitPage)![1]!;
    const send = (c: Client, p: string, bytes: Uint8Array) => {
      const form = new FormData();
      form.set('tep', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'ho.xlsx');
      return c.request(p, { method: 'POST', body: form, headers: { origin: server.url } });
    };
    for (const [who, c, p] of [['member', member, '/to-cua-toi/ho-gia-dinh/nhap'], ['official', official, `/quan-ly/to/${team}/ho-gia-dinh/nhap`]] as const) {
      const [bomb, zip, rows, health] = await Promise.all([
        send(c, p, householdRowBomb(10_000_000)),
        send(c, p, householdRowBomb(60_000)),
        send(c, p, householdRowBomb(3_000_000, { declaredSheetSize: 7 * 1024 * 1024 })),
        fetch(`${server.url}/healthz`),
      ]);
      expect(health.status).toBe(200);
      expect(bomb.status, `${who} 10M rows`).toBe(413);
      expect(await bomb.text()).toMatch(/khi giải nén lớn hơn 8 MB/);
      expect(zip.status, `${who} zip bomb`).toBe(413);
      expect(await zip.text()).toMatch(/bom nén/);
      expect(rows.status, `${who} 3M rows`).toBe(413);
      const text = await rows.text();
      expect(text).toMatch(/quá nhiều hộ \(tối đa 3000\)/);
      expect(text).not.toMatch(STACK);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('huge request bodies', () => {
  it('answers a chunked 200 MB body to /dang-nhap with 413 before it is sent, then closes', async () => {
    // Known race (see the closing note of round 2, session 2): now and then the connection is reset
    // while the client is still sending, before it has read the 413. What must always hold: the
    // server stops early (a small part of the body is sent), and it keeps serving.
    const r = await postEndless(`${server.url}/dang-nhap`, { headers: { origin: server.url } }).catch((err: NodeJS.ErrnoException & { sent: number }) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') throw err;
      return { status: 0, body: '', sentBeforeResponse: err.sent, closed: true };
    });
    if (r.status !== 0) {
      expect(r.status).toBe(413);
      expect(r.body).toMatch(/quá lớn/);
    }
    expect(r.sentBeforeResponse).toBeLessThan(BODY / 4);
    expect(r.closed).toBe(true);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('refuses a declared 200 MB body at the http level, before 100 Continue', async () => {
    const r = await postEndless(`${server.url}/dang-nhap`, { headers: { origin: server.url }, declareLength: true });
    expect([r.status, r.closed]).toEqual([413, true]);
    expect(r.body).toMatch(/Dữ liệu gửi lên quá lớn/);
    const polite = await postEndless(`${server.url}/quan-ly/don-vi/${unit}/nhap-danh-sach`, { headers: { origin: server.url }, declareLength: true, expectContinue: true });
    expect([polite.status, polite.sentBeforeResponse]).toEqual([413, 0]);
  });

  it('does not read the rest of a body a route ignores', async () => {
    // The same known race as above (seen once on Postgres): the reset can arrive before the client has
    // read the answer. What must always hold: the server stopped early and keeps serving.
    const r = await postEndless(`${server.url}/`, { headers: { origin: server.url } }).catch((err: NodeJS.ErrnoException & { sent: number }) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') throw err;
      return { status: 0, sentBeforeResponse: err.sent, closed: true };
    });
    expect(r.status).toBeLessThan(500);
    expect(r.sentBeforeResponse).toBeLessThan(BODY / 4);
    expect(r.closed).toBe(true);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
