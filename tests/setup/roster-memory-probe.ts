/**
 * Run as a child process (with --expose-gc) by tests/unit/roster-memory.test.ts and the bench:
 * reads one hostile roster file with the real reader and prints, as one JSON line, how it ended and
 * how much the process's memory grew while reading (peak RSS and heap, sampled every millisecond,
 * and the growth of the kernel's peak-RSS counter), measured from a warmed-up, collected baseline.
 *
 *   node --expose-gc tests/setup/roster-memory-probe.ts <kind> [households]
 *
 * With `households`, the household-list reader (src/server/households/import-file.ts) reads the file.
 */
import { performance } from 'node:perf_hooks';
import { columnLetters, newProgress } from '../../src/server/files/spreadsheet.ts';
import { readRosterFile } from '../../src/server/teams/roster-file.ts';
import { readHouseholdFile } from '../../src/server/households/import-file.ts';
import { deflatePart, householdRowBomb, longCellBomb, rosterCsv, rosterXlsx, rowBomb, sharedStringsBomb, workbook } from './xlsx-files.ts';

/** A roster header, then `n` numbered rows of 50 empty cells (numbers keep the compression ratio ordinary). */
function emptyCells(n: number): Buffer {
  const parts = ['<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c t="inlineStr"><is><t>Họ và tên</t></is></c><c t="inlineStr"><is><t>SĐT</t></is></c><c t="inlineStr"><is><t>Thôn</t></is></c><c t="inlineStr"><is><t>Tổ</t></is></c></row>'];
  const columns = Array.from({ length: 50 }, (_, k) => columnLetters(k + 1));
  for (let i = 2; i <= n + 1; i++) parts.push(`<row r="${i}">${columns.map((c) => `<c r="${c}${i}"/>`).join('')}</row>`);
  return workbook(deflatePart(parts.join('') + '</sheetData></worksheet>'));
}

/** The hostile files, by name. */
export const PROBES = {
  'rows-10m': () => rowBomb(10_000_000),
  'rows-3m-lying': () => rowBomb(3_000_000, { lie: true }),
  'long-cell-30m-lying': () => longCellBomb(30_000_000, { lie: true }),
  'shared-strings-200k': () => sharedStringsBomb(200_000),
  // Under every archive limit (~7 MB of XML, ratio < 100): a header, then 10,000 rows of 50 empty cells.
  'empty-cells-7mb': () => emptyCells(10_000),
} as const;

/** Household-shaped files, read with `households` as the second argument (not part of the roster probes). */
const HOUSEHOLD_PROBES: Record<string, () => Buffer> = {
  'household-rows-3m': () => householdRowBomb(3_000_000, { declaredSheetSize: 7 * 1024 * 1024 }),
};

export type ProbeKind = keyof typeof PROBES;

/** What the probe prints. */
export interface ProbeResult {
  kind: string;
  fileBytes: number;
  status: number | null;
  message: string;
  ms: number;
  /** Peak growth over the baseline while reading, in bytes. */
  rssGrowth: number;
  heapGrowth: number;
  /** Growth of the process's lifetime peak RSS (getrusage), in bytes. */
  maxRssGrowth: number;
  progress: ReturnType<typeof newProgress>;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function main(kind: string, reader: string): Promise<ProbeResult> {
  const make = PROBES[kind as ProbeKind] ?? HOUSEHOLD_PROBES[kind];
  const read = reader === 'households' ? readHouseholdFile : readRosterFile;
  if (!make) throw new Error(`unknown probe ${kind}`);
  const bytes = make();
  // Warm up: load and compile the readers on ordinary files so the baseline includes them.
  await readRosterFile(await rosterXlsx(200), 'ds.xlsx');
  await readRosterFile(Buffer.from(rosterCsv(200)), 'ds.csv');
  if (reader === 'households') await readHouseholdFile(Buffer.from('Tên gọi của hộ\nHộ A\nHộ B\n'), 'ho.csv');
  for (let i = 0; i < 3; i++) gc?.();
  const base = process.memoryUsage();
  const baseMaxRss = process.resourceUsage().maxRSS * 1024;
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 1);
  const progress = newProgress();
  const started = performance.now();
  let status: number | null = null;
  let message = 'accepted';
  try {
    await read(bytes, 'ds.xlsx', progress);
  } catch (err) {
    status = (err as { status?: number }).status ?? null;
    message = (err as Error).message;
  }
  const ms = performance.now() - started;
  sample();
  clearInterval(timer);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  return {
    kind,
    fileBytes: bytes.byteLength,
    status,
    message,
    ms,
    rssGrowth: peakRss - base.rss,
    heapGrowth: peakHeap - base.heapUsed,
    maxRssGrowth: Math.max(0, maxRss - Math.max(baseMaxRss, base.rss)),
    progress,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  console.log(JSON.stringify(await main(process.argv[2] ?? '', process.argv[3] ?? 'roster')));
}
