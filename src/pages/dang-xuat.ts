/** Sign-out: deletes the session and its cookie. */
import type { APIRoute } from 'astro';
import { invalidateSession } from '../server/auth/session.ts';
import { clearSessionCookie, db } from '../web/request.ts';

export const prerender = false;

export const POST: APIRoute = async ({ locals, cookies, redirect }) => {
  if (locals.sessionId) await invalidateSession(await db(), locals.sessionId);
  clearSessionCookie(cookies);
  return redirect('/', 303);
};
