/**
 * Household lists are read by the same streaming readers and limits as rosters: the probe's
 * 10-million-row file, a zip bomb, a sheet that lies about its size, a huge string table and a CSV of
 * a million lines are refused after reading little, and the counters show how little. The memory
 * growth of each refusal is measured in a child process, as for rosters.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { newProgress } from '../../src/server/files/spreadsheet.ts';
import { MAX_HOUSEHOLD_ROWS, readHouseholdFile } from '../../src/server/households/import-file.ts';
import { ROSTER_LIMITS } from '../../src/server/teams/roster-file.ts';
import { householdRowBomb, longCellBomb, rowBomb, sharedStringsBomb } from '../setup/xlsx-files.ts';
import type { ProbeResult } from '../setup/roster-memory-probe.ts';

const MB = 1024 * 1024;

async function refusal(bytes: Uint8Array, name = 'ho.xlsx') {
  const progress = newProgress();
  const err = await readHouseholdFile(bytes, name, progress).then(
    () => undefined,
    (e: Error & { status?: number }) => e,
  );
  if (!err) throw new Error('the file was accepted');
  return { status: err.status, message: err.message, progress };
}

describe('hostile household lists are refused while reading', () => {
  it('refuses the 10-million-row file from its central directory, inflating nothing', async () => {
    for (const bomb of [rowBomb(10_000_000), householdRowBomb(10_000_000)]) {
      expect(bomb.byteLength).toBeLessThan(2 * MB); // it passes the upload's byte limit
      const r = await refusal(bomb);
      expect(r.status).toBe(413);
      expect(r.message).toMatch(/khi giải nén lớn hơn 8 MB/);
      expect(r.progress).toEqual({ inflatedBytes: 0, rows: 0, sharedStrings: 0 });
    }
  });

  it('refuses an absurd compression ratio (a zip bomb under the size budget) without inflating it', async () => {
    const r = await refusal(householdRowBomb(60_000));
    expect(r.status).toBe(413);
    expect(r.message).toMatch(/bom nén/);
    expect(r.progress.inflatedBytes).toBe(0);
  });

  it('refuses a sheet that inflates past the size its archive declares, after reading only that much', async () => {
    const r = await refusal(householdRowBomb(3_000_000, { declaredSheetSize: 64 * 1024 }));
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/kích thước ghi bên trong tệp không khớp/);
    expect(r.progress.inflatedBytes).toBeLessThan(64 * 1024 + 70 * 1024);
  });

  it('stops at the household limit when the declared size is plausible but the rows go on', async () => {
    const r = await refusal(householdRowBomb(3_000_000, { declaredSheetSize: 7 * MB }));
    expect(r.status).toBe(413);
    expect(r.message).toMatch(/quá nhiều hộ \(tối đa 3000\)/);
    expect(r.progress.rows).toBeLessThanOrEqual(MAX_HOUSEHOLD_ROWS + 2); // header, 3,000 rows, the one too many
    expect(r.progress.inflatedBytes).toBeLessThan(MB);
  });

  it('refuses a huge string table and a single huge cell, keeping no more than the limits', async () => {
    const strings = await refusal(sharedStringsBomb(200_000));
    expect(strings.status).toBe(413);
    expect(strings.progress.sharedStrings).toBeLessThanOrEqual(ROSTER_LIMITS.maxSharedStrings);
    const cell = await refusal(longCellBomb(30_000_000, { lie: true }));
    expect(cell.status).toBe(400);
    expect(cell.progress.inflatedBytes).toBeLessThan(128 * 1024);
  });

  it('stops a CSV of a million lines at the limit, and refuses a file over 2 MB before reading it', async () => {
    const lines = 'Tên gọi của hộ\n' + 'Hộ A\n'.repeat(1_000_000);
    const csv = await refusal(new TextEncoder().encode(lines.slice(0, 2 * MB - 10)), 'ho.csv');
    expect(csv.status).toBe(413);
    expect(csv.progress.rows).toBeLessThanOrEqual(5 * MAX_HOUSEHOLD_ROWS + 1);
    const big = await refusal(new Uint8Array(2 * MB + 1).fill(65), 'ho.csv');
    expect(big.status).toBe(413);
    expect(big.progress.rows).toBe(0);
  });
});

describe('memory while reading hostile household lists', () => {
  it.each(['rows-10m', 'rows-3m-lying', 'household-rows-3m', 'shared-strings-200k'])('%s: refused with memory growth under 50 MB', (kind) => {
    const r = spawnSync(process.execPath, ['--expose-gc', 'tests/setup/roster-memory-probe.ts', kind, 'households'], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`probe ${kind} failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
    const p = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ProbeResult;
    expect(p.status, p.message).toBeGreaterThanOrEqual(400);
    expect(p.status).toBeLessThan(500);
    expect(p.rssGrowth, `RSS grew ${(p.rssGrowth / MB).toFixed(1)} MB`).toBeLessThan(50 * MB);
    expect(p.maxRssGrowth, `peak RSS grew ${(p.maxRssGrowth / MB).toFixed(1)} MB`).toBeLessThan(50 * MB);
    expect(p.heapGrowth, `heap grew ${(p.heapGrowth / MB).toFixed(1)} MB`).toBeLessThan(50 * MB);
  }, 150_000);
});
