/**
 * A client that posts a huge body lazily (chunks generated as the socket drains, never allocated
 * whole) and stops sending as soon as a response arrives, as a browser does. It reports how much it
 * managed to send: a server that refuses early is seen refusing long before the end of the body.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface EndlessResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Body bytes handed to the socket before the response arrived. */
  sentBeforeResponse: number;
  /** Milliseconds from the request's start to the response's status line. */
  ms: number;
  /** Whether the server closed the connection after the response (waited for up to 10 s). */
  closed: boolean;
}

export interface EndlessOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Total body size offered (default 200 MB). */
  totalBytes?: number;
  /** Send `content-length: totalBytes` instead of a chunked body. */
  declareLength?: boolean;
  /** Send `expect: 100-continue` and wait for the go-ahead before sending. */
  expectContinue?: boolean;
}

/** After this many unanswered bytes the client stops sending and waits for the answer. */
const PAUSE_BYTES = 8 * 1024 * 1024;

/** Posts `totalBytes` of 'a' to `url` and resolves with the first response. */
export function postEndless(url: string, options: EndlessOptions = {}): Promise<EndlessResult> {
  const total = options.totalBytes ?? 200 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...options.headers };
  if (options.declareLength) headers['content-length'] = String(total);
  else headers['transfer-encoding'] = 'chunked';
  if (options.expectContinue) headers.expect = '100-continue';
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let sent = 0;
    let responded = false;
    const req = http.request(url, { method: options.method ?? 'POST', headers, agent: false });
    // One chunk per turn of the event loop, as a browser's network stack does: on a local socket the
    // kernel can take chunk after chunk without ever pushing back, and a tight write loop would never
    // read the server's answer before the server, done lingering, closes (its reset then wipes the
    // unread answer and the write fails with EPIPE).
    const pump = () => {
      if (responded) return;
      if (sent >= total) return void req.end();
      // A server that refuses early has answered long before this much; waiting for that answer here
      // (rather than pushing on into a connection the server may be closing) keeps the test
      // independent of how fast either side runs.
      if (sent >= PAUSE_BYTES) return;
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      if (req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) setImmediate(pump);
      else req.once('drain', pump);
    };
    if (options.expectContinue) req.once('continue', pump);
    else pump();
    req.on('response', (res) => {
      responded = true;
      const sentBeforeResponse = sent;
      const ms = performance.now() - started;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      const done = (closed: boolean) => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, sentBeforeResponse, ms, closed });
      };
      res.on('end', () => {
        // The client has stopped sending but not finished its body: only the server closes now.
        const socket = req.socket;
        if (!socket || socket.destroyed) return done(true);
        const t = setTimeout(() => done(false), 10_000);
        socket.once('close', () => {
          clearTimeout(t);
          done(true);
        });
      });
      res.on('error', () => done(true));
    });
    req.on('error', (err) => {
      // Writing into a socket the server closed after answering is expected; only a failure before
      // any response is an error.
      if (!responded) reject(Object.assign(err, { sent }));
    });
  });
}
