/**
 * Identifies the user from the session cookie and applies cross-cutting HTTP concerns: 405 for
 * methods other than GET, HEAD, OPTIONS and POST, Origin checks
 * for every non-safe request (src/web/origin.ts; proxy-aware, unlike Astro's checkOrigin), and no
 * caching of personal pages.
 * It never authorizes per route: pages call guards.
 */
import { defineMiddleware } from 'astro:middleware';
import { validateSessionToken } from './server/auth/session.ts';
import { errorResponse, isShown } from './web/errors.ts';
import { clearSessionCookie, db, sessionCookieName, setSessionCookie } from './web/request.ts';
import { isCrossSite } from './web/origin.ts';
import { GUEST_OWNER, ownerKey } from './server/learning/owner-key.ts';
import { FormSecretError } from './server/form-secret.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export const onRequest = defineMiddleware(async (context, next) => {
  context.locals.user = null;
  context.locals.sessionId = null;
  context.locals.attention = false;
  if (context.isPrerendered) return next();

  // Pages read with GET and change with POST (forms work without JavaScript); any other method is
  // refused here rather than rendering the page as if it were a GET.
  if (!SAFE.has(context.request.method) && context.request.method !== 'POST') {
    return new Response(JSON.stringify({ error: 'Phương thức này không được hỗ trợ. Trang chỉ nhận GET và POST.' }), {
      status: 405,
      headers: { 'content-type': 'application/json; charset=utf-8', allow: 'GET, HEAD, POST', 'cache-control': 'no-store' },
    });
  }

  if (!SAFE.has(context.request.method) && isCrossSite(context.request, context.url)) {
    return new Response(JSON.stringify({ error: 'Yêu cầu bị từ chối vì không đến từ trang Học Số.' }), {
      status: 403,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  }

  const token = context.cookies.get(sessionCookieName())?.value;
  if (token) {
    try {
      const found = await validateSessionToken(await db(), token);
      if (found) {
        context.locals.user = found.user;
        context.locals.sessionId = found.session.id;
        context.locals.attention = found.attention;
        if (found.session.refreshed) setSessionCookie(context.cookies, token, found.session.expiresAt);
      } else {
        clearSessionCookie(context.cookies);
      }
    } catch (err) {
      // Database unreachable: we cannot tell who this is. Showing them as signed out would mislead,
      // so the request fails to the Vietnamese error page (guests still get pages without data).
      console.error('[session] không kiểm tra được phiên đăng nhập:', (err as Error).message);
      throw err;
    }
  }

  let response: Response;
  try {
    response = await next();
  } catch (err) {
    // Expected failures thrown by a page or endpoint (a malformed id → 404, a refused form → 400)
    // become the Vietnamese error page with their status; anything else goes on to the 500 page.
    if (!isShown(err)) throw err;
    response = errorResponse(err);
  }
  if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'private, no-store');
  // Who this page was made for: the service worker (src/sw/sw.ts) then forgets what other accounts left
  // on the device (a session that ended without the sign-out form, then someone else on the phone).
  // Without FORM_SECRET (a misconfigured production) there is no owner key: the page is served without it.
  try {
    response.headers.set('x-hocso-owner', context.locals.user ? ownerKey(context.locals.user.id) : GUEST_OWNER);
  } catch (err) {
    if (!(err instanceof FormSecretError)) throw err;
  }
  return response;
});
