/**
 * Every phone number, short code and web address in the content must appear in a sources file
 * (content/sources.yaml or a course's sources.yaml) with its official source, or be listed there as a
 * fictional example. Scans lesson bodies and frontmatter, final quizzes and course metadata.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/server/content/catalog.ts';

const ROOT = 'content';
const catalog = loadCatalog(ROOT);
const listed = new Set([...catalog.sources.official.map((s) => s.value), ...catalog.sources.fictional.map((s) => s.value)].map((v) => v.toLowerCase()));

const TLDS = 'vn|com|net|org|top|xyz|vip|apk|info|io|site|online|shop|app|link|me|cc|tk|club|live|store|click|cn|asia|biz';
/** Host names and bare endings (".gov.vn", ".apk") ending in a known TLD. */
const ADDRESS = new RegExp(`(?<![\\p{L}\\p{N}@_-])(?:https?://)?((?:[a-z0-9][a-z0-9-]*)?(?:\\.[a-z0-9-]+)*\\.(?:${TLDS}))(?![\\p{L}\\p{N}-])`, 'giu');
/** Full phone numbers: +84 / 84 / 0 followed by 9–10 digits, spaces or dots allowed. */
const PHONE = /(?<![\d.])(?:\+84|0)(?:[ .]?\d){9,10}(?![\d])/g;
/** Short codes: a 3–5 digit number right after a calling/texting word. */
const SHORT = /(?:gọi|nhắn(?: tin)?(?: đến| tới)?|gửi(?: tin)?(?: đến| tới)?|soạn tin[^.\n]{0,40}?gửi|tổng đài|đầu số|hotline|đường dây(?: nóng)?|số máy)\s*:?\s*(\d{3,5})(?![\d/.,%]|[ .]\d|\s*(?:triệu|nghìn|ngàn|đồng|phút|giờ|ngày|tháng|năm|người|lần|tuổi))/giu;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return files(p);
    return /\.(mdx|md|yaml)$/.test(d.name) && d.name !== 'sources.yaml' && d.name !== 'README.md' ? [p] : [];
  });
}

function found(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(ADDRESS)) out.push(m[1]!.toLowerCase().replace(/^www\./, ''));
  for (const m of text.matchAll(PHONE)) out.push(m[0].replace(/[ .]/g, ''));
  for (const m of text.matchAll(SHORT)) out.push(m[1]!);
  return out;
}

describe('sources', () => {
  it('lists a source for every official entry', () => {
    for (const s of catalog.sources.official) expect(s.source.length, s.value).toBeGreaterThan(5);
  });

  it('recognises what it should (self-test of the scanner)', () => {
    expect(found('Vào dichvucong.gov.vn hoặc https://abc.xyz/path; nhắn tin đến 5656; gọi 0912 345 678.')).toEqual([
      'dichvucong.gov.vn', 'abc.xyz', '0912345678', '5656',
    ]);
    expect(found('Từ 1/7/2025 đến năm 2026, chuyển 10 triệu đồng, TP.HCM, v.v.')).toEqual([]);
  });

  const all = files(path.join(ROOT, 'courses'));
  it('scans every content file', () => expect(all.length).toBeGreaterThan(100));
  it.each(all.map((f) => [path.relative(ROOT, f), f]))('%s: every address and number is in a sources file', (_, f) => {
    const missing = found(fs.readFileSync(f, 'utf8')).filter((v) => !listed.has(v));
    expect(missing).toEqual([]);
  });
});
