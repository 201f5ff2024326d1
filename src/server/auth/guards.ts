/** Route guards: pages call one at the top; middleware only identifies. */
import type { AstroGlobal } from 'astro';
import { paths } from '../../lib/editions.ts';
import type { SessionUser } from './session.ts';

/** The signed-in user, or a redirect to sign-in that returns here. */
export function requireUser(Astro: Pick<AstroGlobal, 'locals' | 'url' | 'redirect'>): SessionUser | Response {
  const user = Astro.locals.user;
  if (user) return user;
  return Astro.redirect(paths.signIn(Astro.url.pathname + Astro.url.search), 303);
}
