/**
 * src/web/whole-response.ts on a real http server: a response written in pieces puts nothing on the
 * socket until it ends, then arrives complete (also through compression); past the limit it streams.
 * Deterministic: the handler pauses until the test has read the socket's counters, no clock involved.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import compression from 'compression';
import { afterEach, expect, it } from 'vitest';
import { holdWholeResponse } from '../../src/web/whole-response.ts';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A server whose handler writes `pieces`, reports the socket's bytes written after each, and ends when told. */
async function serve(pieces: Buffer[], limit: number | undefined, compress: boolean) {
  const written: number[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  let wroteAll!: () => void;
  const allWritten = new Promise<void>((r) => (wroteAll = r));
  server = http.createServer((req, res) => {
    holdWholeResponse(res, limit);
    const handle = async () => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      for (const p of pieces) {
        res.write(p);
        // Let the event loop run, so anything written would reach the socket.
        await new Promise((r) => setImmediate(r));
        written.push(res.socket!.bytesWritten);
      }
      wroteAll();
      await finished;
      res.end('<!-- end -->');
    };
    if (compress) compression({ threshold: 0 })(req as never, res as never, () => void handle());
    else void handle();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, written, finish, allWritten };
}

it('puts nothing on the wire before the end, then the whole page', async () => {
  const pieces = [Buffer.from('<p>một</p>'), Buffer.from('<p>hai</p>'), Buffer.from('<p>ba</p>')];
  const s = await serve(pieces, undefined, false);
  const response = fetch(s.url);
  await s.allWritten;
  expect(s.written).toEqual([0, 0, 0]);
  s.finish();
  const r = await response;
  expect(await r.text()).toBe('<p>một</p><p>hai</p><p>ba</p><!-- end -->');
});

it('holds the compressed output too, and it decodes to the whole page', async () => {
  const pieces = Array.from({ length: 20 }, (_, i) => Buffer.from(`<section>${'Học Số '.repeat(400)}${i}</section>`));
  const s = await serve(pieces, undefined, true);
  const response = new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
    http.get(s.url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  await s.allWritten;
  expect(s.written.every((n) => n === 0)).toBe(true);
  s.finish();
  const r = await response;
  expect(r.encoding).toBe('gzip');
  expect(zlib.gunzipSync(r.body).toString()).toBe(Buffer.concat([...pieces, Buffer.from('<!-- end -->')]).toString());
});

it('streams once a response passes the limit', async () => {
  const pieces = [Buffer.alloc(600, 'a'), Buffer.alloc(600, 'b'), Buffer.alloc(600, 'c')];
  const s = await serve(pieces, 1000, false);
  const response = fetch(s.url);
  await s.allWritten;
  expect(s.written[0]).toBe(0);
  expect(s.written[1]).toBeGreaterThan(1200);
  expect(s.written[2]).toBeGreaterThan(s.written[1]!);
  s.finish();
  expect((await (await response).text()).length).toBe(1800 + '<!-- end -->'.length);
});
