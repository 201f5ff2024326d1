/** Export of a unit's tables: ?bang=don-vi|qua-han|thanh-vien&dinh-dang=csv|xlsx[&khoa=…]. */
import type { APIRoute } from 'astro';
import { reportReads } from '../../../../web/request.ts';
import { errorResponse } from '../../../../web/errors.ts';
import { parseCourseFilter } from '../../../../server/teams/dashboard.ts';
import { csvResponse, xlsxResponse } from '../../../../server/teams/export.ts';
import { unitTable } from '../../../../server/teams/tables.ts';
import { TeamsError } from '../../../../server/teams/access.ts';
import { IntIdSchema, param } from '../../../../web/params.ts';

export const prerender = false;

export const GET: APIRoute = async ({ params, locals, url, redirect }) => {
  try {
    if (!locals.user) return redirect(`/dang-nhap?tiep=${encodeURIComponent(url.pathname + url.search)}`, 303);
    const format = url.searchParams.get('dinh-dang') ?? 'csv';
    if (format !== 'csv' && format !== 'xlsx') throw new TeamsError(400, 'Định dạng tệp cần là csv hoặc xlsx.');
    const table = await unitTable((await reportReads(url)).reads, locals.user, String(param(params.unit, IntIdSchema, 'Không tìm thấy đơn vị này.')), url.searchParams.get('bang'), parseCourseFilter(url.searchParams.get('khoa')));
    return format === 'csv' ? csvResponse(table) : xlsxResponse(table);
  } catch (err) {
    return errorResponse(err);
  }
};
