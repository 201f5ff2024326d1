/**
 * HTTP helpers shared by routes: the database, form parsing with size limits, client keys and
 * cookies. Routes stay thin: read input here, call a service, render.
 */
import type { AstroCookies } from 'astro';
import type { Kysely } from 'kysely';
import { getDbHandle } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { generateSecureRandomString, hashToken, SESSION_COOKIE } from '../auth/session.ts';
import { isProduction, trustProxy } from '../config.ts';

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

/** Largest accepted form body. Quiz forms are a few KB. */
export const MAX_FORM_BYTES = 64 * 1024;

/** Reads a urlencoded or multipart form, refusing oversized or malformed bodies. */
export async function readForm(request: Request, maxBytes = MAX_FORM_BYTES): Promise<FormData> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) {
    throw new HttpError(415, 'Dữ liệu gửi lên không đúng dạng biểu mẫu.');
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new HttpError(413, 'Dữ liệu gửi lên quá lớn.');
  const body = await request.arrayBuffer().catch(() => {
    throw new HttpError(400, 'Không đọc được dữ liệu gửi lên.');
  });
  if (body.byteLength > maxBytes) throw new HttpError(413, 'Dữ liệu gửi lên quá lớn.');
  try {
    return await new Response(body, { headers: { 'content-type': type } }).formData();
  } catch {
    throw new HttpError(400, 'Biểu mẫu gửi lên bị lỗi định dạng.');
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

/** The key identifying a client for rate limits. */
export function clientKey(request: Request, clientAddress: string): string {
  if (trustProxy()) {
    const fwd = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
    if (fwd) return fwd;
  }
  return clientAddress || 'unknown';
}

const cookieBase = () => ({ httpOnly: true, sameSite: 'lax' as const, secure: isProduction(), path: '/' });

/** Sets the session cookie. */
export function setSessionCookie(cookies: AstroCookies, token: string, expiresAt: Date): void {
  cookies.set(SESSION_COOKIE, token, { ...cookieBase(), expires: expiresAt });
}

/** Removes the session cookie. */
export function clearSessionCookie(cookies: AstroCookies): void {
  cookies.set(SESSION_COOKIE, '', { ...cookieBase(), maxAge: 0 });
}

const GUEST_COOKIE = 'hs_guest';

/** The hash of the guest cookie, creating the cookie when asked and absent. */
export function guestTokenHash(cookies: AstroCookies, create: boolean): string | undefined {
  let token = cookies.get(GUEST_COOKIE)?.value;
  if (token && !/^[a-z2-7]{24}$/.test(token)) token = undefined;
  if (!token) {
    if (!create) return undefined;
    token = generateSecureRandomString();
    cookies.set(GUEST_COOKIE, token, { ...cookieBase(), maxAge: 60 * 60 * 24 * 30 });
  }
  return hashToken(token);
}

/** Forgets the guest cookie once its work is claimed. */
export function clearGuestCookie(cookies: AstroCookies): void {
  cookies.set(GUEST_COOKIE, '', { ...cookieBase(), maxAge: 0 });
}
