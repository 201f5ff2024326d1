/** Route guards: pages call one at the top; middleware only identifies. */
import type { AstroGlobal } from 'astro';
import { paths } from '../lib/editions.ts';
import type { Role } from '../server/db/schema.ts';
import { HttpError } from './request.ts';
import { errorResponse } from './errors.ts';
import { plainPage } from './security-headers.ts';
import type { SessionUser } from '../server/auth/session.ts';

/** The signed-in user of an endpoint; a 401 error (Vietnamese page) for guests. */
export function signedIn(locals: App.Locals): SessionUser {
  if (!locals.user) throw new HttpError(401, 'Vui lòng đăng nhập.');
  return locals.user;
}

/** The signed-in user, or a redirect to sign-in that returns here. */
export function requireUser(Astro: Pick<AstroGlobal, 'locals' | 'url' | 'redirect'>): SessionUser | Response {
  const user = Astro.locals.user;
  if (user) return user;
  return Astro.redirect(paths.signIn(Astro.url.pathname + Astro.url.search), 303);
}

/** A signed-in admin; others get sign-in (guests) or a 403 page (signed-in non-admins). */
export function requireAdmin(Astro: Pick<AstroGlobal, 'locals' | 'url' | 'redirect'>): SessionUser | Response {
  const user = requireUser(Astro);
  if (user instanceof Response || user.role === 'admin') return user;
  return errorResponse(new HttpError(403, 'Trang này chỉ dành cho quản trị viên Học Số.'));
}

/**
 * The signed-in user holding one of `roles`; a redirect to sign-in for guests, a 403 page otherwise.
 */
export function requireRole(Astro: Pick<AstroGlobal, 'locals' | 'url' | 'redirect'>, roles: readonly Role[]): SessionUser | Response {
  const user = requireUser(Astro);
  if (user instanceof Response || roles.includes(user.role)) return user;
  return errorResponse(new HttpError(403, 'Bạn không có quyền xem trang này.'));
}

/**
 * A signed-in official, admin or team leader for the management pages; others get a 403 page
 * (members and citizens) or a redirect to sign-in (guests).
 */
export async function requireManager(
  Astro: Pick<AstroGlobal, 'locals' | 'url' | 'redirect'>,
  canManage: (u: SessionUser) => Promise<boolean>,
): Promise<SessionUser | Response> {
  const user = requireUser(Astro);
  if (user instanceof Response) return user;
  if (await canManage(user)) return user;
  return new Response(
    plainPage('Không có quyền', '<h1>Không có quyền truy cập</h1><p role="alert">Trang quản lý chỉ dành cho cán bộ xã, phường, tỉnh và tổ trưởng Tổ công nghệ số cộng đồng.</p><p><a href="/">Về trang chủ</a></p>'),
    { status: 403, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'private, no-store' } },
  );
}
