/**
 * The printable certificate: A4 landscape, Be Vietnam Pro embedded (subset) so diacritics are
 * right on any printer, and a QR code drawn as vector squares that opens the verification page.
 * A revoked or replaced certificate says so across the page.
 */
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import { formatDate } from '../../lib/format.ts';
import type { CertificateView } from './certificates.ts';
import { formatCode } from './code.ts';
import { fontBytes } from './fonts.ts';

/** A4 landscape in points. */
export const A4_LANDSCAPE: [number, number] = [841.89, 595.28];

const BRAND = rgb(0.043, 0.361, 0.549);
const INK = rgb(0.1, 0.12, 0.14);
const MUTED = rgb(0.33, 0.36, 0.39);
const RED = rgb(0.7, 0.1, 0.1);

/** Largest size ≤ `size` at which `text` fits `maxWidth` (long names shrink instead of overflowing). */
function fit(font: PDFFont, text: string, size: number, maxWidth: number, min = 10): number {
  let s = size;
  while (s > min && font.widthOfTextAtSize(text, s) > maxWidth) s -= 0.5;
  return s;
}

function centered(page: PDFPage, text: string, y: number, font: PDFFont, size: number, color = INK, maxWidth = 700) {
  const s = fit(font, text, size, maxWidth);
  const w = font.widthOfTextAtSize(text, s);
  page.drawText(text, { x: (page.getWidth() - w) / 2, y, size: s, font, color });
}

function drawQr(page: PDFPage, text: string, x: number, y: number, size: number) {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 2;
  const cell = size / (n + quiet * 2);
  page.drawRectangle({ x, y, width: size, height: size, color: rgb(1, 1, 1) });
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      // Rows go down in the QR matrix and up in PDF space; a hair of overlap avoids seams.
      page.drawRectangle({ x: x + (c + quiet) * cell, y: y + size - (r + quiet + 1) * cell, width: cell + 0.05, height: cell + 0.05, color: rgb(0, 0, 0) });
    }
  }
}

/** Renders the certificate's PDF. */
export async function renderCertificatePdf(c: CertificateView): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const fonts = fontBytes();
  const regular = await doc.embedFont(fonts.regular, { subset: true });
  const bold = await doc.embedFont(fonts.bold, { subset: true });
  doc.setTitle(`Chứng nhận ${c.displayCode} — ${c.learnerName}`);
  doc.setAuthor(c.issuerName);
  doc.setSubject(`Chứng nhận hoàn thành khóa học ${c.courseTitle}`);
  doc.setLanguage('vi');
  doc.setCreator('Học Số');
  doc.setCreationDate(c.issuedAt);

  const page = doc.addPage(A4_LANDSCAPE);
  const [W, H] = A4_LANDSCAPE;
  page.drawRectangle({ x: 24, y: 24, width: W - 48, height: H - 48, borderColor: BRAND, borderWidth: 3 });
  page.drawRectangle({ x: 32, y: 32, width: W - 64, height: H - 64, borderColor: BRAND, borderWidth: 0.75 });

  centered(page, c.issuerName, H - 78, regular, 14, MUTED);
  centered(page, 'CHỨNG NHẬN HOÀN THÀNH KHÓA HỌC', H - 128, bold, 30, BRAND);
  centered(page, 'Chứng nhận', H - 172, regular, 16, MUTED);
  centered(page, c.learnerName, H - 218, bold, 34);
  centered(page, 'đã hoàn thành khóa học', H - 256, regular, 16, MUTED);
  centered(page, c.courseTitle, H - 296, bold, 24);
  centered(page, `Phiên bản: ${c.editionLabel} · Nội dung bản ${c.contentVersion}`, H - 326, regular, 14, MUTED);
  centered(page, `Ngày cấp: ${formatDate(c.issuedAt)}`, H - 350, regular, 14, MUTED);

  const left = 64;
  page.drawText(`Mã xác minh: ${c.displayCode}`, { x: left, y: 150, size: 16, font: bold, color: INK });
  page.drawText('Kiểm tra chứng nhận tại:', { x: left, y: 126, size: 12, font: regular, color: MUTED });
  page.drawText(c.verifyUrl, { x: left, y: 108, size: fit(regular, c.verifyUrl, 12, 560, 7), font: regular, color: BRAND });
  page.drawText(`Đơn vị cấp: ${c.issuerName}`, { x: left, y: 78, size: fit(regular, `Đơn vị cấp: ${c.issuerName}`, 12, 560, 7), font: regular, color: INK });

  const qrSize = 118;
  drawQr(page, c.verifyUrl, W - 64 - qrSize, 70, qrSize);
  const scan = 'Quét để kiểm tra';
  page.drawText(scan, { x: W - 64 - qrSize / 2 - regular.widthOfTextAtSize(scan, 10) / 2, y: 56, size: 10, font: regular, color: MUTED });

  if (c.status !== 'valid') {
    const stamp = c.status === 'revoked' ? 'ĐÃ THU HỒI — KHÔNG CÒN GIÁ TRỊ' : 'ĐÃ ĐƯỢC CẤP LẠI — KHÔNG CÒN GIÁ TRỊ';
    const detail =
      c.status === 'revoked'
        ? `Lý do: ${c.revokedReason ?? ''}`
        : `Chứng nhận thay thế: ${c.replacedByCode ? formatCode(c.replacedByCode) : ''}`;
    page.drawRectangle({ x: 80, y: H - 420, width: W - 160, height: 56, color: rgb(1, 0.93, 0.93), borderColor: RED, borderWidth: 2 });
    centered(page, stamp, H - 392, bold, 20, RED, W - 180);
    centered(page, detail, H - 412, regular, 12, RED, W - 180);
  }
  return doc.save();
}
