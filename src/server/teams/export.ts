/**
 * Table exports that open correctly in Excel:
 * - CSV as UTF-8 with BOM and CRLF, ISO dates (yyyy-mm-dd, which no regional setting misreads), the
 *   separator chosen by the person: `;` for Excel with Vietnamese regional settings (its list
 *   separator), `,` otherwise; formula-looking text neutralised; streamed page by page.
 * - XLSX through exceljs' streaming writer: a title and the export time above a bold header row that
 *   stays frozen and carries an autofilter, column widths, real date and number cells.
 */
import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { formatDateTime } from '../../lib/format.ts';

/** How a column's cells are typed: text, whole numbers, fractions shown as percent, calendar days. */
export type ColumnType = 'text' | 'number' | 'percent' | 'date';

export interface ExportColumn {
  header: string;
  /** Width in characters (Excel's unit). */
  width: number;
  type?: ColumnType;
}

/**
 * One cell: text; a number (for `percent` columns a fraction 0–1); a calendar day `YYYY-MM-DD` for
 * `date` columns; null for an empty cell.
 */
export type ExportCell = string | number | null;

export interface ExportTable {
  /** What the file is named after (a unit or team name); folded to ASCII with the date added. */
  name: string;
  /** Which table, after the date in the file name (e.g. `qua-han`). */
  suffix?: string;
  /** The sheet's name in the workbook (≤ 31 characters). */
  sheet: string;
  /** The title written above the table (unit or team name and what the table is). */
  title: string;
  /** A line under the title (e.g. the course filter), if any. */
  subtitle?: string;
  columns: ExportColumn[];
  rows: AsyncIterable<ExportCell[]>;
}

/** The formats offered: Excel, CSV for Excel with Vietnamese regional settings (`;`), plain CSV (`,`). */
export const EXPORT_FORMATS = ['xlsx', 'csv-vn', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const FORMAT_LABELS: Record<ExportFormat, string> = {
  xlsx: 'Excel (.xlsx)',
  'csv-vn': 'CSV cho Excel (Việt Nam, dấu ;)',
  csv: 'CSV (dấu phẩy)',
};

const VN_OFFSET = 7 * 3600 * 1000; // Asia/Ho_Chi_Minh, no daylight saving time

/** The Vietnam calendar day of `now`, YYYY-MM-DD. */
export function vnDay(now: Date): string {
  return new Date(now.getTime() + VN_OFFSET).toISOString().slice(0, 10);
}

/** ASCII-folds a Vietnamese name for a file name: "Phường Ba Đình" → "phuong-ba-dinh". */
export function fileSlug(name: string, max = 60): string {
  const s = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, max).replace(/-+$/, '') || 'bang';
}

/** `<name>-<yyyy-mm-dd>-<suffix>.<ext>` (the suffix says which table, when there are several). */
export function exportFileName(base: string, now: Date, suffix: string | undefined, ext: string): string {
  return `${fileSlug(base)}-${vnDay(now)}${suffix ? `-${suffix}` : ''}.${ext}`;
}

/** Cells starting with = + - @ tab or CR would run as formulas in a spreadsheet: prefix a quote. */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

function csvCell(c: ExportCell, type: ColumnType | undefined): string {
  if (c === null) return '';
  if (typeof c === 'number') return type === 'percent' ? `${Math.round(c * 100)}%` : String(c);
  return type === 'date' ? c : neutralise(c);
}

function csvLines(rows: ExportCell[][], columns: ExportColumn[], delimiter: string): string {
  return stringify(
    rows.map((r) => r.map((c, i) => csvCell(c, columns[i]?.type))),
    { delimiter, record_delimiter: '\r\n', quoted_match: /[",;\r\n]/ },
  );
}

function disposition(fileName: string): string {
  return `attachment; filename="${fileName}"`;
}

/** A streamed CSV response: `;` for `csv-vn`, `,` for `csv`. */
export function csvResponse(t: ExportTable, format: 'csv' | 'csv-vn' = 'csv', now = new Date()): Response {
  const delimiter = format === 'csv-vn' ? ';' : ',';
  const enc = new TextEncoder();
  const it = t.rows[Symbol.asyncIterator]();
  let batch: ExportCell[][] = [];
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(enc.encode('\uFEFF' + csvLines([t.columns.map((c) => c.header)], [], delimiter)));
    },
    async pull(controller) {
      for (;;) {
        const n = await it.next();
        if (n.done) {
          if (batch.length) controller.enqueue(enc.encode(csvLines(batch, t.columns, delimiter)));
          controller.close();
          return;
        }
        batch.push(n.value);
        if (batch.length >= 500) {
          controller.enqueue(enc.encode(csvLines(batch, t.columns, delimiter)));
          batch = [];
          return;
        }
      }
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': disposition(exportFileName(t.name, now, t.suffix, 'csv')),
      'cache-control': 'private, no-store',
    },
  });
}

/** A day `YYYY-MM-DD` as the Date exceljs writes as that calendar day (dates are UTC in exceljs). */
function dayDate(d: string): Date {
  return new Date(`${d}T00:00:00Z`);
}

function xlsxCell(c: ExportCell, type: ColumnType | undefined): string | number | Date | null {
  if (c === null || c === '') return null;
  if (type === 'date' && typeof c === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(c)) return dayDate(c);
  if (typeof c === 'string') return neutralise(c);
  return c;
}

const NUM_FMT: Partial<Record<ColumnType, string>> = { date: 'yyyy-mm-dd', percent: '0%', number: '#,##0' };

/** Rows above the header: the title, the export time (and the subtitle), then the header itself. */
export function headerRowOf(t: Pick<ExportTable, 'subtitle'>): number {
  return t.subtitle ? 4 : 3;
}

/** A streamed XLSX response. */
export function xlsxResponse(t: ExportTable, now = new Date()): Response {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Học Số';
  wb.created = now;
  const headerRow = headerRowOf(t);
  const n = t.columns.length;
  // The streaming writer takes the filter as an option (its type omits it); it must be set before rows.
  const options = {
    views: [{ state: 'frozen', xSplit: 0, ySplit: headerRow }],
    autoFilter: { from: { row: headerRow, column: 1 }, to: { row: headerRow, column: n } },
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: `${headerRow}:${headerRow}` },
  } as Partial<ExcelJS.AddWorksheetOptions>;
  const ws = wb.addWorksheet(t.sheet.slice(0, 31), options);
  ws.columns = t.columns.map((c) => ({ width: c.width, style: NUM_FMT[c.type ?? 'text'] ? { numFmt: NUM_FMT[c.type ?? 'text'] } : {} }));
  void (async () => {
    try {
      const title = ws.addRow([t.title]);
      title.font = { bold: true, size: 14 };
      title.commit();
      ws.addRow([`Xuất lúc ${formatDateTime(now)} (giờ Việt Nam)`]).commit();
      if (t.subtitle) ws.addRow([t.subtitle]).commit();
      const head = ws.addRow(t.columns.map((c) => c.header));
      head.font = { bold: true };
      head.alignment = { vertical: 'middle', wrapText: true };
      head.eachCell((cell) => {
        cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF3' } };
        cell.border = { bottom: { style: 'thin' } };
      });
      head.commit();
      for await (const r of t.rows) ws.addRow(r.map((c, i) => xlsxCell(c, t.columns[i]?.type))).commit();
      ws.commit();
      await wb.commit();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return new Response(Readable.toWeb(out) as ReadableStream, {
    headers: {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': disposition(exportFileName(t.name, now, t.suffix, 'xlsx')),
      'cache-control': 'private, no-store',
    },
  });
}

/** The response for a format. */
export function exportResponse(t: ExportTable, format: ExportFormat, now = new Date()): Response {
  return format === 'xlsx' ? xlsxResponse(t, now) : csvResponse(t, format, now);
}

/** Text columns sized to their headers (tables whose cells are all text). */
export function columnsOf(headers: string[], min = 12, max = 40): ExportColumn[] {
  return headers.map((header) => ({ header, width: Math.min(max, Math.max(min, header.length + 2)) }));
}

/** A plain async iterable over an array (small tables). */
export async function* fromArray<T>(rows: T[]): AsyncIterable<T> {
  yield* rows;
}
