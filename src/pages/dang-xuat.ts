/** Sign-out: deletes the session and its cookie. A POST like every other, through the one form helper. */
import { z } from 'astro/zod';
import { invalidateSession } from '../server/auth/session.ts';
import { formEndpoint } from '../web/form.ts';
import { seeOther } from '../web/redirect.ts';
import { clearSessionCookie, db } from '../web/request.ts';

export const prerender = false;

/** The sign-out form carries no fields of its own; whatever else is posted is ignored. */
const SignOutSchema = z.object({});

export const POST = formEndpoint(SignOutSchema, { maxBytes: 2048 }, async (_data, { locals, cookies }) => {
  if (locals.sessionId) await invalidateSession(await db(), locals.sessionId);
  clearSessionCookie(cookies);
  return seeOther('/');
});
