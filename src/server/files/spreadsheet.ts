/**
 * What the spreadsheet readers (xlsx.ts, csv.ts) share: the limits they enforce while reading, the
 * error they refuse with, and the counters they keep. Uploaded spreadsheets are hostile until read:
 * a 1.4 MB XLSX can inflate to gigabytes, so every limit is checked as bytes and rows arrive, never
 * after a whole file has been expanded in memory.
 */

/** A refused spreadsheet: an HTTP-like status (400 malformed, 413 too big) and a Vietnamese message. */
export class SpreadsheetError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Limits enforced while a spreadsheet is read. */
export interface SheetLimits {
  /** Most bytes inflated from an XLSX archive, declared and actual, over every entry read. */
  maxInflatedBytes: number;
  /** Largest inflated/compressed ratio accepted for an entry over 1 MB (real sheets are ~5–30). */
  maxRatio: number;
  /** Most entries (files) in an XLSX archive. */
  maxEntries: number;
  /** Most cells in a row (the highest column used). */
  maxColumns: number;
  /** Most characters in a cell. */
  maxCellChars: number;
  /** Most shared strings kept from an XLSX, and their total characters. */
  maxSharedStrings: number;
  maxSharedChars: number;
}

/** Receives each row read, in order; throwing stops the reading at once. */
export type RowSink = (line: number, cells: string[]) => void;

/** Counters a caller may pass in to see how far a reader got (tests and benchmarks read them). */
export interface ReadProgress {
  /** Bytes inflated from the archive so far (XLSX). */
  inflatedBytes: number;
  /** Rows handed to the sink so far. */
  rows: number;
  /** Shared strings kept (XLSX). */
  sharedStrings: number;
}

/** A fresh set of counters. */
export function newProgress(): ReadProgress {
  return { inflatedBytes: 0, rows: 0, sharedStrings: 0 };
}

/** Column letters (A, Z, AA…) → 1-based index; undefined when malformed. */
export function columnIndex(letters: string): number | undefined {
  if (!/^[A-Z]{1,3}$/.test(letters)) return undefined;
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** Column index (1-based) → letters, for messages. */
export function columnLetters(index: number): string {
  let s = '';
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export const tooManyColumns = (line: number, limits: SheetLimits) =>
  new SpreadsheetError(400, `Dòng ${line} có dữ liệu ở quá nhiều cột (tối đa ${limits.maxColumns} cột). Hãy xóa các cột thừa rồi tải lên lại.`);

export const cellTooLong = (where: string, limits: SheetLimits) =>
  new SpreadsheetError(400, `Ô ${where} có hơn ${limits.maxCellChars} ký tự. Mỗi ô trong danh sách chỉ cần một tên hoặc một số điện thoại; hãy sửa lại tệp.`);
