/**
 * The server-wide body cap (src/web/body-cap.ts) on a real Node http server whose handler forgets
 * any limit: it reads whatever `req.body` yields. Bodies are generated lazily by the client.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capRequestBody, continueAllowed } from '../../src/web/body-cap.ts';
import { postEndless } from '../setup/endless-body.ts';

const CAP = 1024 * 1024;
let server: http.Server;
let url: string;
let read: number[] = [];

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    if (!capRequestBody(req, res, CAP)) return;
    let n = 0;
    try {
      // A careless route: no limit of its own.
      for await (const chunk of (req as http.IncomingMessage & { body: AsyncIterable<Buffer> }).body ?? []) n += chunk.length;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`read ${n}`);
    } catch {
      res.writeHead(400).end('route error page'); // dropped: the cap answered already
    } finally {
      read.push(n);
    }
  });
  server.on('checkContinue', (req, res) => {
    if (!continueAllowed(req, res, CAP)) return;
    res.writeContinue();
    server.emit('request', req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('server-wide body cap', () => {
  it('answers 413 to a chunked 200 MB body once the cap is passed, stops the route reading, and closes', async () => {
    read = [];
    const r = await postEndless(url);
    expect(r.status).toBe(413);
    expect(r.headers.connection).toBe('close');
    expect(r.body).toContain('Dữ liệu gửi lên quá lớn.');
    expect(r.body).not.toContain('route error page');
    expect(r.sentBeforeResponse).toBeLessThan(64 * 1024 * 1024);
    expect(r.closed).toBe(true);
    expect(read).toHaveLength(1);
    expect(read[0]).toBeLessThanOrEqual(CAP);
  });

  it('refuses a declared length over the cap before the route runs, and before 100 Continue', async () => {
    read = [];
    const r = await postEndless(url, { declareLength: true });
    expect([r.status, r.closed]).toEqual([413, true]);
    const polite = await postEndless(url, { declareLength: true, expectContinue: true });
    expect([polite.status, polite.sentBeforeResponse]).toEqual([413, 0]);
    expect(read).toEqual([]);
  });

  it('lets bodies under the cap through, chunked or not', async () => {
    for (const declareLength of [false, true]) {
      const r = await postEndless(url, { totalBytes: CAP - 10, declareLength });
      expect([r.status, r.body]).toEqual([200, `read ${CAP - 10}`]);
    }
  });
});
