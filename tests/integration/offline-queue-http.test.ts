/**
 * The offline queue's sender (src/lib/offline/queue.ts `sendItem`) against the built server: an item is
 * marked sent only when the server stored it, never when a missing session turned the POST into the
 * sign-in page (a help visit queued by a member whose session ended before the phone was back online).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../setup/server.ts';
import { sendItem } from '../../src/lib/offline/queue.ts';
import type { QueuedItem } from '../../src/lib/offline/store.ts';

let server: TestServer;
let restore: (() => void) | undefined;

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer();
  // What a page of the site does for `fetch`: paths resolve against the site, and a POST carries its Origin.
  const nodeFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('origin', server.url);
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
