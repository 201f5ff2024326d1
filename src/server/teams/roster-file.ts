/**
 * Reading a roster file: XLSX or CSV (UTF-8 with or without BOM, comma or semicolon). Legacy
 * Windows-1258 files are recognised and refused with instructions. Every problem is a Vietnamese
 * message; nothing here touches the database.
 *
 * Files are read as streams of rows with limits checked while reading (src/server/files): the
 * inflated size of an XLSX, columns per row, characters per cell, and the row limit, which stops
 * the read at the first row too many instead of after the whole file has been expanded.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { stringify } from 'csv-stringify/sync';
import { DisplayNameSchema, looksLikeFormula, normalizePhone, visibleText } from '../../lib/fields.ts';
import { readCsvRows } from '../files/csv.ts';
import { columnLetters, newProgress, SpreadsheetError, type ReadProgress, type SheetLimits } from '../files/spreadsheet.ts';
import { readXlsxRows } from '../files/xlsx.ts';
import { TeamsError } from './access.ts';

/** Largest accepted roster file: a commune's roster is a few hundred rows. */
export const MAX_ROSTER_BYTES = 2 * 1024 * 1024;
/** Most rows in one file. */
export const MAX_ROSTER_ROWS = 5000;
/** Most rows read, blank ones included (templates formatted far down the sheet have some). */
export const MAX_ROSTER_LINES = 5 * MAX_ROSTER_ROWS;

/**
 * Limits while reading a roster. A 5,000-row roster inflates to ~1.5 MB of sheet XML; 8 MB leaves
 * room for wide sheets and styling while bounding what a hostile file costs (~1 s, tens of MB).
 */
export const ROSTER_LIMITS: SheetLimits = {
  maxInflatedBytes: 8 * 1024 * 1024,
  maxRatio: 100,
  maxEntries: 500,
  maxColumns: 50,
  maxCellChars: 1000,
  // 5,000 rows of 5 distinct texts are 25,000 strings of ~15 characters.
  maxSharedStrings: 50_000,
  maxSharedChars: 1_000_000,
};

export type RosterRole = 'member' | 'leader';

export interface RosterRow {
  line: number;
  name: string;
  phone: string;
  village: string;
  team: string;
  role: RosterRole;
  errors: string[];
}

/** The columns of the template, in order. */
export const TEMPLATE_HEADERS = ['Họ và tên', 'Số điện thoại', 'Thôn, tổ dân phố', 'Tổ công nghệ số', 'Vai trò'];

/** The example rows of the template (both formats). */
export const TEMPLATE_ROWS: readonly (readonly string[])[] = [
  ['Nguyễn Văn An', '0912345678', 'Thôn 1', 'Tổ CNSCĐ thôn 1', 'Tổ trưởng'],
  ['Trần Thị Bích', '0987654321', 'Thôn 1', 'Tổ CNSCĐ thôn 1', 'Thành viên'],
];

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/gi, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

const COLUMN_NAMES: Record<keyof Omit<RosterRow, 'line' | 'errors'>, string[]> = {
  name: ['ho va ten', 'ho ten', 'ten', 'name', 'full name'],
  phone: ['so dien thoai', 'sdt', 'dien thoai', 'phone'],
  village: ['thon to dan pho', 'thon', 'to dan pho', 'thon ban', 'village'],
  team: ['to cong nghe so', 'to', 'ten to', 'to cnscd', 'team'],
  role: ['vai tro', 'chuc vu', 'role'],
};

const COLUMN_LABELS = { name: 'Họ và tên', phone: 'Số điện thoại', village: 'Thôn, tổ dân phố', team: 'Tổ công nghệ số', role: 'Vai trò' };

const MEMBER_WORDS = ['thanh vien', 'member', 'tv'];
const LEADER_WORDS = ['to truong', 'leader', 'tt'];

function parseRole(v: string): RosterRole | undefined {
  const f = fold(v);
  if (f === '' || MEMBER_WORDS.includes(f)) return 'member';
  if (LEADER_WORDS.includes(f)) return 'leader';
  return undefined;
}

/** Whether a village or team name is really a role word: a sign that the columns are shifted. */
function isRoleWord(v: string): boolean {
  const f = fold(v);
  return MEMBER_WORDS.includes(f) || LEADER_WORDS.includes(f);
}

/** Names of villages and teams in a roster: the shared visible-text rules. */
const VillageNameSchema = visibleText({ what: 'tên thôn, tổ dân phố', min: 1, max: 120, noInvisible: true, noAngleBrackets: true });
const RosterTeamNameSchema = visibleText({ what: 'tên tổ', min: 1, max: 120, noInvisible: true, noAngleBrackets: true });

function cleanText(v: string): string {
  return v.normalize('NFC').replace(/\s+/g, ' ').trim();
}

const tooManyRows = () => new TeamsError(413, `Tệp có quá nhiều dòng (tối đa ${MAX_ROSTER_ROWS}). Hãy chia thành nhiều tệp.`);
const blank = (cells: string[]) => !cells.some((c) => c.trim() !== '');
type ColumnIndex = Partial<Record<keyof typeof COLUMN_NAMES, number>>;

/** What the header row says: where each column is, and what is wrong with the header itself. */
interface Header {
  index: ColumnIndex;
  /** The line of the header row in the file. */
  line: number;
  /** Cells in the header row as read (CSV: every cell; XLSX: up to the last one present). */
  width: number;
  /** Cells up to the last non-blank one. */
  filled: number;
  /** Problems of the header row, repeated on every data row so the preview shows them. */
  problems: string[];
}

/** The columns of a header row, refusing a header without the required columns. */
function readHeader(header: string[], line: number): Header {
  const index: ColumnIndex = {};
  const problems: string[] = [];
  header.forEach((h, i) => {
    const f = fold(h);
    for (const [key, names] of Object.entries(COLUMN_NAMES) as [keyof typeof COLUMN_NAMES, string[]][]) {
      if (!names.includes(f)) continue;
      if (index[key] === undefined) index[key] = i;
      else {
        problems.push(
          `Dòng tiêu đề (dòng ${line}) có hai cột cùng là “${COLUMN_LABELS[key]}” (cột ${columnLetters(index[key]! + 1)} và ${columnLetters(i + 1)}): ` +
            'có thể một ô tiêu đề chứa dấu phẩy mà không nằm trong ngoặc kép, làm lệch các cột. Hãy tải tệp mẫu mới và chép dữ liệu vào.',
        );
      }
    }
  });
  const missing = (['name', 'phone', 'village', 'team'] as const).filter((k) => index[k] === undefined);
  if (missing.length) {
    throw new TeamsError(
      400,
      `Tệp thiếu cột: ${missing.map((k) => `“${COLUMN_LABELS[k]}”`).join(', ')}. Hãy dùng tệp mẫu: dòng đầu tiên là tên các cột ${TEMPLATE_HEADERS.map((h) => `“${h}”`).join(', ')}.`,
    );
  }
  return { index, line, width: header.length, filled: filledWidth(header), problems };
}

/** The number of cells up to the last non-blank one. */
function filledWidth(cells: string[]): number {
  let n = cells.length;
  while (n > 0 && !cells[n - 1]!.trim()) n--;
  return n;
}

/**
 * Collects roster rows one at a time as a reader streams them: the first non-blank row is the
 * header, blank rows are skipped, and the row after the limit stops the read with a 413.
 */
export class RosterCollector {
  private header: Header | undefined;
  private readonly seen = new Map<string, number>();
  private lines = 0;
  readonly rows: RosterRow[] = [];

  /**
   * `exactWidth`: every row must have as many cells as the header (CSV, where a spreadsheet writes
   * every cell of every row, so a difference means a shifted column). In XLSX, rows stop at their last
   * cell, so only data to the right of the header's last column is a problem.
   */
  private readonly exactWidth: boolean;
  constructor(exactWidth = false) {
    this.exactWidth = exactWidth;
  }

  /** Takes the next row of the file (`line` as the spreadsheet numbers it). */
  add = (line: number, cells: string[]): void => {
    if (++this.lines > MAX_ROSTER_LINES) throw new TeamsError(413, `Tệp có quá nhiều dòng, kể cả dòng trống (tối đa ${MAX_ROSTER_LINES}). Hãy xóa các dòng trống thừa hoặc chia thành nhiều tệp.`);
    if (blank(cells)) return;
    if (!this.header) {
      this.header = readHeader(cells, line);
      return;
    }
    if (this.rows.length >= MAX_ROSTER_ROWS) throw tooManyRows();
    const row = checkRow(this.header.index, this.seen, line, cells);
    row.errors.unshift(...this.widthProblems(cells), ...this.header.problems);
    this.rows.push(row);
  };

  /** A row whose cells do not line up with the header's columns. */
  private widthProblems(cells: string[]): string[] {
    const h = this.header!;
    if (this.exactWidth && cells.length !== h.width) {
      return [
        `Dòng này có ${cells.length} cột nhưng dòng tiêu đề (dòng ${h.line}) có ${h.width} cột, nên các cột bị lệch. ` +
          'Thường do một ô có dấu phẩy hoặc dấu chấm phẩy mà không nằm trong ngoặc kép. Hãy mở tệp bằng Excel, kiểm tra rồi lưu lại kiểu “CSV UTF-8”.',
      ];
    }
    const filled = filledWidth(cells);
    if (!this.exactWidth && filled > h.filled) {
      return [`Dòng này có dữ liệu ở cột ${columnLetters(filled)}, bên phải cột cuối cùng có tiêu đề (dòng ${h.line}). Hãy xóa ô đó hoặc thêm tiêu đề cho cột.`];
    }
    return [];
  }

  /** The rows read, refusing a file without a header or without data. */
  finish(): RosterRow[] {
    if (!this.header) throw new TeamsError(400, 'Tệp trống: không có dòng tiêu đề nào.');
    if (!this.rows.length) throw new TeamsError(400, 'Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.');
    return this.rows;
  }
}

/** Validates one data row; its problems are listed on the row, never thrown. */
function checkRow(index: ColumnIndex, seen: Map<string, number>, line: number, r: string[]): RosterRow {
  const cell = (k: keyof typeof COLUMN_NAMES) => (index[k] === undefined ? '' : (r[index[k]!] ?? ''));
  const errors: string[] = [];
  for (const k of Object.keys(COLUMN_NAMES) as (keyof typeof COLUMN_NAMES)[]) {
    if (looksLikeFormula(cell(k).trim())) errors.push(`Cột “${COLUMN_LABELS[k]}” chứa công thức bảng tính; hãy nhập giá trị thường.`);
  }
  const rawName = cell('name');
  const name = DisplayNameSchema.safeParse(rawName);
  if (!rawName.trim()) errors.push('Thiếu họ và tên.');
  else if (!name.success) errors.push(name.error.issues[0]!.message);
  const rawPhone = cell('phone').trim();
  // Spreadsheets store numbers without the leading 0 when the column is numeric.
  const phone = normalizePhone(/^[35789]\d{8}$/.test(rawPhone) ? `0${rawPhone}` : rawPhone);
  if (!rawPhone) errors.push('Thiếu số điện thoại.');
  else if (!phone) errors.push(`Số điện thoại “${rawPhone.slice(0, 20)}” không hợp lệ: cần 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.`);
  else if (seen.has(phone)) errors.push(`Số điện thoại trùng với dòng ${seen.get(phone)}.`);
  else seen.set(phone, line);
  const village = cleanText(cell('village'));
  const team = cleanText(cell('team'));
  if (!village) errors.push('Thiếu tên thôn, tổ dân phố.');
  else if (isRoleWord(village)) errors.push(`Tên thôn, tổ dân phố “${village.slice(0, 40)}” là tên một vai trò: có thể các cột bị lệch. Hãy kiểm tra dòng này trong tệp.`);
  else {
    const v = VillageNameSchema.safeParse(village);
    if (!v.success) errors.push(v.error.issues[0]!.message);
  }
  if (!team) errors.push('Thiếu tên tổ công nghệ số.');
  else if (isRoleWord(team)) errors.push(`Tên tổ “${team.slice(0, 40)}” là tên một vai trò, không phải tên tổ: có thể các cột bị lệch. Hãy kiểm tra dòng này trong tệp.`);
  else {
    const t = RosterTeamNameSchema.safeParse(team);
    if (!t.success) errors.push(t.error.issues[0]!.message);
  }
  const role = parseRole(cell('role'));
  if (!role) errors.push(`Vai trò “${cell('role').slice(0, 20)}” không hợp lệ: ghi “Thành viên” hoặc “Tổ trưởng”.`);
  return { line, name: name.success ? name.data : cleanText(rawName).slice(0, 80), phone: phone ?? rawPhone.slice(0, 20), village, team, role: role ?? 'member', errors };
}

const LEGACY =
  'Tệp CSV này được lưu bằng bảng mã cũ (Windows-1258 hoặc tương tự), không phải UTF-8, nên chữ tiếng Việt sẽ bị lỗi. ' +
  'Trong Excel, chọn Tệp → Lưu như → kiểu tệp “CSV UTF-8 (Comma delimited) (*.csv)”, rồi tải lên lại. Hoặc tải lên tệp .xlsx.';

/** Decodes a CSV upload as UTF-8, refusing legacy encodings and binary data. */
export function decodeCsv(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8. Windows-1258 (the old Vietnamese code page) is by far the likeliest source.
    const legacy = iconv.decode(Buffer.from(bytes), 'windows1258');
    if (/[\u00C0-\u1EF9]/.test(legacy) && !/[\u0000-\u0008\u000E-\u001F]/.test(legacy)) throw new TeamsError(400, LEGACY);
    throw new TeamsError(400, 'Tệp này không phải tệp văn bản CSV hay bảng tính Excel. Hãy tải lên tệp .csv (UTF-8) hoặc .xlsx theo mẫu.');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/\u0000/.test(text)) throw new TeamsError(400, 'Tệp này không phải tệp văn bản CSV hay bảng tính Excel. Hãy tải lên tệp .csv (UTF-8) hoặc .xlsx theo mẫu.');
  return text;
}

const NOT_A_SPREADSHEET = 'Tệp có đuôi .xlsx nhưng không phải bảng tính Excel. Hãy mở bằng Excel, lưu lại rồi tải lên, hoặc dùng tệp mẫu.';

/**
 * Reads an uploaded roster (bytes and file name) into validated rows. `progress` (optional) shows how
 * far the read got, e.g. that a refused file stopped early.
 */
export async function readRosterFile(bytes: Uint8Array, fileName: string, progress: ReadProgress = newProgress()): Promise<RosterRow[]> {
  if (bytes.byteLength === 0) throw new TeamsError(400, 'Tệp tải lên trống. Hãy chọn tệp danh sách.');
  if (bytes.byteLength > MAX_ROSTER_BYTES) throw new TeamsError(413, 'Tệp quá lớn (tối đa 2 MB). Danh sách một xã chỉ cần vài trăm dòng.');
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (!isZip && /\.xlsx?$/i.test(fileName)) throw new TeamsError(400, NOT_A_SPREADSHEET);
  const collector = new RosterCollector(!isZip);
  try {
    if (isZip) await readXlsxRows(bytes, collector.add, ROSTER_LIMITS, progress);
    else await readCsvRows(decodeCsv(bytes), collector.add, ROSTER_LIMITS, progress);
  } catch (err) {
    if (err instanceof SpreadsheetError) throw new TeamsError(err.status, err.message);
    throw err;
  }
  return collector.finish();
}

/**
 * The template as CSV text (UTF-8 with BOM, CRLF), written by csv-stringify so that cells holding
 * the delimiter (the header “Thôn, tổ dân phố”) are quoted.
 */
export function templateCsv(): string {
  return '\uFEFF' + stringify([TEMPLATE_HEADERS, ...TEMPLATE_ROWS.map((r) => [...r])], { record_delimiter: '\r\n' });
}

/** The template as XLSX bytes. */
export async function templateXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Danh sách');
  ws.addRow(TEMPLATE_HEADERS);
  for (const r of TEMPLATE_ROWS) ws.addRow([...r]);
  ws.getColumn(2).numFmt = '@';
  return Buffer.from(await wb.xlsx.writeBuffer());
}
