/**
 * Redirect targets: only same-origin paths, checked after URL parsing, so "/\evil", "/%09/evil",
 * "//evil", "javascript:" and newlines can never send a person elsewhere.
 */
import { noticeQuery, type NoticeCode } from './notices.ts';

const BASE = 'https://hocso.invalid';

/** A same-origin path (with its query) from untrusted input, or `fallback`. */
export function safePath(raw: string | null | undefined, fallback = '/'): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 300) return fallback;
  // Browsers strip tab/newline and treat "\" as "/" before resolving: refuse them outright.
  if (!raw.startsWith('/') || /[\\\u0000-\u001f\u007f\s]/.test(raw) || raw.startsWith('//')) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return fallback;
  }
  if (/[\\\u0000-\u001f\u007f]/.test(decoded) || decoded.startsWith('//')) return fallback;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  return url.pathname + url.search;
}

/** A 303 to a same-origin path, optionally with a notice from the fixed list. */
export function seeOther(path: string, notice?: NoticeCode): Response {
  const target = safePath(path) + (notice ? (path.includes('?') ? '&' : '?') + noticeQuery(notice) : '');
  return new Response(null, { status: 303, headers: { location: target, 'cache-control': 'private, no-store' } });
}
