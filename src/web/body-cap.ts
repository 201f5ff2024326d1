/**
 * One cap on every request body, at the Node http level (src/cli/serve.ts), beneath the routes' own
 * streaming limits (`readBody`): whatever a route does or forgets, no more than MAX_REQUEST_BYTES of a
 * body is ever read. Over the cap the client gets a 413 page and the connection is closed.
 *
 * - A declared Content-Length over the cap is refused before the app sees the request (and before
 *   `100 Continue`, so a polite client sends nothing).
 * - A body of unknown length (chunked) is counted as the app reads it: past the cap this module
 *   takes the response over (the app's body read fails and whatever it answers is dropped).
 * - A body the app leaves unread is not read to its end by Node after the response (its default,
 *   to reuse the connection): the connection is closed instead.
 * Closing is "lingering", as nginx does: after the 413 the rest of the body is read and discarded
 * for a moment (bounded in bytes and time) so the client reads the response; closing a socket with
 * unread data makes the kernel send a reset, which can destroy the response before it is read.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';

/** The largest body any route accepts (the roster upload: a 2 MB file in a multipart form) with room to spare. */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;
/**
 * How a refused body is read and discarded before the connection closes (nginx's lingering close):
 * while the client keeps sending, up to LINGER_BYTES more or LINGER_MAX_MS in all; a client silent
 * for LINGER_IDLE_MS is done. Bounded by bytes and activity rather than one short timer, so a slow
 * client on a loaded server still gets to read its answer.
 */
const LINGER_IDLE_MS = 5000;
const LINGER_MAX_MS = 30_000;
const LINGER_BYTES = 16 * 1024 * 1024;

const PAGE = Buffer.from(
  '<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Lỗi · Học Số</title></head><body style="font:18px/1.6 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem"><h1>Không thực hiện được yêu cầu</h1><p role="alert">Dữ liệu gửi lên quá lớn.</p><p><a href="/">Về trang chủ</a></p></body></html>',
);

/** What the app's body read fails with once the cap has been passed. */
export class BodyCapError extends Error {
  readonly status = 413;
  constructor() {
    super('Dữ liệu gửi lên quá lớn.');
  }
}

/** Whether a declared Content-Length is malformed or over `maxBytes`. */
function declaredTooLarge(req: IncomingMessage, maxBytes: number): boolean {
  const declared = req.headers['content-length'];
  return declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > maxBytes);
}

/**
 * Applies the cap to a request before the app runs. Returns false when the request was refused
 * (the 413 is on its way; do not call the app).
 */
export function capRequestBody(req: IncomingMessage, res: ServerResponse, maxBytes = MAX_REQUEST_BYTES): boolean {
  if (declaredTooLarge(req, maxBytes)) {
    refuse(req, res);
    return false;
  }
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return true;
  const state = { refused: false };
  // Astro's Node adapter reads `req.body` when it is an async iterable (the hook body parsers use);
  // a generator object has no own keys, so it is taken as a stream, not serialised as JSON.
  (req as IncomingMessage & { body?: AsyncIterable<Buffer> }).body = counted(req, res, maxBytes, state);
  res.once('finish', () => {
    // The app answered without reading the whole body. Node would read the rest to reuse the
    // connection, however long it is: read a bounded amount, then close.
    if (!state.refused && !req.complete && !req.destroyed) linger(req, { onLimit: () => req.socket.destroy() });
  });
  return true;
}

/** For `checkContinue`: whether to answer `100 Continue` (false when the 413 was sent instead). */
export function continueAllowed(req: IncomingMessage, res: ServerResponse, maxBytes = MAX_REQUEST_BYTES): boolean {
  if (!declaredTooLarge(req, maxBytes)) return true;
  refuse(req, res);
  return false;
}

async function* counted(req: IncomingMessage, res: ServerResponse, maxBytes: number, state: { refused: boolean }): AsyncGenerator<Buffer> {
  let seen = 0;
  // destroyOnReturn: false — leaving the loop must not destroy the request (and with it the socket
  // the 413 is written to).
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    seen += chunk.byteLength;
    if (seen > maxBytes) {
      state.refused = true;
      break;
    }
    yield chunk;
  }
  if (!state.refused) return;
  if (res.headersSent) req.socket.destroy(); // the app answered already: only closing is left
  else refuse(req, res);
  throw new BodyCapError();
}

/** Sends the 413 (bypassing compression and the app), drops the app's own answer, lingers, then closes. */
function refuse(req: IncomingMessage, res: ServerResponse): void {
  const proto = ServerResponse.prototype;
  proto.writeHead.call(res, 413, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': PAGE.byteLength,
    'cache-control': 'no-store',
    connection: 'close',
  });
  // The whole page is written now; ending the response (after which Node closes the connection)
  // waits for the linger.
  Reflect.apply(proto.write, res, [PAGE]);
  const drop = function (this: ServerResponse) {
    return this;
  };
  Object.assign(res, { writeHead: drop, setHeader: drop, write: () => true, end: drop, flushHeaders: () => {} });
  const close = () => void Reflect.apply(proto.end, res, []);
  linger(req, { onEnd: close, onLimit: close });
}

/**
 * Reads and discards what remains of a body: `onEnd` when it ends, `onLimit` after LINGER_BYTES more,
 * LINGER_MAX_MS in all, or LINGER_IDLE_MS without data.
 */
function linger(req: IncomingMessage, on: { onEnd?: () => void; onLimit: () => void }): void {
  let drained = 0;
  let done = false;
  const finish = (then?: () => void) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    clearTimeout(idle);
    req.off('data', onData);
    then?.();
  };
  let idle = setTimeout(() => finish(on.onLimit), LINGER_IDLE_MS);
  const onData = (chunk: Buffer) => {
    drained += chunk.byteLength;
    if (drained > LINGER_BYTES) return finish(on.onLimit);
    clearTimeout(idle);
    idle = setTimeout(() => finish(on.onLimit), LINGER_IDLE_MS);
  };
  const timer = setTimeout(() => finish(on.onLimit), LINGER_MAX_MS);
  req.on('data', onData);
  req.once('end', () => finish(on.onEnd));
  req.once('close', () => finish(on.onEnd));
  req.resume();
}
