/** The signed-in member's own due dates as a downloadable .ics, with an alarm the day before each. */
import type { APIRoute } from 'astro';
import { dueDatesCalendar } from '../../../server/schedule/feeds.ts';
import { db } from '../../../web/request.ts';
import { errorResponse } from '../../../web/errors.ts';
import { paths } from '../../../lib/editions.ts';

export const prerender = false;

export const GET: APIRoute = async ({ locals, url, redirect }) => {
  try {
    if (!locals.user) return redirect(paths.signIn(url.pathname), 303);
    const body = await dueDatesCalendar(await db(), { id: locals.user.id, displayName: locals.user.displayName });
    return new Response(body, {
      headers: {
        'content-type': 'text/calendar; charset=utf-8',
        'content-disposition': 'attachment; filename="hoc-so-han-hoc-tap.ics"',
        'cache-control': 'private, no-store',
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
};
