/** Export of a unit's household coverage table: ?dinh-dang=xlsx|csv-vn|csv (audit-logged). */
import type { APIRoute } from 'astro';
import { reportReads } from '../../../../../web/request.ts';
import { errorResponse } from '../../../../../web/errors.ts';
import { ExportFormatSchema, IntIdSchema, param, queryValue } from '../../../../../web/params.ts';
import { exportResponse } from '../../../../../server/teams/export.ts';
import { unitCoverageTable } from '../../../../../server/households/tables.ts';

export const prerender = false;

export const GET: APIRoute = async ({ params, locals, url, redirect }) => {
  try {
    if (!locals.user) return redirect(`/dang-nhap?tiep=${encodeURIComponent(url.pathname + url.search)}`, 303);
    const unit = String(param(params.unit, IntIdSchema, 'Không tìm thấy đơn vị này.'));
    const format = queryValue(url, 'dinh-dang', ExportFormatSchema, 'Định dạng tệp cần là xlsx, csv-vn (CSV cho Excel Việt Nam) hoặc csv.') ?? 'xlsx';
    const table = await unitCoverageTable((await reportReads(url)).reads, locals.user, unit);
    return exportResponse(table, format);
  } catch (err) {
    return errorResponse(err);
  }
};
