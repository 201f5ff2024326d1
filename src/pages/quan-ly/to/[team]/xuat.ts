/** Export of a team's table: ?dinh-dang=xlsx|csv-vn|csv[&khoa=…]. */
import type { APIRoute } from 'astro';
import { reportReads } from '../../../../web/request.ts';
import { errorResponse } from '../../../../web/errors.ts';
import { parseCourseFilter } from '../../../../server/teams/dashboard.ts';
import { exportResponse } from '../../../../server/teams/export.ts';
import { teamTable } from '../../../../server/teams/tables.ts';
import { ExportFormatSchema, IntIdSchema, param, queryValue } from '../../../../web/params.ts';

export const prerender = false;

export const GET: APIRoute = async ({ params, locals, url, redirect }) => {
  try {
    if (!locals.user) return redirect(`/dang-nhap?tiep=${encodeURIComponent(url.pathname + url.search)}`, 303);
    const format = queryValue(url, 'dinh-dang', ExportFormatSchema, 'Định dạng tệp cần là xlsx, csv-vn (CSV cho Excel Việt Nam) hoặc csv.') ?? 'xlsx';
    const table = await teamTable((await reportReads(url)).reads, locals.user, String(param(params.team, IntIdSchema, 'Không tìm thấy tổ này.')), parseCourseFilter(url.searchParams.get('khoa')));
    return exportResponse(table, format);
  } catch (err) {
    return errorResponse(err);
  }
};
