/**
 * Reading a household list (XLSX or CSV, UTF-8): one household per row with its label, an optional
 * phone and an optional note. The same streaming readers and limits as the roster import
 * (src/server/files); every problem of a row is a Vietnamese message kept on the row, named by its line.
 */
import ExcelJS from 'exceljs';
import { looksLikeFormula } from '../../lib/fields.ts';
import { readCsvRows } from '../files/csv.ts';
import { newProgress, SpreadsheetError, type ReadProgress } from '../files/spreadsheet.ts';
import { readXlsxRows } from '../files/xlsx.ts';
import { decodeCsv, ROSTER_LIMITS } from '../teams/roster-file.ts';
import { TeamsError } from '../teams/access.ts';
import { HouseholdLabelSchema, HouseholdNoteSchema, OptionalPhoneSchema } from './fields.ts';

/** Largest accepted file: a village has a few hundred households. */
export const MAX_HOUSEHOLD_FILE_BYTES = 2 * 1024 * 1024;
/** Most households in one file. */
export const MAX_HOUSEHOLD_ROWS = 3000;
/** Most rows read, blank ones included. */
const MAX_LINES = 5 * MAX_HOUSEHOLD_ROWS;

export interface HouseholdFileRow {
  line: number;
  label: string;
  phone: string | null;
  note: string | null;
  errors: string[];
}

/** The columns of the template, in order. */
export const HOUSEHOLD_TEMPLATE_HEADERS = ['Tên gọi của hộ', 'Số điện thoại', 'Ghi chú'];

export const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/gi, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

const COLUMN_NAMES = {
  label: ['ten goi cua ho', 'ten goi', 'ten ho', 'ho gia dinh', 'ho', 'ten', 'chu ho', 'household'],
  phone: ['so dien thoai', 'sdt', 'dien thoai', 'phone'],
  note: ['ghi chu', 'dia chi', 'note'],
} as const;
type Column = keyof typeof COLUMN_NAMES;
const COLUMN_LABELS: Record<Column, string> = { label: 'Tên gọi của hộ', phone: 'Số điện thoại', note: 'Ghi chú' };

const clean = (v: string) => v.normalize('NFC').replace(/\s+/g, ' ').trim();

function headerIndex(header: string[]): Partial<Record<Column, number>> {
  const index: Partial<Record<Column, number>> = {};
  header.forEach((h, i) => {
    const f = fold(h);
    for (const [key, names] of Object.entries(COLUMN_NAMES) as [Column, readonly string[]][]) {
      if (index[key] === undefined && names.includes(f)) index[key] = i;
    }
  });
  if (index.label === undefined) {
    throw new TeamsError(400, `Tệp thiếu cột “${COLUMN_LABELS.label}”. Hãy dùng tệp mẫu: dòng đầu tiên là tên các cột ${HOUSEHOLD_TEMPLATE_HEADERS.map((h) => `“${h}”`).join(', ')}.`);
  }
  return index;
}

/** Collects rows as a reader streams them: header first, blank rows skipped, limits as rows arrive. */
class HouseholdCollector {
  private index: Partial<Record<Column, number>> | undefined;
  private readonly seen = new Map<string, number>();
  private lines = 0;
  readonly rows: HouseholdFileRow[] = [];

  add = (line: number, cells: string[]): void => {
    if (++this.lines > MAX_LINES) throw new TeamsError(413, `Tệp có quá nhiều dòng, kể cả dòng trống (tối đa ${MAX_LINES}). Hãy xóa các dòng trống thừa hoặc chia thành nhiều tệp.`);
    if (!cells.some((c) => c.trim() !== '')) return;
    if (!this.index) {
      this.index = headerIndex(cells);
      return;
    }
    if (this.rows.length >= MAX_HOUSEHOLD_ROWS) throw new TeamsError(413, `Tệp có quá nhiều hộ (tối đa ${MAX_HOUSEHOLD_ROWS}). Hãy chia thành nhiều tệp.`);
    this.rows.push(this.check(line, cells));
  };

  private check(line: number, r: string[]): HouseholdFileRow {
    const index = this.index!;
    const cell = (k: Column) => (index[k] === undefined ? '' : (r[index[k]!] ?? ''));
    const errors: string[] = [];
    for (const k of Object.keys(COLUMN_NAMES) as Column[]) {
      if (looksLikeFormula(cell(k).trim())) errors.push(`Cột “${COLUMN_LABELS[k]}” chứa công thức bảng tính; hãy nhập giá trị thường.`);
    }
    const rawLabel = clean(cell('label'));
    const label = HouseholdLabelSchema.safeParse(rawLabel);
    if (!rawLabel) errors.push('Thiếu tên gọi của hộ.');
    else if (!label.success) {
      if (!looksLikeFormula(rawLabel)) errors.push(label.error.issues[0]!.message); // a formula is said once, above
    } else {
      const k = fold(label.data);
      if (this.seen.has(k)) errors.push(`Tên gọi trùng với dòng ${this.seen.get(k)}; hãy thêm chi tiết để phân biệt, ví dụ “xóm 3”.`);
      else this.seen.set(k, line);
    }
    let rawPhone = cell('phone').trim();
    if (/^[35789]\d{8}$/.test(rawPhone)) rawPhone = `0${rawPhone}`; // numeric columns drop the leading 0
    const phone = OptionalPhoneSchema.safeParse(rawPhone);
    if (!phone.success) errors.push(`Số điện thoại “${rawPhone.slice(0, 20)}” không hợp lệ: cần 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.`);
    const note = HouseholdNoteSchema.safeParse(clean(cell('note')));
    if (!note.success) errors.push(note.error.issues[0]!.message);
    return {
      line,
      label: label.success ? label.data : rawLabel.slice(0, 80),
      phone: phone.success ? phone.data : rawPhone.slice(0, 20) || null,
      note: note.success ? note.data : clean(cell('note')).slice(0, 300) || null,
      errors,
    };
  }

  finish(): HouseholdFileRow[] {
    if (!this.index) throw new TeamsError(400, 'Tệp trống: không có dòng tiêu đề nào.');
    if (!this.rows.length) throw new TeamsError(400, 'Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.');
    return this.rows;
  }
}

const NOT_A_SPREADSHEET = 'Tệp có đuôi .xlsx nhưng không phải bảng tính Excel. Hãy mở bằng Excel, lưu lại rồi tải lên, hoặc dùng tệp mẫu.';

/** Reads an uploaded household list into validated rows (problems kept per row). */
export async function readHouseholdFile(bytes: Uint8Array, fileName: string, progress: ReadProgress = newProgress()): Promise<HouseholdFileRow[]> {
  if (bytes.byteLength === 0) throw new TeamsError(400, 'Tệp tải lên trống. Hãy chọn tệp danh sách hộ.');
  if (bytes.byteLength > MAX_HOUSEHOLD_FILE_BYTES) throw new TeamsError(413, 'Tệp quá lớn (tối đa 2 MB). Danh sách hộ của một thôn chỉ cần vài trăm dòng.');
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (!isZip && /\.xlsx?$/i.test(fileName)) throw new TeamsError(400, NOT_A_SPREADSHEET);
  const collector = new HouseholdCollector();
  try {
    if (isZip) await readXlsxRows(bytes, collector.add, ROSTER_LIMITS, progress);
    else await readCsvRows(decodeCsv(bytes), collector.add, ROSTER_LIMITS, progress);
  } catch (err) {
    if (err instanceof SpreadsheetError) throw new TeamsError(err.status, err.message);
    throw err;
  }
  return collector.finish();
}

const EXAMPLES = [
  ['Hộ ông Ba, xóm 2', '0912345678', 'Nhà cuối ngõ 5'],
  ['Hộ chị Lan', '', ''],
];

/** The template as CSV text (UTF-8 with BOM, CRLF; fields with commas quoted). */
export function householdTemplateCsv(): string {
  const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return '\uFEFF' + [HOUSEHOLD_TEMPLATE_HEADERS, ...EXAMPLES].map((r) => r.map(q).join(',')).join('\r\n') + '\r\n';
}

/** The template as XLSX bytes (the phone column as text, so the leading 0 stays). */
export async function householdTemplateXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Hộ gia đình');
  ws.addRow(HOUSEHOLD_TEMPLATE_HEADERS);
  for (const r of EXAMPLES) ws.addRow(r);
  ws.getColumn(2).numFmt = '@';
  ws.getColumn(1).width = 30;
  ws.getColumn(3).width = 30;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
