/**
 * Error handling of the web edge: expected failures (domain errors and HttpError) become a status and a
 * Vietnamese message; anything else is rethrown and ends on the generic 500 page, never a stack trace.
 */
import { CertificateError } from '../server/certificates/certificates.ts';
import { LearningError } from '../server/learning/learning.ts';
import { TopicError } from '../server/topics/errors.ts';
import { HttpError } from './request.ts';
import { plainPage } from './security-headers.ts';
import { TeamsError } from '../server/teams/teams.ts';

/** A failure safe to show to the user. */
export interface ShownError {
  status: number;
  message: string;
}

/** Whether `err` is an expected failure with a status and a message safe to show. */
export function isShown(err: unknown): boolean {
  return err instanceof LearningError || err instanceof CertificateError || err instanceof HttpError || err instanceof TopicError || err instanceof TeamsError;
}

/** Turns an expected failure into a status and message; rethrows anything unexpected (→ 500 page). */
export function shownError(err: unknown): ShownError {
  if (isShown(err)) return { status: (err as HttpError).status, message: (err as Error).message };
  throw err;
}

/** A small Vietnamese HTML page for errors from API routes (no stack traces). */
export function errorResponse(err: unknown): Response {
  const { status, message } = shownError(err);
  const esc = message.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const html = plainPage('Lỗi', `<h1>Không thực hiện được yêu cầu</h1><p role="alert">${esc}</p><p><a href="/">Về trang chủ</a></p>`);
  return new Response(html, { status, headers: { 'content-type': 'text/html; charset=utf-8' } });
}
