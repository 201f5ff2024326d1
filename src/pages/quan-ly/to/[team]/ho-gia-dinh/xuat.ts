/** Export of a team's household list with skills: ?dinh-dang=xlsx|csv-vn|csv (audit-logged). */
import type { APIRoute } from 'astro';
import { db, reportReads } from '../../../../../web/request.ts';
import { requireManager } from '../../../../../web/guards.ts';
import { canManage } from '../../../../../server/teams/access.ts';
import { errorResponse } from '../../../../../web/errors.ts';
import { ExportFormatSchema, IntIdSchema, param, queryValue } from '../../../../../web/params.ts';
import { exportResponse } from '../../../../../server/teams/export.ts';
import { teamHouseholdTable } from '../../../../../server/households/tables.ts';

export const prerender = false;

export const GET: APIRoute = async (context) => {
  const { params, url } = context;
  try {
    // The same guard as the list page: a leader or an official (a plain member sees the list, but does not download it).
    const user = await requireManager(context, async (u) => canManage(await db(), u));
    if (user instanceof Response) return user;
    const team = param(params.team, IntIdSchema, 'Không tìm thấy tổ này.');
    const format = queryValue(url, 'dinh-dang', ExportFormatSchema, 'Định dạng tệp cần là xlsx, csv-vn (CSV cho Excel Việt Nam) hoặc csv.') ?? 'xlsx';
    const table = await teamHouseholdTable((await reportReads(url)).reads, user, team);
    return exportResponse(table, format);
  } catch (err) {
    return errorResponse(err);
  }
};
