/**
 * Redirects of the web edge: only same-origin paths (src/lib/safe-path.ts), with success notices by code.
 */
import { safePath } from '../lib/safe-path.ts';
import { noticeQuery, type NoticeCode } from './notices.ts';

export { safePath };

/** A 303 to a same-origin path, optionally with a notice from the fixed list. */
export function seeOther(path: string, notice?: NoticeCode): Response {
  const base = safePath(path);
  const target = base + (notice ? (base.includes('?') ? '&' : '?') + noticeQuery(notice) : '');
  return new Response(null, { status: 303, headers: { location: target, 'cache-control': 'private, no-store' } });
}
