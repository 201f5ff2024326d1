/**
 * Error handling of the web edge: expected failures (domain errors and HttpError) become a status and a
 * Vietnamese message; anything else is rethrown and ends on the generic 500 page, never a stack trace.
 */
import { CertificateError } from '../server/certificates/certificates.ts';
import { LearningError } from '../server/learning/learning.ts';
import { TopicError } from '../server/topics/errors.ts';
import { HttpError } from './request.ts';
import { plainPage } from './security-headers.ts';
import { TeamsError } from '../server/teams/access.ts';
import { RateLimitError } from '../server/security/rate-limit.ts';
import { RecoveryError } from '../server/recovery/recovery.ts';
import { FormSecretError } from '../server/form-secret.ts';

/** A failure safe to show to the user. */
export interface ShownError {
  status: number;
  message: string;
  /** Seconds to wait, for a 429's Retry-After header. */
  retryAfter?: number;
}

/** Whether `err` is an expected failure with a status and a message safe to show. */
export function isShown(err: unknown): boolean {
  return err instanceof LearningError || err instanceof CertificateError || err instanceof HttpError || err instanceof TopicError || err instanceof TeamsError || err instanceof RateLimitError || err instanceof RecoveryError;
}

/** Turns an expected failure into a status and message; rethrows anything unexpected (→ 500 page). */
export function shownError(err: unknown): ShownError {
  if (err instanceof RateLimitError) return { status: err.status, message: err.message, retryAfter: err.retryAfter };
  // Misconfiguration (FORM_SECRET missing in production): the start-up log names it; learners get a 503.
  if (err instanceof FormSecretError) return { status: 503, message: 'Bài kiểm tra tạm thời chưa mở được. Vui lòng thử lại sau.' };
  if (isShown(err)) return { status: (err as HttpError).status, message: (err as Error).message };
  throw err;
}

/** A small Vietnamese HTML page for errors from API routes (no stack traces). */
export function errorResponse(err: unknown): Response {
  const shown = shownError(err);
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  // A form refused by an endpoint has no fields on this page to mark: list what to correct instead.
  const fields = err instanceof Error && 'errors' in err && err.errors && typeof err.errors === 'object' ? [...new Set(Object.values(err.errors as Record<string, string>))] : [];
  const what = fields.length ? `<p role="alert">Chưa lưu được. Hãy quay lại và sửa:</p><ul>${fields.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>` : `<p role="alert">${esc(shown.message)}</p>`;
  const html = plainPage('Lỗi', `<h1>Không thực hiện được yêu cầu</h1>${what}<p><a href="/">Về trang chủ</a></p>`);
  return withStatus(new Response(html, { status: shown.status, headers: { 'content-type': 'text/html; charset=utf-8' } }), shown);
}

/**
 * Sets a page's status from an error (or a form state), with Retry-After on 429 so clients and
 * proxies know when to come back. Pages call it instead of assigning `Astro.response.status`.
 */
export function withStatus<R extends { status?: number; readonly headers: Headers }>(response: R, e: { status: number; retryAfter?: number }): R {
  // Astro.response's status is writable; a Response's is already right (made with it).
  if (response.status !== e.status) (response as { status?: number }).status = e.status;
  if (e.status === 429) response.headers.set('retry-after', String(Math.max(1, e.retryAfter ?? 60)));
  // A 413 is sent before the body was read to its end. No `Connection: close` here: Node would then
  // close the socket at once with the rest of the body unread, and the reset that sends can wipe the
  // answer before the client reads it. src/web/body-cap.ts reads the rest (bounded) after the answer
  // and closes only when the client stops sending or a limit is reached.
  return response;
}
