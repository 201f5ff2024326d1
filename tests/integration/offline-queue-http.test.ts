/**
 * The offline queue's sender (src/lib/offline/queue.ts `sendItem`) against the built server: an item is
 * marked sent only when the server stored it, never when a missing session turned the POST into the
 * sign-in page (a help visit queued by a member whose session ended before the phone was back online);
 * a 429 keeps the item in line until the time the server named, and says so in Vietnamese.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type TestServer } from '../setup/server.ts';
import { todayVn } from '../../src/server/households/fields.ts';
import { sendItem } from '../../src/lib/offline/queue.ts';
import type { QueuedItem } from '../../src/lib/offline/store.ts';

let server: TestServer;
let restore: (() => void) | undefined;
/** The session cookie the page's browser would send with a same-origin `fetch` (none: a guest). */
let cookie = '';

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer();
  // What a page of the site does for `fetch`: paths resolve against the site, and a POST carries its Origin.
  const nodeFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('origin', server.url);
    if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
    return nodeFetch(new URL(String(input), server.url), { ...init, headers });
  };
  restore = () => (globalThis.fetch = nodeFetch);
}, 150_000);
afterAll(() => {
  restore?.();
  return server?.stop();
});

const item = (over: Partial<QueuedItem>): QueuedItem => ({
  key: crypto.randomUUID(),
  kind: 'visit',
  owner: 'chu-tai-khoan',
  url: '/to-cua-toi/luot-ho-tro',
  body: new URLSearchParams({ ho: '', 'dong-y': 'khong', ngay: '2026-12-01', owner: 'chu-tai-khoan' }).toString(),
  label: 'Lượt hỗ trợ: hộ ẩn danh',
  createdAt: Date.now(),
  status: 'waiting',
  attempts: 0,
  ...over,
});

describe('sending a queued item without a session', () => {
  it('a help visit answered with the sign-in page is not marked sent: it waits for its account, with a Vietnamese reason', async () => {
    const next = await sendItem(item({}));
    expect(next.status).not.toBe('sent');
    expect(next.resultUrl).toBeUndefined();
    expect(next.status).toBe('refused');
    expect(next.message).toMatch(/đăng nhập/);
  });
});

describe('sending a queued help visit when the member has recorded too many this hour', () => {
  it('keeps it waiting, not before the Retry-After time, and tells the member why in Vietnamese', async () => {
    const member = new Client(server.url);
    expect((await member.post('/dang-nhap', { phone: '0912000002', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
    cookie = member.cookieHeader();
    const anonymous = { 'dong-y': 'khong', ngay: todayVn(), 'ky-nang': 'thanh-toan', 'kq-thanh-toan': 'tu-lam' };
    // Up to the hourly limit, as a busy day of a team member could reach.
    for (let i = 0; i < 200; i++) {
      const r = await member.post('/to-cua-toi/luot-ho-tro', { ...anonymous, 'ma-gui': crypto.randomUUID() });
      if (r.status === 429) break;
      expect(r.status).toBe(303);
    }
    const queued = item({ body: new URLSearchParams(anonymous).toString(), owner: '' });
    const before = Date.now();
    const next = await sendItem(queued);
    expect(next.status).toBe('waiting');
    expect(next.attempts).toBe(1);
    expect(next.retryAt).toBeGreaterThan(before + 60_000);
    expect(next.message).toMatch(/^Máy chủ đang tạm giới hạn số lần gửi nên chưa nhận lượt hỗ trợ này\. Máy sẽ tự gửi lại sau khoảng \d+ phút/);
    cookie = '';
  });
});
