/**
 * Table exports that open correctly in Excel: CSV as UTF-8 with BOM and CRLF, formula-looking cells
 * neutralised, streamed page by page; XLSX through exceljs' streaming writer.
 */
import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

export interface ExportTable {
  /** File name without extension (ASCII). */
  name: string;
  headers: string[];
  rows: AsyncIterable<string[]>;
}

/** Cells starting with = + - @ tab or CR would run as formulas in a spreadsheet: prefix a quote. */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

function csvLines(rows: string[][]): string {
  return stringify(rows.map((r) => r.map(neutralise)), { record_delimiter: '\r\n', quoted_match: /[",\r\n;]/ });
}

/** A streamed CSV response. */
export function csvResponse(t: ExportTable): Response {
  const enc = new TextEncoder();
  const it = t.rows[Symbol.asyncIterator]();
  let batch: string[][] = [];
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(enc.encode('\uFEFF' + csvLines([t.headers])));
    },
    async pull(controller) {
      for (;;) {
        const n = await it.next();
        if (n.done) {
          if (batch.length) controller.enqueue(enc.encode(csvLines(batch)));
          controller.close();
          return;
        }
        batch.push(n.value);
        if (batch.length >= 500) {
          controller.enqueue(enc.encode(csvLines(batch)));
          batch = [];
          return;
        }
      }
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${t.name}.csv"`,
      'cache-control': 'private, no-store',
    },
  });
}

/** A streamed XLSX response. */
export function xlsxResponse(t: ExportTable): Response {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const ws = wb.addWorksheet('Bảng');
  void (async () => {
    try {
      ws.addRow(t.headers).commit();
      for await (const r of t.rows) ws.addRow(r.map(neutralise)).commit();
      ws.commit();
      await wb.commit();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return new Response(Readable.toWeb(out) as ReadableStream, {
    headers: {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="${t.name}.xlsx"`,
      'cache-control': 'private, no-store',
    },
  });
}

/** A plain async iterable over an array (small tables). */
export async function* fromArray(rows: string[][]): AsyncIterable<string[]> {
  yield* rows;
}
