/**
 * Whole responses for GET and HEAD: the response (headers and body, after compression) is held until
 * the app ends it, then written at once, up to a size beyond which it streams as usual.
 *
 * Why: behind nginx (`npm run cluster`), a GET whose app server dies is passed to another server, but
 * only while nothing of the answer has reached the client. Astro streams pages and the compressor emits
 * output as its window fills, so a server killed mid-page would leave the browser a truncated page.
 * Held whole, a page is either not started (nginx retries it elsewhere) or complete. Pages are a few
 * KB (the lesson budget is 30 KB), so holding them costs little; large downloads (exports) pass the
 * limit and stream.
 */
import type { ServerResponse } from 'node:http';

/** Larger responses stream once this much is held. */
export const WHOLE_RESPONSE_LIMIT = 512 * 1024;

type Callback = (err?: Error | null) => void;

function toBuffer(chunk: unknown, encoding?: BufferEncoding): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), encoding ?? 'utf8');
}

/** Holds what is written to `res` until it ends (or passes `limit` bytes). Call before any writer wraps `res`. */
export function holdWholeResponse(res: ServerResponse, limit = WHOLE_RESPONSE_LIMIT): void {
  const write = res.write.bind(res) as (chunk: unknown, encoding?: BufferEncoding, cb?: Callback) => boolean;
  const end = res.end.bind(res) as (chunk?: unknown, encoding?: BufferEncoding, cb?: () => void) => ServerResponse;
  let held: Buffer[] | null = [];
  let size = 0;
  const release = () => {
    const chunks = held!;
    held = null;
    if (chunks.length) write(Buffer.concat(chunks));
  };
  res.write = function (chunk: unknown, encoding?: BufferEncoding | Callback, cb?: Callback): boolean {
    if (typeof encoding === 'function') [cb, encoding] = [encoding, undefined];
    if (!held) return write(chunk, encoding, cb);
    const b = toBuffer(chunk, encoding);
    held.push(b);
    size += b.length;
    if (size > limit) release();
    if (cb) process.nextTick(cb);
    return true;
  } as ServerResponse['write'];
  res.end = function (chunk?: unknown, encodingOrCb?: BufferEncoding | (() => void), callback?: () => void): ServerResponse {
    let cb = callback;
    let encoding: BufferEncoding | undefined;
    if (typeof chunk === 'function') [cb, chunk] = [chunk as () => void, undefined];
    else if (typeof encodingOrCb === 'function') cb = encodingOrCb;
    else encoding = encodingOrCb;
    if (!held) return end(chunk, encoding, cb);
    if (chunk !== undefined && chunk !== null) held.push(toBuffer(chunk, encoding));
    const body = Buffer.concat(held);
    held = null;
    // One write: Node sends the head together with the first data.
    return body.length ? end(body, undefined, cb) : end(cb);
  } as ServerResponse['end'];
}
