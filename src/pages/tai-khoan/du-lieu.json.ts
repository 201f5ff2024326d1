/** Download of everything stored about the signed-in person, as one JSON file. */
import type { APIRoute } from 'astro';
import { exportAccountData } from '../../server/auth/own-account.ts';
import { paths } from '../../lib/editions.ts';
import { seeOther } from '../../web/redirect.ts';
import { db } from '../../web/request.ts';

export const prerender = false;

export const GET: APIRoute = async ({ locals }) => {
  if (!locals.user) return seeOther(paths.signIn('/tai-khoan/du-lieu.json'));
  const data = await exportAccountData(await db(), locals.user.id);
  if (!data) return seeOther(paths.signIn('/tai-khoan'));
  const day = data.exportedAt.slice(0, 10);
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="hoc-so-du-lieu-cua-toi-${day}.json"`,
      'cache-control': 'private, no-store',
    },
  });
};
