/** Export of a team's household list with skills: ?dinh-dang=csv|xlsx (audit-logged). */
import type { APIRoute } from 'astro';
import { db, HttpError } from '../../../../../web/request.ts';
import { errorResponse } from '../../../../../web/errors.ts';
import { IntIdSchema, param } from '../../../../../web/params.ts';
import { csvResponse, xlsxResponse } from '../../../../../server/teams/export.ts';
import { teamHouseholdTable } from '../../../../../server/households/tables.ts';

export const prerender = false;

export const GET: APIRoute = async ({ params, locals, url, redirect }) => {
  try {
    if (!locals.user) return redirect(`/dang-nhap?tiep=${encodeURIComponent(url.pathname + url.search)}`, 303);
    const team = param(params.team, IntIdSchema, 'Không tìm thấy tổ này.');
    const format = url.searchParams.get('dinh-dang') ?? 'csv';
    if (format !== 'csv' && format !== 'xlsx') throw new HttpError(400, 'Định dạng tệp cần là csv hoặc xlsx.');
    const table = await teamHouseholdTable(await db(), locals.user, team);
    return format === 'csv' ? csvResponse(table) : xlsxResponse(table);
  } catch (err) {
    return errorResponse(err);
  }
};
