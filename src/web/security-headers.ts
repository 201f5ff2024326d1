/**
 * Security headers of every response. Astro computes the Content-Security-Policy of each page (hashes of
 * the CSS it inlines and the scripts it bundles, `security.csp` in astro.config.mjs) and serve.ts sends it;
 * this module holds the directives shared by those page policies and the fallback policy for everything
 * Astro does not render as a page (static files, API routes, small error pages, redirects).
 * Pure: imported by astro.config.mjs, by serve.ts (outside Astro's bundle) and by pages.
 */
import { createHash } from 'node:crypto';

/** The directives every policy carries (Astro adds script-src and style-src to page policies). */
export const BASE_DIRECTIVES = [
  "default-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
] as const;

/** The CSP source for an inline script or style: SHA-256 of its exact text, base64. */
export function cspHash(text: string): `sha256-${string}` {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

/**
 * CSS of the small standalone HTML pages (errors from API routes, the 403 page of management pages).
 * A <style> element with this exact text is allowed by hash in the fallback policy.
 */
export const PLAIN_PAGE_CSS = 'body{font:18px/1.6 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}';

/** A small standalone Vietnamese HTML page (no layout, no script), styled within the fallback policy. */
export function plainPage(title: string, bodyHtml: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Học Số</title><style>${PLAIN_PAGE_CSS}</style></head><body>${bodyHtml}</body></html>`;
}

/**
 * Pagefind compiles its WebAssembly in the search page and in its worker (/pagefind/pagefind-worker.js,
 * whose own response policy applies to it), so those two, and only those, allow 'wasm-unsafe-eval'.
 */
export const WASM = "'wasm-unsafe-eval'";

/** The policy for responses that are not Astro pages: nothing inline but the plain page's CSS. */
export function fallbackPolicy(pathname: string): string {
  const wasm = pathname.startsWith('/pagefind/') ? ` ${WASM}` : '';
  return [...BASE_DIRECTIVES, `script-src 'self'${wasm}`, `style-src 'self' '${cspHash(PLAIN_PAGE_CSS)}'`].join('; ');
}

/**
 * The policy of the certificate PDF. Browsers show a PDF in a built-in viewer that a document policy's
 * object-src or style-src can break (blank or clipped page in Chrome), and a PDF runs no page script; so
 * it only forbids framing, base and form targets.
 */
export const PDF_POLICY = "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Public machine-readable resources (certificates, JWKS, issuer profile): fetchable by any verifier. */
export const PUBLIC_RESOURCE_HEADERS = {
  'access-control-allow-origin': '*',
  'cross-origin-resource-policy': 'cross-origin',
} as const;

/**
 * Headers of every response, set before the app answers (a route may override them): no sniffing, a
 * short referrer, no embedding, no powerful features, its own browsing-context group, same-origin
 * resources unless a route says public, and HSTS in production (two years, subdomains included).
 */
export function baseHeaders(production: boolean): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-frame-options': 'DENY',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    ...(production ? { 'strict-transport-security': 'max-age=63072000; includeSubDomains' } : {}),
  };
}
