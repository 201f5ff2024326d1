/** Export of a unit's household coverage table: ?dinh-dang=csv|xlsx (audit-logged). */
import type { APIRoute } from 'astro';
import { db, HttpError } from '../../../../../web/request.ts';
import { errorResponse } from '../../../../../web/errors.ts';
import { IntIdSchema, param } from '../../../../../web/params.ts';
import { csvResponse, xlsxResponse } from '../../../../../server/teams/export.ts';
import { unitCoverageTable } from '../../../../../server/households/tables.ts';

export const prerender = false;

export const GET: APIRoute = async ({ params, locals, url, redirect }) => {
  try {
    if (!locals.user) return redirect(`/dang-nhap?tiep=${encodeURIComponent(url.pathname + url.search)}`, 303);
    const unit = String(param(params.unit, IntIdSchema, 'Không tìm thấy đơn vị này.'));
    const format = url.searchParams.get('dinh-dang') ?? 'csv';
    if (format !== 'csv' && format !== 'xlsx') throw new HttpError(400, 'Định dạng tệp cần là csv hoặc xlsx.');
    const table = await unitCoverageTable(await db(), locals.user, unit);
    return format === 'csv' ? csvResponse(table) : xlsxResponse(table);
  } catch (err) {
    return errorResponse(err);
  }
};
