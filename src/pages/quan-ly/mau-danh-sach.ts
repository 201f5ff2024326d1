/** The roster template: ?dinh-dang=xlsx (default) or csv. */
import type { APIRoute } from 'astro';
import { templateCsv, templateXlsx } from '../../server/teams/roster-file.ts';

export const prerender = false;

export const GET: APIRoute = async ({ url }) => {
  if (url.searchParams.get('dinh-dang') === 'csv') {
    return new Response(templateCsv(), { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="mau-danh-sach.csv"' } });
  }
  return new Response(new Uint8Array(await templateXlsx()), {
    headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': 'attachment; filename="mau-danh-sach.xlsx"' },
  });
};
