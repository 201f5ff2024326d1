/** With the database unreachable: /healthz says 503, pages show a Vietnamese error page. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, startServer, type TestServer } from '../setup/server.ts';

let server: TestServer;
beforeAll(async () => {
  const closed = await freePort(); // nothing listens there
  server = await startServer({ DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/hocso` }, { waitHealthy: false });
});
afterAll(() => server?.stop());

it('answers /healthz with 503 naming the database kind', async () => {
  const r = await fetch(`${server.url}/healthz`);
  expect(r.status).toBe(503);
  expect(await r.json()).toMatchObject({ status: 'error', database: 'postgres' });
});

it.each(['/', '/khoa-hoc/trinh-duyet-an-toan/nguoi-dan', '/tai-khoan'])('shows the Vietnamese error page for %s', async (p) => {
  const r = await fetch(server.url + p, { headers: { cookie: 'hs_session=aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb' } });
  const body = await r.text();
  if (p === '/tai-khoan' && r.status === 303) return; // guests are sent to sign-in before any query
  expect(r.status).toBe(500);
  expect(body).toMatch(/Hệ thống đang gặp sự cố/);
  expect(body).not.toMatch(/ECONNREFUSED|node_modules|at .*\.ts:\d+/);
});

it('still serves prerendered lessons', async () => {
  const r = await fetch(`${server.url}/khoa-hoc/trinh-duyet-an-toan/nguoi-dan/doc-dia-chi`);
  expect(r.status).toBe(200);
});

it('still shows guests the course and topic pages, saying the Q&A cannot be loaded', async () => {
  for (const p of ['/khoa-hoc/trinh-duyet-an-toan/nguoi-dan', '/lich/2026-11']) {
    const r = await fetch(server.url + p);
    expect(r.status, p).toBe(200);
    expect(await r.text(), p).toMatch(/Tạm thời không tải được phần hỏi đáp/);
  }
});
