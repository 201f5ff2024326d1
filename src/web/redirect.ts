/**
 * Redirects of the web edge: only same-origin paths (src/lib/safe-path.ts), with success notices by code.
 */
import { safePath } from '../lib/safe-path.ts';
import { noticeQuery, type NoticeCode } from './notices.ts';

export { safePath };

/** Fragments a redirect may carry: ids of fixed elements on our own pages (e.g. a lesson's "saved" note). */
export type Fragment = 'da-luu';

/**
 * A 303 to a same-origin path, optionally with a notice from the fixed list, or a fixed fragment
 * (prerendered pages cannot print notices; they show a note when its id is the `:target`).
 */
export function seeOther(path: string, notice?: NoticeCode, fragment?: Fragment): Response {
  const base = safePath(path);
  const target = base + (notice ? (base.includes('?') ? '&' : '?') + noticeQuery(notice) : '') + (fragment ? `#${fragment}` : '');
  return new Response(null, { status: 303, headers: { location: target, 'cache-control': 'private, no-store' } });
}
