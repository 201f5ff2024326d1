/** The household-list template: ?dinh-dang=xlsx (default) or csv. */
import type { APIRoute } from 'astro';
import { householdTemplateCsv, householdTemplateXlsx } from '../../../server/households/import-file.ts';

export const prerender = false;

export const GET: APIRoute = async ({ url }) => {
  if (url.searchParams.get('dinh-dang') === 'csv') {
    return new Response(householdTemplateCsv(), { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="mau-ho-gia-dinh.csv"' } });
  }
  return new Response(new Uint8Array(await householdTemplateXlsx()), {
    headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': 'attachment; filename="mau-ho-gia-dinh.xlsx"' },
  });
};
