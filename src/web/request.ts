/**
 * Request reading at the web edge: the database handle, bodies read with byte limits enforced while
 * streaming, client keys and cookies. Routes stay thin: read input here, call a service, render.
 */
import { isIPv6 } from 'node:net';
import type { AstroCookies } from 'astro';
import type { Kysely } from 'kysely';
import { getDbHandle } from '../server/db/index.ts';
import type { Database } from '../server/db/schema.ts';
import { replicaState, type ReplicaLag, type Reads } from '../server/db/replica.ts';
import { generateSecureRandomString, hashToken } from '../server/auth/session.ts';
import { isProduction, trustProxy } from '../server/config.ts';
import { GUEST_COOKIE_DAYS } from '../server/learning/guest.ts';
import Busboy from '@fastify/busboy';
import { BodyCapError } from './body-cap.ts';

/** An error with an HTTP status and a Vietnamese message safe to show. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The process-wide Kysely instance. */
export async function db(): Promise<Kysely<Database>> {
  return (await getDbHandle()).db;
}

/** What an officials' report page reads from, and how stale that is. */
export interface ReportReads {
  /** Pass to the report function: the primary alone, or the primary (access) with the replica (data). */
  reads: Reads;
  /** Set when the data comes from a replica more than a few seconds behind: show `stalenessNote`. */
  stale?: ReplicaLag;
}

/**
 * The databases a read-only report page (dashboards, exports, audit log) reads. With a replica
 * (DATABASE_READ_URL) its data comes from the replica, except right after the person's own write:
 * a redirect carrying a notice (`?tb=`) reads the primary, so the page shows what was just done.
 * Access checks always use the primary, and so does everything while the replica does not answer.
 * See src/server/db/replica.ts.
 */
export async function reportReads(url: URL): Promise<ReportReads> {
  const handle = await getDbHandle();
  if (!handle.replica || url.searchParams.has('tb')) return { reads: handle.db };
  const state = await replicaState(handle.read);
  // A replica that does not answer must not take the dashboards down: read the primary meanwhile.
  if (!state.reachable) return { reads: handle.db };
  return { reads: { primary: handle.db, replica: handle.read }, stale: state.stale };
}

/** Largest accepted form body by default. Quiz forms are a few KB. */
export const MAX_FORM_BYTES = 64 * 1024;

const TOO_LARGE = 'Dữ liệu gửi lên quá lớn.';

/**
 * Streams a request body into `onChunk`, counting bytes as they arrive and stopping at `maxBytes`
 * (413) without reading the rest: a declared Content-Length over the limit is refused before any
 * byte is read.
 */
async function streamBody(request: Request, maxBytes: number, onChunk: (chunk: Uint8Array) => void | Promise<void>): Promise<void> {
  const declared = request.headers.get('content-length');
  if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > maxBytes)) throw new HttpError(413, TOO_LARGE);
  if (!request.body) return;
  const reader = request.body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw new HttpError(413, TOO_LARGE);
      await onChunk(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    if (err instanceof HttpError) throw err;
    // The server-wide cap (src/web/body-cap.ts) stopped the body: it answers the 413 itself.
    if (err instanceof BodyCapError) throw new HttpError(413, TOO_LARGE);
    throw new HttpError(400, 'Không đọc được dữ liệu gửi lên.');
  }
}

/** Reads a request body whole, with the streaming byte limit of `streamBody`. */
export async function readBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  await streamBody(request, maxBytes, (c) => {
    chunks.push(c);
    total += c.byteLength;
  });
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const MALFORMED_FORM = 'Biểu mẫu gửi lên bị lỗi định dạng.';

/**
 * Reads a multipart form while it streams (busboy), under the same byte limit: parts are parsed as
 * chunks arrive instead of in one synchronous pass over the whole body once it is in memory.
 */
async function readMultipart(request: Request, type: string, maxBytes: number): Promise<FormData> {
  const form = new FormData();
  let failure: HttpError | undefined;
  const fail = (e: HttpError) => (failure ??= e);
  const parser = Busboy({
    headers: { 'content-type': type },
    limits: { fieldNameSize: 100, fieldSize: maxBytes, fields: 200, files: 10, parts: 210, fileSize: maxBytes },
  });
  parser.on('field', (name, value, nameTruncated, valueTruncated) => {
    if (nameTruncated || valueTruncated) fail(new HttpError(413, TOO_LARGE));
    else form.append(name, value);
  });
  const files: Promise<void>[] = [];
  parser.on('file', (name, stream, fileName, _encoding, mimeType) => {
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    stream.on('data', (c: Uint8Array<ArrayBuffer>) => chunks.push(c));
    stream.on('limit', () => fail(new HttpError(413, TOO_LARGE)));
    files.push(
      new Promise((resolve) => {
        stream.on('end', () => {
          form.append(name, new File(chunks, fileName ?? '', { type: mimeType }));
          resolve();
        });
        stream.on('error', () => resolve());
      }),
    );
  });
  for (const event of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) parser.on(event, () => fail(new HttpError(413, TOO_LARGE)));
  const finished = new Promise<void>((resolve) => {
    parser.on('finish', resolve);
    parser.on('error', () => {
      fail(new HttpError(400, MALFORMED_FORM));
      resolve();
    });
  });
  try {
    await streamBody(request, maxBytes, (chunk) => {
      if (failure) throw failure;
      if (!parser.write(chunk)) return new Promise<void>((resolve) => parser.once('drain', resolve));
    });
  } catch (err) {
    parser.destroy();
    throw err;
  }
  parser.end();
  await finished;
  await Promise.all(files);
  if (failure) throw failure;
  return form;
}

/** Reads a urlencoded or multipart form with a streaming byte limit, refusing malformed bodies. */
export async function readForm(request: Request, maxBytes = MAX_FORM_BYTES): Promise<FormData> {
  const type = request.headers.get('content-type') ?? '';
  if (type.startsWith('multipart/form-data')) return readMultipart(request, type, maxBytes);
  if (!type.startsWith('application/x-www-form-urlencoded')) throw new HttpError(415, 'Dữ liệu gửi lên không đúng dạng biểu mẫu.');
  const body = await readBody(request, maxBytes);
  try {
    return await new Response(body as BodyInit, { headers: { 'content-type': type } }).formData();
  } catch {
    throw new HttpError(400, MALFORMED_FORM);
  }
}

/** A single text field of a form (first value; files refused). */
export function field(form: FormData, name: string): string | undefined {
  const v = form.get(name);
  if (v !== null && typeof v !== 'string') throw new HttpError(400, 'Biểu mẫu không nhận tệp đính kèm.');
  return v ?? undefined;
}

/** An uploaded file of a multipart form, refused when missing or larger than `maxBytes`. */
export async function fileField(form: FormData, name: string, maxBytes: number): Promise<{ bytes: Uint8Array; name: string }> {
  const v = form.get(name);
  if (v === null || typeof v === 'string' || v.size === 0) throw new HttpError(400, 'Vui lòng chọn tệp để tải lên.');
  if (v.size > maxBytes) throw new HttpError(413, `Tệp quá lớn (tối đa ${Math.round(maxBytes / 1024 / 1024)} MB).`);
  return { bytes: new Uint8Array(await v.arrayBuffer()), name: v.name || 'tep' };
}

/**
 * The key identifying a client for rate limits. Behind a proxy (TRUST_PROXY=1) it is the address the
 * proxy appended last to X-Forwarded-For (our nginx sets it), never a value the client wrote first:
 * earlier hops are whatever the client sent. Without TRUST_PROXY the header is ignored entirely.
 * IPv6 addresses count per /64 (one subscriber's prefix; the rest are free for them to pick).
 */
export function clientKey(request: Request, clientAddress: string): string {
  if (trustProxy()) {
    const hops = request.headers.get('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean);
    const last = hops?.at(-1);
    if (last) return addressKey(last);
  }
  return clientAddress ? addressKey(clientAddress) : 'unknown';
}

/** An address as a rate-limit key: IPv4 as is (also when IPv4-mapped), IPv6 as its /64 prefix. */
export function addressKey(address: string): string {
  const a = address.trim().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(a);
  if (mapped) return mapped[1]!;
  if (isIPv6(a)) {
    const [head = '', tail] = a.split('::');
    const groups = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
    const left = groups(head);
    const full = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - groups(tail).length).fill('0'), ...groups(tail)];
    return `${full.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
  }
  return a;
}

/** The session cookie's name: `__Host-` prefixed in production (Secure, Path=/, no Domain). */
export function sessionCookieName(): string {
  return isProduction() ? '__Host-hs_session' : 'hs_session';
}

const cookieBase = () => ({ httpOnly: true, sameSite: 'lax' as const, secure: isProduction(), path: '/' });

/** Sets the session cookie. */
export function setSessionCookie(cookies: AstroCookies, token: string, expiresAt: Date): void {
  cookies.set(sessionCookieName(), token, { ...cookieBase(), expires: expiresAt });
}

/** Removes the session cookie. */
export function clearSessionCookie(cookies: AstroCookies): void {
  cookies.set(sessionCookieName(), '', { ...cookieBase(), maxAge: 0 });
}

const guestCookieName = () => (isProduction() ? '__Host-hs_guest' : 'hs_guest');

/** The hash of the guest cookie, creating the cookie when asked and absent. */
export function guestTokenHash(cookies: AstroCookies, create: boolean): string | undefined {
  let token = cookies.get(guestCookieName())?.value;
  if (token && !/^[a-z2-7]{24}$/.test(token)) token = undefined;
  if (!token) {
    if (!create) return undefined;
    token = generateSecureRandomString();
    cookies.set(guestCookieName(), token, { ...cookieBase(), maxAge: 60 * 60 * 24 * GUEST_COOKIE_DAYS });
  }
  return hashToken(token);
}

/** Forgets the guest cookie once its work is claimed. */
export function clearGuestCookie(cookies: AstroCookies): void {
  cookies.set(guestCookieName(), '', { ...cookieBase(), maxAge: 0 });
}
