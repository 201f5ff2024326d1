/** A member's private iCalendar feed: sessions plus their required-course due dates. */
import type { APIRoute } from 'astro';
import { lookupPrivateFeed } from '../../../server/schedule/feeds.ts';
import { RateLimitError } from '../../../server/security/rate-limit.ts';
import { clientKey, db } from '../../../web/request.ts';
import { FeedTokenSchema } from '../../../web/params.ts';

export const prerender = false;

export const GET: APIRoute = async ({ params, request, clientAddress }) => {
  const headers = { 'cache-control': 'private, no-store', 'x-robots-tag': 'noindex' };
  let body: string | undefined;
  try {
    // Checked at the edge: a malformed token is the same 404 as an unknown one, and is not counted as a guess.
    const token = FeedTokenSchema.safeParse(params.token ?? '');
    body = token.success ? await lookupPrivateFeed(await db(), token.data, clientKey(request, clientAddress)) : undefined;
  } catch (err) {
    if (!(err instanceof RateLimitError)) throw err;
    // Plain text like the 404 below: calendar apps show it, not an HTML page.
    return new Response(`${err.message}\n`, { status: 429, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(err.retryAfter) } });
  }
  if (!body) {
    return new Response('Không tìm thấy lịch này. Đường link có thể đã bị thu hồi; hãy tạo đường link mới trong trang Lịch riêng của bạn.\n', {
      status: 404,
      headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  return new Response(body, { headers: { ...headers, 'content-type': 'text/calendar; charset=utf-8', 'content-disposition': 'inline; filename="hoc-so-lich-rieng.ics"' } });
};
