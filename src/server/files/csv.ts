/**
 * Reads CSV text row by row with csv-parse's streaming parser, checking columns and cell lengths as
 * records arrive; the sink stops the read by throwing (e.g. at a row limit), so a file of a million
 * short lines never becomes a million arrays.
 */
import { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { cellTooLong, columnLetters, newProgress, SpreadsheetError, tooManyColumns, type ReadProgress, type RowSink, type SheetLimits } from './spreadsheet.ts';

const MALFORMED = 'Không đọc được tệp CSV: có dấu ngoặc kép hoặc dòng bị lỗi định dạng. Hãy mở bằng Excel và lưu lại kiểu “CSV UTF-8”.';
const SLICE = 64 * 1024;

/** The delimiter of a CSV: `;` when the header line has more of them than commas (Excel in locales with decimal commas). */
export function guessDelimiter(text: string): ';' | ',' {
  const end = text.search(/\r?\n/);
  const first = end < 0 ? text : text.slice(0, end);
  return (first.match(/;/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/** Reads CSV text (already decoded, BOM removed or not) into `sink`, line numbers as in the file. */
export async function readCsvRows(text: string, sink: RowSink, limits: SheetLimits, progress: ReadProgress = newProgress()): Promise<void> {
  const parser = parse({
    delimiter: guessDelimiter(text),
    relax_column_count: true,
    skip_empty_lines: true,
    bom: true,
    relax_quotes: true,
    info: true,
    // Guards the parser's own buffers (an unclosed quote swallowing the file) before our per-cell check.
    max_record_size: limits.maxColumns * limits.maxCellChars,
  });
  async function* slices() {
    for (let i = 0; i < text.length; i += SLICE) yield text.slice(i, i + SLICE);
  }
  const source = Readable.from(slices());
  source.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (record.length > limits.maxColumns) throw tooManyColumns(line, limits);
      record.forEach((cell, i) => {
        if (cell.length > limits.maxCellChars) throw cellTooLong(`${columnLetters(i + 1)}${line}`, limits);
      });
      progress.rows++;
      sink(line, record);
    }
  } catch (err) {
    if (err instanceof CsvError && err.code === 'CSV_MAX_RECORD_SIZE') throw cellTooLong('trong tệp', limits);
    if (err instanceof CsvError) throw new SpreadsheetError(400, MALFORMED);
    throw err;
  } finally {
    // Leaving the loop early (a limit, the sink) destroys the parser; stop feeding it.
    source.unpipe(parser);
    source.destroy();
  }
}
