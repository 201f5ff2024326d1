/** A unit's monthly report: ?thang=YYYY-MM (default this month) and ?dinh-dang=pdf|xlsx (audit-logged). */
import type { APIRoute } from 'astro';
import { db, HttpError, reportReads } from '../../../../web/request.ts';
import { errorResponse } from '../../../../web/errors.ts';
import { IntIdSchema, MonthSchema, param, queryValue } from '../../../../web/params.ts';
import { requireUnitAccess } from '../../../../server/teams/access.ts';
import { monthlyReport } from '../../../../server/households/report.ts';
import { renderReportPdf } from '../../../../server/households/report-pdf.ts';
import { renderReportXlsx } from '../../../../server/households/report-xlsx.ts';
import { currentMonth } from '../../../../server/households/scorecard.ts';

export const prerender = false;

export const GET: APIRoute = async ({ params, locals, url, redirect }) => {
  try {
    if (!locals.user) return redirect(`/dang-nhap?tiep=${encodeURIComponent(url.pathname + url.search)}`, 303);
    const unit = String(param(params.unit, IntIdSchema, 'Không tìm thấy đơn vị này.'));
    // 404 outside scope, whatever the query.
    await requireUnitAccess(await db(), locals.user, unit);
    const month = queryValue(url, 'thang', MonthSchema, 'Tháng cần có dạng năm-tháng, ví dụ 2026-12.') ?? currentMonth();
    if (month > currentMonth()) throw new HttpError(400, 'Chưa có báo cáo cho tháng trong tương lai.');
    const format = url.searchParams.get('dinh-dang') ?? 'pdf';
    if (format !== 'pdf' && format !== 'xlsx') throw new HttpError(400, 'Định dạng tệp cần là pdf hoặc xlsx.');
    const report = await monthlyReport((await reportReads(url)).reads, locals.user, unit, month, { villageLimit: format === 'pdf' ? 40 : 20000 });
    const name = `bao-cao-thang-${month}-${report.unit.id}`;
    const headers = { 'cache-control': 'private, no-store' };
    if (format === 'pdf') {
      return new Response(new Uint8Array(await renderReportPdf(report)), { headers: { ...headers, 'content-type': 'application/pdf', 'content-disposition': `inline; filename="${name}.pdf"` } });
    }
    return new Response(new Uint8Array(await renderReportXlsx(report)), {
      headers: { ...headers, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': `attachment; filename="${name}.xlsx"` },
    });
  } catch (err) {
    return errorResponse(err);
  }
};
