import { shownError } from './errors.ts';

/** A small Vietnamese HTML page for errors from API routes (no stack traces). */
export function errorResponse(err: unknown): Response {
  const { status, message } = shownError(err);
  const esc = message.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const html = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Lỗi · Học Số</title></head><body style="font:18px/1.6 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem"><h1>Không thực hiện được yêu cầu</h1><p role="alert">${esc}</p><p><a href="/">Về trang chủ</a></p></body></html>`;
  return new Response(html, { status, headers: { 'content-type': 'text/html; charset=utf-8' } });
}
