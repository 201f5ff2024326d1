/**
 * The machine-readable forms of a certificate: /chung-nhan/<code>.pdf, .json, .jwt and .png.
 * Each looks the code up through the rate-limited public verification, like the page does. Also
 * the revocation status lists, /chung-nhan/trang-thai/<n> (VC-JWT) and <n>.json (unsigned).
 * A code or list number that cannot exist is a 404 here, before any database work.
 */
import type { APIRoute } from 'astro';
import { CERTIFICATE_NOT_FOUND, certificatePath, verifyCertificate, type CertificateView } from '../server/certificates/certificates.ts';
import { renderCertificateImage } from '../server/certificates/image.ts';
import { openBadgeCredential, signCredential, signStatusList, statusListCredential } from '../server/certificates/openbadge.ts';
import { renderCertificatePdf } from '../server/certificates/pdf.ts';
import { SigningKeyError } from '../server/certificates/signing.ts';
import { buildStatusList, STATUS_LIST_TTL_SECONDS } from '../server/certificates/status-list.ts';
import { siteUrl } from '../server/config.ts';
import { CertificateCodeSchema, IntIdSchema, param } from './params.ts';
import { clientKey, db, HttpError } from './request.ts';
import { errorResponse } from './errors.ts';
import { PDF_POLICY, PUBLIC_RESOURCE_HEADERS } from './security-headers.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/** The stored form of a `[code]` route parameter; a 404 with the usual message when it cannot be a code. */
export function certificateCode(raw: string | undefined): string {
  return param(raw, CertificateCodeSchema, CERTIFICATE_NOT_FOUND);
}

function signingUnavailable(err: SigningKeyError): Response {
  console.error(`[chứng nhận] ${err.message}`);
  return new Response(JSON.stringify({ error: 'Máy chủ chưa được cấu hình khóa ký chứng nhận.' }), { status: 503, headers: { 'content-type': JSON_TYPE } });
}

type Kind = 'pdf' | 'json' | 'jwt' | 'png';

/** A revoked or replaced certificate is not handed out as a credential: 410 with its status. */
function gone(c: CertificateView): Response {
  const body = {
    status: c.status,
    message:
      c.status === 'revoked'
        ? `Chứng nhận ${c.displayCode} đã bị thu hồi: ${c.revokedReason ?? ''}`
        : `Chứng nhận ${c.displayCode} đã được cấp lại bằng mã khác và không còn giá trị.`,
    revokedAt: c.revokedAt?.toISOString() ?? null,
    revocationReason: c.revokedReason,
    replacedBy: c.replacedByCode ? siteUrl() + certificatePath(c.replacedByCode) : null,
    verificationPage: c.verifyUrl,
  };
  return new Response(JSON.stringify(body, null, 2), { status: 410, headers: { 'content-type': JSON_TYPE } });
}

async function render(kind: Kind, c: CertificateView): Promise<Response> {
  // Short public caching: a revocation shows within minutes everywhere, and scanners stay cheap.
  const cache = { 'cache-control': 'public, max-age=300' };
  switch (kind) {
    case 'pdf':
      return new Response(await renderCertificatePdf(c) as BodyInit, {
        headers: { ...cache, 'content-type': 'application/pdf', 'content-security-policy': PDF_POLICY, 'content-disposition': `inline; filename="chung-nhan-${c.displayCode}.pdf"` },
      });
    case 'png':
      return new Response(renderCertificateImage(c) as BodyInit, { headers: { ...cache, 'content-type': 'image/png' } });
    case 'json':
      if (c.status !== 'valid') return gone(c);
      return new Response(JSON.stringify(openBadgeCredential(c), null, 2), { headers: { ...cache, 'content-type': 'application/ld+json; charset=utf-8' } });
    case 'jwt':
      if (c.status !== 'valid') return gone(c);
      return new Response(await signCredential(c), { headers: { ...cache, 'content-type': 'application/vc+jwt' } });
  }
}

/** The GET handler of one certificate form; every answer, refusals included, is readable by verifiers on other sites. */
export function certificateRoute(kind: Kind): APIRoute {
  return async (context) => {
    const r = await answer(kind, context);
    for (const [k, v] of Object.entries(PUBLIC_RESOURCE_HEADERS)) r.headers.set(k, v);
    return r;
  };
}

/** The response for one form of one certificate, or the refusal. */
async function answer(kind: Kind, { params, request, clientAddress }: Parameters<APIRoute>[0]): Promise<Response> {
  try {
    const code = certificateCode(params.code);
    const c = await verifyCertificate(await db(), code, clientKey(request, clientAddress));
    return await render(kind, c);
  } catch (err) {
    if (err instanceof SigningKeyError) return signingUnavailable(err);
    return errorResponse(err);
  }
}

const LIST_NOT_FOUND = 'Không tìm thấy danh sách trạng thái chứng nhận này.';

/**
 * The GET handler of a revocation status list: the BitstringStatusListCredential signed as a
 * VC-JWT (what every credential's statusListCredential points to), or its unsigned JSON form.
 * Readable by verifiers on other sites, like the certificates.
 */
export function statusListRoute(kind: 'jwt' | 'json'): APIRoute {
  return async ({ params }) => {
    const r = await statusList(kind, params.list);
    for (const [k, v] of Object.entries(PUBLIC_RESOURCE_HEADERS)) r.headers.set(k, v);
    return r;
  };
}

async function statusList(kind: 'jwt' | 'json', rawList: string | undefined): Promise<Response> {
  try {
    const list = param(rawList, IntIdSchema, LIST_NOT_FOUND);
    const built = await buildStatusList(await db(), list);
    if (!built) throw new HttpError(404, LIST_NOT_FOUND);
    // Short public caching, as for the certificates: a revocation reaches verifiers within minutes.
    const cache = { 'cache-control': `public, max-age=${STATUS_LIST_TTL_SECONDS}` };
    if (kind === 'json') {
      return new Response(JSON.stringify(statusListCredential(built), null, 2), { headers: { ...cache, 'content-type': 'application/ld+json; charset=utf-8' } });
    }
    return new Response(await signStatusList(built), { headers: { ...cache, 'content-type': 'application/vc+jwt' } });
  } catch (err) {
    if (err instanceof SigningKeyError) return signingUnavailable(err);
    return errorResponse(err);
  }
}

