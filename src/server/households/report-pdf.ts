/**
 * The monthly report as one A4 portrait page, Be Vietnam Pro embedded (subset) like the certificates,
 * so Vietnamese prints right anywhere. Long lists are cut to fit the page, saying how many more.
 */
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { formatDate } from '../../lib/format.ts';
import { fontBytes } from '../certificates/fonts.ts';
import { changeText, vn, type MonthlyReport } from './report.ts';

export const A4_PORTRAIT: [number, number] = [595.28, 841.89];
const BRAND = rgb(0.043, 0.361, 0.549);
const INK = rgb(0.1, 0.12, 0.14);
const MUTED = rgb(0.33, 0.36, 0.39);
const LEFT = 40;
const RIGHT = A4_PORTRAIT[0] - 40;

/** Cuts `text` with an ellipsis so it fits `width`. */
function clip(font: PDFFont, text: string, size: number, width: number): string {
  if (font.widthOfTextAtSize(text, size) <= width) return text;
  let t = text;
  while (t.length > 1 && font.widthOfTextAtSize(`${t}…`, size) > width) t = t.slice(0, -1);
  return `${t}…`;
}

export async function renderReportPdf(r: MonthlyReport): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const fonts = fontBytes();
  const regular = await doc.embedFont(fonts.regular, { subset: true });
  const bold = await doc.embedFont(fonts.bold, { subset: true });
  const monthText = `${r.month.slice(5)}/${r.month.slice(0, 4)}`;
  doc.setTitle(`Báo cáo tháng ${monthText} — ${r.unit.name}`);
  doc.setSubject('Báo cáo hỗ trợ hộ gia đình và hiệu quả Tổ công nghệ số cộng đồng');
  doc.setLanguage('vi');
  doc.setCreator('Học Số');
  doc.setCreationDate(r.generatedAt);
  const page: PDFPage = doc.addPage(A4_PORTRAIT);
  let y = A4_PORTRAIT[1] - 48;
  const text = (t: string, x: number, size: number, font = regular, color = INK, width = RIGHT - x) => page.drawText(clip(font, t, size, width), { x, y, size, font, color });
  const right = (t: string, xRight: number, size: number, font = regular, color = INK) => page.drawText(t, { x: xRight - font.widthOfTextAtSize(t, size), y, size, font, color });
  const heading = (t: string) => {
    y -= 10;
    text(t, LEFT, 12, bold, BRAND);
    y -= 4;
    page.drawLine({ start: { x: LEFT, y: y - 2 }, end: { x: RIGHT, y: y - 2 }, thickness: 0.5, color: BRAND });
    y -= 14;
  };

  text(`BÁO CÁO THÁNG ${monthText}`, LEFT, 18, bold, BRAND);
  y -= 20;
  text(r.unit.name, LEFT, 14, bold);
  y -= 14;
  text(r.trail.join(' › '), LEFT, 9, regular, MUTED);
  y -= 12;
  text(`Lập ngày ${formatDate(r.generatedAt)} từ số liệu của Học Số. Cột “So với tháng trước”: “—” là chưa có số liệu tháng trước.`, LEFT, 8, regular, MUTED);
  y -= 6;

  heading('Hộ gia đình và kỹ năng số');
  const C1 = 400;
  const C2 = 470;
  text('Chỉ số', LEFT, 8, bold, MUTED);
  right('Tháng này', C1, 8, bold, MUTED);
  right('Tháng trước', C2, 8, bold, MUTED);
  right('So với tháng trước', RIGHT, 8, bold, MUTED);
  y -= 12;
  for (const l of r.lines) {
    text(l.label, LEFT, 9, regular, INK, C1 - LEFT - 60);
    right(l.value === null ? '—' : `${vn(l.value)}${l.unit ?? ''}`, C1, 9, bold);
    right(l.previous === null ? '—' : `${vn(l.previous)}${l.unit ?? ''}`, C2, 9);
    right(changeText(l.change), RIGHT, 9);
    y -= 12.5;
  }

  heading('Hiệu quả hoạt động của tổ (tiêu chí trong scorecard.yaml)');
  for (const c of r.criteria) {
    const val = c.value === null ? 'chưa có số liệu' : `${vn(c.value)}${c.unit === '%' ? '%' : ` ${c.unit}`}`;
    const tgt = c.target === null ? '' : ` · mục tiêu ${vn(c.target)}${c.unit === '%' ? '%' : ''}${c.met === true ? ' · đạt' : c.met === false ? ' · chưa đạt' : ''}`;
    const prev = c.previous === null ? '' : ` · tháng trước ${vn(c.previous)}`;
    text(`${c.label}: ${val}${tgt}${prev}`, LEFT, 9, bold);
    y -= 11;
    text(`Cách tính: ${c.formula}. Số liệu: ${c.data.map((d) => `${d.label} ${vn(d.value)}`).join('; ')}.`, LEFT + 8, 7.5, regular, MUTED);
    y -= 13;
  }

  heading('Tổ có nhiều lượt hỗ trợ nhất trong tháng');
  if (!r.topTeams.length) {
    text('Chưa có tổ nào ghi lượt hỗ trợ trong tháng.', LEFT, 9);
    y -= 12;
  }
  r.topTeams.forEach((t, i) => {
    text(`${i + 1}. ${t.name} (${t.unitName})`, LEFT, 9, regular, INK, 330);
    right(`${vn(t.visits)} lượt · ${vn(t.meetingTarget)}/${vn(t.households)} hộ đạt mục tiêu`, RIGHT, 9);
    y -= 12;
  });

  heading(`Thôn, tổ dân phố chưa có lượt hỗ trợ nào trong tháng: ${vn(r.villagesWithoutVisits.total)}`);
  const names = r.villagesWithoutVisits.names;
  // Two columns of names while the page has room; the rest are counted.
  const colWidth = (RIGHT - LEFT) / 2 - 8;
  let shown = 0;
  while (shown < names.length && y > 60) {
    text(names[shown]!, LEFT, 8.5, regular, INK, colWidth);
    if (names[shown + 1]) text(names[shown + 1]!, LEFT + colWidth + 16, 8.5, regular, INK, colWidth);
    shown += 2;
    y -= 11;
  }
  shown = Math.min(shown, names.length);
  if (r.villagesWithoutVisits.total > shown) {
    text(`… và ${vn(r.villagesWithoutVisits.total - shown)} thôn, tổ dân phố khác (xem tệp Excel).`, LEFT, 8.5, regular, MUTED);
  }
  return doc.save();
}
