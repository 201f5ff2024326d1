/**
 * The 1200×630 preview image (Open Graph) of a certificate, so a link pasted in Zalo or Facebook
 * shows the learner, the course and the status. SVG rendered by resvg with Be Vietnam Pro loaded
 * explicitly (no system fonts), cached per code and status.
 */
import { Resvg } from '@resvg/resvg-js';
import { formatDate } from '../../lib/format.ts';
import type { CertificateView } from './certificates.ts';
import { FONT_FILES } from './fonts.ts';

export const OG_WIDTH = 1200;
export const OG_HEIGHT = 630;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Font size that keeps a line of `text` inside ~1060 px (SVG text does not wrap). */
function sizeFor(text: string, max: number, charsAtMax: number): number {
  return text.length <= charsAtMax ? max : Math.max(24, Math.floor((max * charsAtMax) / text.length));
}

function svgFor(c: CertificateView): string {
  const status =
    c.status === 'valid'
      ? { text: 'Còn hiệu lực', fill: '#0f7a3a' }
      : c.status === 'revoked'
        ? { text: 'Đã thu hồi — không còn giá trị', fill: '#b42318' }
        : { text: 'Đã được cấp lại — không còn giá trị', fill: '#b42318' };
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${OG_WIDTH}" height="${OG_HEIGHT}" viewBox="0 0 ${OG_WIDTH} ${OG_HEIGHT}">
<rect width="1200" height="630" fill="#ffffff"/>
<rect x="0" y="0" width="1200" height="110" fill="#0b5c8c"/>
<text x="70" y="72" font-family="Be Vietnam Pro" font-weight="700" font-size="40" fill="#ffffff">Chứng nhận hoàn thành khóa học</text>
<text x="70" y="200" font-family="Be Vietnam Pro" font-weight="700" font-size="${sizeFor(c.learnerName, 64, 30)}" fill="#1a1f24">${esc(c.learnerName)}</text>
<text x="70" y="280" font-family="Be Vietnam Pro" font-size="${sizeFor(c.courseTitle, 44, 42)}" fill="#1a1f24">${esc(c.courseTitle)}</text>
<text x="70" y="335" font-family="Be Vietnam Pro" font-size="30" fill="#4f5a63">${esc(`${c.editionLabel} · cấp ngày ${formatDate(c.issuedAt)}`)}</text>
<text x="70" y="420" font-family="Be Vietnam Pro" font-weight="700" font-size="40" fill="${status.fill}">${esc(status.text)}</text>
<text x="70" y="500" font-family="Be Vietnam Pro" font-size="30" fill="#4f5a63">Mã xác minh: ${esc(c.displayCode)}</text>
<text x="70" y="575" font-family="Be Vietnam Pro" font-size="${sizeFor(c.issuerName, 26, 70)}" fill="#4f5a63">${esc(`Đơn vị cấp: ${c.issuerName}`)}</text>
</svg>`;
}

const cache = new Map<string, Uint8Array>();
const CACHE_MAX = 500;

/** The PNG preview of a certificate. */
export function renderCertificateImage(c: CertificateView): Uint8Array {
  const key = `${c.code}:${c.status}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const png = new Resvg(svgFor(c), {
    fitTo: { mode: 'original' },
    font: { fontFiles: [FONT_FILES.regular, FONT_FILES.bold], loadSystemFonts: false, defaultFontFamily: 'Be Vietnam Pro' },
  })
    .render()
    .asPng();
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, png);
  return png;
}
