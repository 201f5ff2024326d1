/** The public keys that verify signed certificates (VC-JWT), as a JWK Set. */
import type { APIRoute } from 'astro';
import { PUBLIC_RESOURCE_HEADERS } from '../../web/security-headers.ts';
import { publicJwks } from '../../server/certificates/openbadge.ts';
import { SigningKeyError } from '../../server/certificates/signing.ts';

export const prerender = false;

export const GET: APIRoute = async () => {
  try {
    return new Response(JSON.stringify(await publicJwks()), {
      headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=3600', ...PUBLIC_RESOURCE_HEADERS },
    });
  } catch (err) {
    if (!(err instanceof SigningKeyError)) throw err;
    console.error(`[chứng nhận] ${err.message}`);
    return new Response(JSON.stringify({ error: 'Máy chủ chưa được cấu hình khóa ký chứng nhận.' }), { status: 503, headers: { 'content-type': 'application/json; charset=utf-8', ...PUBLIC_RESOURCE_HEADERS } });
  }
};
