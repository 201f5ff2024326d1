/**
 * Same-origin redirect targets from untrusted input, checked after URL parsing. Browser-safe (used by
 * the field schemas and by the web edge). Refuses "\", tab, newline and other controls (browsers
 * strip or rewrite them before resolving, so "/\evil.example" and "/%09/evil.example" leave the site),
 * protocol-relative "//host", schemes, and anything resolving to another origin.
 */
const BASE = 'https://hocso.invalid';
const BAD = /[\\\u0000-\u0020\u007f-\u009f\u2028\u2029]/;

/** A same-origin path (with its query, without a fragment) from `raw`, or `fallback`. */
export function safePath(raw: unknown, fallback = '/'): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 300) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//') || BAD.test(raw)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return fallback;
  }
  if (decoded.startsWith('//') || BAD.test(decoded)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE || !url.pathname.startsWith('/') || url.pathname.startsWith('//')) return fallback;
  return url.pathname + url.search;
}
