/**
 * Reads the first worksheet of an XLSX upload row by row, with every limit enforced while reading.
 *
 * exceljs (`Workbook.xlsx.load`, and even its streaming `WorkbookReader`) expands a whole workbook,
 * caches every shared string and may spool sheets to disk before any limit can be checked: a 1.4 MB
 * file of 10 million identical rows blocked the event loop for minutes and ran the heap out. Here:
 *  1. the zip's central directory is walked (yauzl) and the archive refused when the declared sizes
 *     pass `maxInflatedBytes`, an entry's compression ratio is absurd, or there are too many entries;
 *  2. only the parts needed are inflated, streamed, and every inflated byte is counted against the
 *     same budget (yauzl also refuses an entry that inflates past its declared size);
 *  3. the XML is parsed as it streams (saxes); cells, columns and shared strings are limited as they
 *     arrive, and each row goes to the sink, which stops the read by throwing (e.g. at a row limit).
 * Zlib inflates off the main thread and the parser works chunk by chunk, so other requests are
 * answered while a file is read.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import {
  cellTooLong,
  columnIndex,
  columnLetters,
  newProgress,
  SpreadsheetError,
  tooManyColumns,
  type ReadProgress,
  type RowSink,
  type SheetLimits,
} from './spreadsheet.ts';

const CORRUPT = 'Tệp .xlsx này bị hỏng hoặc không phải bảng tính Excel. Hãy mở bằng Excel, lưu lại rồi tải lên, hoặc dùng tệp mẫu.';
/** Entries above this size must not be compressed beyond `maxRatio`; small parts compress as they like. */
const RATIO_FLOOR_BYTES = 1024 * 1024;
/**
 * Longest stretch of XML without a `<`: bounds a single text node or tag (a cell is at most
 * `maxCellChars` characters; entities and UTF-8 make a character at most ~10 bytes).
 */
const tokenLimit = (limits: SheetLimits) => Math.max(16 * 1024, limits.maxCellChars * 10);

const overCompressed = () =>
  new SpreadsheetError(413, 'Tệp .xlsx này được nén với tỉ lệ bất thường (như một “bom nén”), nên không được mở. Hãy mở bằng Excel, chỉ giữ trang danh sách, lưu lại rồi tải lên.');
const sizeMismatch = () =>
  new SpreadsheetError(400, 'Tệp .xlsx này bị hỏng: kích thước ghi bên trong tệp không khớp với nội dung. Hãy mở bằng Excel, lưu lại rồi tải lên, hoặc dùng tệp mẫu.');
const tooManyStrings = () =>
  new SpreadsheetError(413, 'Bảng tính có quá nhiều chữ cho một danh sách (một xã chỉ cần vài trăm dòng). Hãy chép riêng trang danh sách sang một tệp mới, hoặc chia thành nhiều tệp.');
const corrupt = () => new SpreadsheetError(400, CORRUPT);
const mb = (n: number) => Math.round(n / 1024 / 1024);
const tooBig = (limits: SheetLimits) =>
  new SpreadsheetError(
    413,
    `Bảng tính này khi giải nén lớn hơn ${mb(limits.maxInflatedBytes)} MB, quá lớn cho một danh sách (một xã chỉ cần vài trăm dòng). Hãy chỉ giữ trang danh sách, hoặc chia thành nhiều tệp.`,
  );

/** Reads the first worksheet's rows into `sink`. Throws SpreadsheetError when a limit is passed or the file is not an XLSX. */
export async function readXlsxRows(bytes: Uint8Array, sink: RowSink, limits: SheetLimits, progress: ReadProgress = newProgress()): Promise<void> {
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { validateEntrySizes: true });
  } catch {
    throw corrupt();
  }
  if (zip.entryCount > limits.maxEntries) throw new SpreadsheetError(413, `Tệp .xlsx có quá nhiều phần (${zip.entryCount}). Hãy lưu danh sách thành một bảng tính riêng rồi tải lên.`);
  const entries = await listEntries(zip, limits);
  const reader = new PartReader(zip, entries, limits, progress);

  const workbookPath = (await reader.relationships('_rels/.rels')).find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
  const workbookRels = await reader.relationships(relsPathOf(workbookPath));
  const sheetId = await reader.firstSheetRelId(workbookPath);
  const sheetRel = workbookRels.find((r) => r.id === sheetId && r.type.endsWith('/worksheet'));
  if (!sheetRel) throw new SpreadsheetError(400, 'Bảng tính không có trang nào.');
  const stringsRel = workbookRels.find((r) => r.type.endsWith('/sharedStrings'));
  const shared = stringsRel ? await reader.sharedStrings(resolvePart(workbookPath, stringsRel.target)) : [];
  await reader.sheet(resolvePart(workbookPath, sheetRel.target), shared, sink);
}

/** Walks the central directory, refusing oversized, over-compressed, encrypted or duplicate entries. */
async function listEntries(zip: ZipFile, limits: SheetLimits): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  let declared = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      if (entries.has(entry.fileName) || entry.isEncrypted()) throw corrupt();
      declared += entry.uncompressedSize;
      if (declared > limits.maxInflatedBytes) throw tooBig(limits);
      if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)) throw overCompressed();
      entries.set(entry.fileName, entry);
    }
  } catch (err) {
    if (err instanceof SpreadsheetError) throw err;
    throw corrupt();
  }
  return entries;
}

/** `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`. */
function relsPathOf(part: string): string {
  const i = part.lastIndexOf('/');
  return `${part.slice(0, i + 1)}_rels/${part.slice(i + 1)}.rels`;
}

/** A relationship target resolved against the part that declares it (`worksheets/sheet1.xml` → `xl/worksheets/sheet1.xml`). */
function resolvePart(from: string, target: string): string {
  const segments = target.startsWith('/') ? [] : from.split('/').slice(0, -1);
  for (const s of target.replace(/^\/+/, '').split('/')) {
    if (s === '..') segments.pop();
    else if (s !== '.' && s !== '') segments.push(s);
  }
  return segments.join('/');
}

/** The local name of an XML name (`r:id` → `id`). */
const local = (name: string) => name.slice(name.indexOf(':') + 1);

interface Relationship {
  id: string;
  type: string;
  target: string;
}

/** Inflates and parses parts of one archive against one shared budget. */
class PartReader {
  private readonly zip: ZipFile;
  private readonly entries: Map<string, Entry>;
  private readonly limits: SheetLimits;
  private readonly progress: ReadProgress;
  /** What the sink threw to stop the read; passed on unchanged (e.g. a row limit's own message). */
  private stop: { error: unknown } | undefined;
  constructor(zip: ZipFile, entries: Map<string, Entry>, limits: SheetLimits, progress: ReadProgress) {
    this.zip = zip;
    this.entries = entries;
    this.limits = limits;
    this.progress = progress;
  }

  /** Streams a part through a fresh XML parser set up by `listen`; a missing part is `missing`. */
  private async parse(path: string, listen: (parser: SaxesParser) => void, missing: () => void): Promise<void> {
    const entry = this.entries.get(path);
    if (!entry) return missing();
    const parser = new SaxesParser({ position: false });
    listen(parser);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const maxToken = tokenLimit(this.limits);
    let run = 0; // characters since the last '<'
    const feed = (text: string) => {
      for (let i = 0; ; ) {
        const j = text.indexOf('<', i);
        run += (j < 0 ? text.length : j) - i;
        if (run > maxToken) throw cellTooLong(`trong tệp`, this.limits);
        if (j < 0) break;
        run = 0;
        i = j + 1;
      }
      parser.write(text);
    };
    let stream;
    try {
      stream = await this.zip.openReadStreamPromise(entry);
    } catch {
      throw corrupt();
    }
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        this.progress.inflatedBytes += chunk.byteLength;
        if (this.progress.inflatedBytes > this.limits.maxInflatedBytes) throw tooBig(this.limits);
        feed(decoder.decode(chunk, { stream: true }));
      }
      feed(decoder.decode());
      parser.close();
    } catch (err) {
      stream.destroy();
      if (err instanceof SpreadsheetError || (this.stop && this.stop.error === err)) throw err;
      // yauzl refuses an entry whose inflated size differs from the size declared for it.
      if (err instanceof Error && /^(too many|not enough) bytes in the stream/.test(err.message)) throw sizeMismatch();
      throw corrupt();
    }
  }

  /** The relationships of a `.rels` part (none when absent). */
  async relationships(path: string): Promise<Relationship[]> {
    const out: Relationship[] = [];
    await this.parse(
      path,
      (p) =>
        p.on('opentag', (tag) => {
          if (local(tag.name) !== 'Relationship' || out.length >= 1000) return;
          const a = tag.attributes as Record<string, string>;
          out.push({ id: a.Id ?? '', type: a.Type ?? '', target: a.Target ?? '' });
        }),
      () => {},
    );
    return out;
  }

  /** The relationship id of the workbook's first sheet (sheet order, not file order). */
  async firstSheetRelId(workbookPath: string): Promise<string> {
    let id: string | undefined;
    await this.parse(
      workbookPath,
      (p) =>
        p.on('opentag', (tag) => {
          if (id !== undefined || local(tag.name) !== 'sheet') return;
          const attr = Object.entries(tag.attributes as Record<string, string>).find(([k]) => k.includes(':') && local(k) === 'id');
          id = attr?.[1] ?? '';
        }),
      () => {
        throw corrupt();
      },
    );
    if (id === undefined) throw new SpreadsheetError(400, 'Bảng tính không có trang nào.');
    return id;
  }

  /**
   * The shared strings table. Strings longer than a cell may be are kept as `null` (refused only if
   * the first sheet uses them); the count and total characters are limited.
   */
  async sharedStrings(path: string): Promise<(string | null)[]> {
    const out: (string | null)[] = [];
    const { maxCellChars, maxSharedStrings, maxSharedChars } = this.limits;
    let chars = 0;
    let text: string | null = null; // the <si> being read
    let long = false; // it passed maxCellChars: remembered as too long, without growing further
    let inT = false;
    let phonetic = 0;
    const add = (t: string) => {
      if (text === null || !inT || phonetic || long) return;
      text += t;
      if (text.length > maxCellChars) {
        long = true;
        text = '';
      }
    };
    await this.parse(
      path,
      (p) => {
        p.on('opentag', (tag: SaxesTagPlain) => {
          const n = local(tag.name);
          if (n === 'si') {
            text = '';
            long = false;
          }
          else if (n === 't') inT = true;
          else if (n === 'rPh') phonetic++; // phonetic guides (furigana) are not part of the text
        });
        p.on('text', add);
        p.on('cdata', add);
        p.on('closetag', (tag: SaxesTagPlain) => {
          const n = local(tag.name);
          if (n === 't') inT = false;
          else if (n === 'rPh') phonetic--;
          else if (n === 'si' && text !== null) {
            chars += text.length;
            if (out.length >= maxSharedStrings || chars > maxSharedChars) throw tooManyStrings();
            out.push(long ? null : text);
            this.progress.sharedStrings = out.length;
            text = null;
          }
        });
      },
      () => {},
    );
    return out;
  }

  /** Streams the sheet's rows into `sink`. */
  async sheet(path: string, shared: (string | null)[], sink: RowSink): Promise<void> {
    const { maxColumns, maxCellChars } = this.limits;
    let line = 0;
    let cells: string[] | null = null;
    let col = 0;
    let type = 'n';
    let value = '';
    let formula: string | null = null;
    let target: 'v' | 'f' | 't' | null = null;
    let inInline = false;
    let phonetic = 0;
    const where = () => `${columnLetters(col)}${line}`;
    const add = (t: string) => {
      if (cells === null || target === null || phonetic) return;
      if (target === 'f') formula = (formula ?? '') + t;
      else value += t;
      if (value.length > maxCellChars || (formula?.length ?? 0) > maxCellChars) throw cellTooLong(where(), this.limits);
    };
    await this.parse(
      path,
      (p) => {
        p.on('opentag', (tag: SaxesTagPlain) => {
          const a = tag.attributes as Record<string, string>;
          switch (local(tag.name)) {
            case 'row': {
              const r = a.r === undefined ? line + 1 : Number(a.r);
              if (!Number.isInteger(r) || r < 1 || r > 1_048_576) throw corrupt();
              line = r;
              cells = [];
              col = 0;
              break;
            }
            case 'c': {
              if (cells === null) throw corrupt();
              const ref = a.r === undefined ? undefined : /^([A-Z]{1,3})\d*$/.exec(a.r);
              const c = ref ? columnIndex(ref[1]!) : col + 1;
              if (c === undefined || (a.r !== undefined && !ref)) throw corrupt();
              col = c;
              if (col > maxColumns) throw tooManyColumns(line, this.limits);
              type = a.t ?? 'n';
              value = '';
              formula = null;
              break;
            }
            case 'v':
              target = 'v';
              break;
            case 'f':
              target = 'f';
              formula ??= '';
              break;
            case 'is':
              inInline = true;
              break;
            case 't':
              if (inInline) target = 't';
              break;
            case 'rPh':
              phonetic++;
              break;
          }
        });
        p.on('text', add);
        p.on('cdata', add);
        p.on('closetag', (tag: SaxesTagPlain) => {
          switch (local(tag.name)) {
            case 'v':
            case 'f':
            case 't':
              target = null;
              break;
            case 'is':
              inInline = false;
              break;
            case 'rPh':
              phonetic--;
              break;
            case 'c':
              if (cells === null) break;
              cells[col - 1] = formula !== null ? `=${formula}` : cellText(type, value, shared, where);
              break;
            case 'row':
              if (cells === null) break;
              for (let i = 0; i < cells.length; i++) cells[i] ??= '';
              this.progress.rows++;
              try {
                sink(line, cells);
              } catch (error) {
                this.stop = { error };
                throw error;
              }
              cells = null;
              break;
          }
        });
      },
      () => {
        throw corrupt();
      },
    );
  }
}

/** The text of a cell from its type and raw value. Dates stay serial numbers: a roster has none. */
function cellText(type: string, raw: string, shared: (string | null)[], where: () => string): string {
  switch (type) {
    case 's': {
      const i = Number(raw);
      if (!Number.isInteger(i) || i < 0 || i >= shared.length) throw corrupt();
      const s = shared[i];
      if (s === null) throw new SpreadsheetError(400, `Ô ${where()} có quá nhiều ký tự. Mỗi ô trong danh sách chỉ cần một tên hoặc một số điện thoại; hãy sửa lại tệp.`);
      return s!;
    }
    case 'b':
      return raw === '1' ? 'true' : 'false';
    default:
      return raw; // numbers as written (a phone typed as a number loses its leading 0; the roster reader restores it), inline and formula strings, errors
  }
}
