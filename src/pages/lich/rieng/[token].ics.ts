/** A member's private iCalendar feed: sessions plus their required-course due dates. */
import type { APIRoute } from 'astro';
import { privateFeed } from '../../../server/schedule/feeds.ts';
import { db } from '../../../web/request.ts';

export const prerender = false;

export const GET: APIRoute = async ({ params }) => {
  const body = await privateFeed(await db(), params.token ?? '');
  const headers = { 'cache-control': 'private, no-store', 'x-robots-tag': 'noindex' };
  if (!body) {
    return new Response('Không tìm thấy lịch này. Đường link có thể đã bị thu hồi; hãy tạo đường link mới trong trang Lịch riêng của bạn.\n', {
      status: 404,
      headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  return new Response(body, { headers: { ...headers, 'content-type': 'text/calendar; charset=utf-8', 'content-disposition': 'inline; filename="hoc-so-lich-rieng.ics"' } });
};
