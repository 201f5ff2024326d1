/**
 * Memory while a hostile roster file is read stays small: each file is read in a fresh child
 * process (tests/setup/roster-memory-probe.ts) that measures its own RSS and heap from a warmed-up
 * baseline. The old reader (exceljs loading the whole workbook) ran out of heap on the first file.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROBES, type ProbeResult } from '../setup/roster-memory-probe.ts';

const MB = 1024 * 1024;

function probe(kind: string): ProbeResult {
  const r = spawnSync(process.execPath, ['--expose-gc', 'tests/setup/roster-memory-probe.ts', kind], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`probe ${kind} failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ProbeResult;
}

describe('memory while reading hostile roster files', () => {
  it.each(Object.keys(PROBES))('%s: refused with memory growth under 50 MB', (kind) => {
    const r = probe(kind);
    expect(r.status, r.message).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.rssGrowth, `RSS grew ${(r.rssGrowth / MB).toFixed(1)} MB`).toBeLessThan(50 * MB);
    expect(r.maxRssGrowth, `peak RSS grew ${(r.maxRssGrowth / MB).toFixed(1)} MB`).toBeLessThan(50 * MB);
    expect(r.heapGrowth, `heap grew ${(r.heapGrowth / MB).toFixed(1)} MB`).toBeLessThan(50 * MB);
    expect(r.progress.inflatedBytes).toBeLessThanOrEqual(8 * MB);
  }, 150_000);
});
