/**
 * Hostile and ordinary XLSX files built in memory for tests and the bench (never committed).
 *
 * A sheet of millions of identical rows is made without deflating gigabytes: one block of rows is
 * deflated once with a full flush (which makes it independent of what precedes it) and repeated,
 * so a 10-million-row sheet (~530 MB of XML) costs ~1.6 MB and a fraction of a second to build,
 * like the probe's file. The zip container is written here (stored names, deflate, no zip64) so a
 * test can also lie in the central directory about an entry's size.
 */
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';

/** A deflated entry: raw deflate bytes, the inflated size and CRC-32. */
export interface DeflatedPart {
  data: Buffer;
  size: number;
  crc: number;
}

/** Deflates a small part in one go. */
export function deflatePart(text: string | Buffer): DeflatedPart {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  return { data: zlib.deflateRawSync(buf), size: buf.length, crc: zlib.crc32(buf) };
}

/** `head` + `unit` × `times` + `tail`, deflated by repeating one full-flushed block of units. */
export function repeatedPart(head: string, unit: string, times: number, tail: string): DeflatedPart {
  const perBlock = Math.max(1, Math.floor((1024 * 1024) / unit.length));
  const flush = { finishFlush: zlib.constants.Z_FULL_FLUSH, level: 9 };
  const block = Buffer.from(unit.repeat(Math.min(perBlock, times)));
  const blockDeflated = zlib.deflateRawSync(block, flush);
  const parts: Buffer[] = [zlib.deflateRawSync(Buffer.from(head), flush)];
  let crc = zlib.crc32(head);
  let left = times;
  while (left >= perBlock) {
    parts.push(blockDeflated);
    crc = zlib.crc32(block, crc);
    left -= perBlock;
  }
  if (left > 0) {
    const rest = Buffer.from(unit.repeat(left));
    parts.push(zlib.deflateRawSync(rest, flush));
    crc = zlib.crc32(rest, crc);
  }
  parts.push(zlib.deflateRawSync(Buffer.from(tail))); // the final block
  crc = zlib.crc32(tail, crc);
  return { data: Buffer.concat(parts), size: Buffer.byteLength(head) + unit.length * times + Buffer.byteLength(tail), crc };
}

/** A zip archive of deflated parts; `declaredSize` makes the central directory (and local header) lie. */
export function zipArchive(entries: { name: string; part: DeflatedPart; declaredSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const { name, part, declaredSize } of entries) {
    const nameBuf = Buffer.from(name);
    const size = declaredSize ?? part.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x5a21, 12); // 2025-01-01
    local.writeUInt32LE(part.crc >>> 0, 14);
    local.writeUInt32LE(part.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0x0800, 8);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt16LE(0, 12);
    dir.writeUInt16LE(0x5a21, 14);
    dir.writeUInt32LE(part.crc >>> 0, 16);
    dir.writeUInt32LE(part.data.length, 20);
    dir.writeUInt32LE(size, 24);
    dir.writeUInt16LE(nameBuf.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, part.data);
    central.push(dir, nameBuf);
    offset += local.length + nameBuf.length + part.data.length;
  }
  const dirSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...central, end]);
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG = 'http://schemas.openxmlformats.org/package/2006/relationships';

/** A workbook of one sheet whose XML parts are given (the sheet already deflated, shared strings optional). */
export function workbook(sheet: DeflatedPart, options: { sharedStrings?: DeflatedPart; declaredSheetSize?: number; declaredStringsSize?: number } = {}): Buffer {
  const types = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>${options.sharedStrings ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : ''}</Types>`;
  const rootRels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PKG}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
  const book = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>`;
  const bookRels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PKG}"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>${options.sharedStrings ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : ''}</Relationships>`;
  return zipArchive([
    { name: '[Content_Types].xml', part: deflatePart(types) },
    { name: '_rels/.rels', part: deflatePart(rootRels) },
    { name: 'xl/workbook.xml', part: deflatePart(book) },
    { name: 'xl/_rels/workbook.xml.rels', part: deflatePart(bookRels) },
    // Shared strings first, as Excel writes them after the sheet: readers must not depend on order.
    ...(options.sharedStrings ? [{ name: 'xl/sharedStrings.xml', part: options.sharedStrings, declaredSize: options.declaredStringsSize }] : []),
    { name: 'xl/worksheets/sheet1.xml', part: sheet, declaredSize: options.declaredSheetSize },
  ]);
}

const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${NS}"><sheetData>`;
const SHEET_TAIL = '</sheetData></worksheet>';
const HEADER_ROW = '<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c><c t="s"><v>3</v></c><c t="s"><v>4</v></c></row>';
/**
 * The bomb's row: a name and a phone (shared strings 5 and 6), no `r` attribute (the format allows it).
 * Short rows compress ~340:1, so 10 million of them fit in ~1.6 MB, under the 2 MB upload limit.
 */
const DATA_ROW = '<row><c t="s"><v>5</v></c><c t="s"><v>6</v></c></row>';
const ROSTER_STRINGS = ['Họ và tên', 'Số điện thoại', 'Thôn, tổ dân phố', 'Tổ công nghệ số', 'Vai trò', 'Nguyễn Văn An', '0912345678', 'Thôn 1', 'Tổ CNSCĐ thôn 1', 'Thành viên'];

/** The shared strings part of `strings`. */
export function sharedStringsPart(strings: string[]): DeflatedPart {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return deflatePart(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${NS}" count="${strings.length}" uniqueCount="${strings.length}">${strings.map((s) => `<si><t>${esc(s)}</t></si>`).join('')}</sst>`);
}

/**
 * The probe's file: a roster header and `rows` identical data rows (10 million → ~1.4 MB).
 * `lie` declares a small sheet size in the central directory, so only inflating reveals the truth.
 */
export function rowBomb(rows: number, options: { lie?: boolean } = {}): Buffer {
  const sheet = repeatedPart(SHEET_HEAD + HEADER_ROW, DATA_ROW, rows, SHEET_TAIL);
  return workbook(sheet, { sharedStrings: sharedStringsPart(ROSTER_STRINGS), declaredSheetSize: options.lie ? 64 * 1024 : undefined });
}

/** A sheet whose one cell holds `chars` characters (a single text node bomb when large). */
export function longCellBomb(chars: number, options: { lie?: boolean } = {}): Buffer {
  const head = `${SHEET_HEAD}${HEADER_ROW}<row><c t="inlineStr"><is><t>`;
  const sheet = repeatedPart(head, 'a', chars, `</t></is></c></row>${SHEET_TAIL}`);
  return workbook(sheet, { sharedStrings: sharedStringsPart(ROSTER_STRINGS), declaredSheetSize: options.lie ? 64 * 1024 : undefined });
}

/** A shared strings table of `count` distinct strings (plus the roster's), with a small sheet. */
export function sharedStringsBomb(count: number): Buffer {
  const strings = [...ROSTER_STRINGS];
  for (let i = 0; i < count; i++) strings.push(`Người ${i}`);
  const sheet = deflatePart(SHEET_HEAD + HEADER_ROW + DATA_ROW + SHEET_TAIL);
  return workbook(sheet, { sharedStrings: sharedStringsPart(strings) });
}

/** The roster row `i` (distinct names and phones, valid). */
export function rosterRow(i: number): string[] {
  return [`Người Thứ ${i}`, `09${String(10_000_000 + i).slice(-8)}`, `Thôn ${1 + (i % 7)}`, `Tổ CNSCĐ thôn ${1 + (i % 7)}`, i % 50 === 0 ? 'Tổ trưởng' : 'Thành viên'];
}

/** An ordinary roster workbook of `rows` data rows, as Excel users make them (exceljs, shared strings). */
export async function rosterXlsx(rows: number, extra: (ws: ExcelJS.Worksheet) => void = () => {}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Danh sách');
  ws.addRow(['Họ và tên', 'Số điện thoại', 'Thôn, tổ dân phố', 'Tổ công nghệ số', 'Vai trò']);
  for (let i = 1; i <= rows; i++) ws.addRow(rosterRow(i));
  extra(ws);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The same roster as CSV text. */
export function rosterCsv(rows: number, delimiter = ','): string {
  const lines = [['Họ và tên', 'Số điện thoại', 'Thôn, tổ dân phố', 'Tổ công nghệ số', 'Vai trò']];
  for (let i = 1; i <= rows; i++) lines.push(rosterRow(i));
  return lines.map((l) => l.map((c) => (c.includes(delimiter) ? `"${c}"` : c)).join(delimiter)).join('\r\n') + '\r\n';
}

/** Shared strings of a household list: its header, then one label and one phone. */
const HOUSEHOLD_STRINGS = ['Tên gọi của hộ', 'Số điện thoại', 'Ghi chú', 'Hộ ông Ba, xóm 2', '0912345678'];
const HOUSEHOLD_HEADER_ROW = '<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>';
const HOUSEHOLD_DATA_ROW = '<row><c t="s"><v>3</v></c><c t="s"><v>4</v></c></row>';

/**
 * The probe's bomb shaped as a household list (the household template's header, then `rows` identical
 * rows). `declaredSheetSize` lets the central directory claim a plausible size (or lie).
 */
export function householdRowBomb(rows: number, options: { declaredSheetSize?: number } = {}): Buffer {
  const sheet = repeatedPart(SHEET_HEAD + HOUSEHOLD_HEADER_ROW, HOUSEHOLD_DATA_ROW, rows, SHEET_TAIL);
  const declared = options.declaredSheetSize === undefined ? undefined : Math.min(options.declaredSheetSize, 90 * sheet.data.length);
  return workbook(sheet, { sharedStrings: sharedStringsPart(HOUSEHOLD_STRINGS), declaredSheetSize: declared });
}
