/**
 * Cross-site request refusal (CSRF defence in depth, on top of SameSite=Lax cookies), for every
 * non-safe method. It replaces Astro's `checkOrigin`, which compares Origin with the URL the Node
 * adapter builds from the socket: behind a proxy that ends TLS (nginx, a load balancer) that URL is
 * `http://…` while the browser's Origin is `https://…`, so every form post would be refused.
 *
 * Our own origins are: the request's URL origin; the same host over https when a trusted proxy
 * (TRUST_PROXY=1) says the client used https (X-Forwarded-Proto; nginx sets it, overwriting what a
 * client sent); and SITE_URL's origin.
 */
import { siteUrl, trustProxy } from '../server/config.ts';

/** The origins a same-site request may carry. */
export function ownOrigins(request: Request, url: URL): Set<string> {
  const out = new Set([url.origin]);
  if (trustProxy()) {
    const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
    if (proto === 'https') out.add(`https://${url.host}`);
  }
  try {
    out.add(new URL(siteUrl()).origin);
  } catch {
    /* a malformed SITE_URL adds nothing */
  }
  return out;
}

/**
 * A cross-site request: its Origin is not one of ours, or (without Origin) the browser says it is
 * cross-site. A request with neither header is refused too: every browser of the last decade sends
 * Origin on a POST, and scripts without it are not our users.
 */
export function isCrossSite(request: Request, url: URL): boolean {
  const origin = request.headers.get('origin');
  if (origin) return !ownOrigins(request, url).has(origin);
  const site = request.headers.get('sec-fetch-site');
  if (site) return site !== 'same-origin' && site !== 'none';
  return true;
}
