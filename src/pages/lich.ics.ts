/** The public iCalendar feed of every monthly Q&A session. */
import type { APIRoute } from 'astro';
import { publicFeed } from '../server/schedule/feeds.ts';

export const prerender = false;

export const GET: APIRoute = () =>
  new Response(publicFeed(), {
    headers: {
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': 'inline; filename="hoc-so-lich-hoi-dap.ics"',
      'cache-control': 'public, max-age=300',
    },
  });
