/** The issuer's Open Badges profile, referenced by every credential. */
import type { APIRoute } from 'astro';
import { PUBLIC_RESOURCE_HEADERS } from '../../web/security-headers.ts';
import { issuerName } from '../../server/config.ts';
import { issuerProfile } from '../../server/certificates/openbadge.ts';

export const prerender = false;

export const GET: APIRoute = () =>
  new Response(JSON.stringify(issuerProfile(issuerName()), null, 2), {
    headers: { 'content-type': 'application/ld+json; charset=utf-8', 'cache-control': 'public, max-age=3600', ...PUBLIC_RESOURCE_HEADERS },
  });
