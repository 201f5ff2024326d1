/**
 * Roster files read as streams with limits enforced while reading: hostile XLSX archives (the probe's
 * 10-million-row file, sizes that lie, over-compressed entries, huge cells and string tables) are
 * refused after reading little, and the counters show how little. Ordinary files keep working.
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { newProgress } from '../../src/server/files/spreadsheet.ts';
import { MAX_ROSTER_ROWS, readRosterFile, ROSTER_LIMITS, templateXlsx } from '../../src/server/teams/roster-file.ts';
import { longCellBomb, rosterCsv, rosterXlsx, rowBomb, sharedStringsBomb, deflatePart, repeatedPart, workbook, sharedStringsPart } from '../setup/xlsx-files.ts';

async function refusal(bytes: Uint8Array, name = 'ds.xlsx') {
  const progress = newProgress();
  const err = await readRosterFile(bytes, name, progress).then(
    () => undefined,
    (e: Error & { status?: number }) => e,
  );
  if (!err) throw new Error('the file was accepted');
  return { status: err.status, message: err.message, progress };
}

describe('hostile XLSX files are refused while reading', () => {
  it('refuses the 10-million-row file (~1.6 MB) from its central directory, inflating nothing', async () => {
    const bomb = rowBomb(10_000_000);
    expect(bomb.byteLength).toBeLessThan(2 * 1024 * 1024); // it passes the upload's byte limit
    const r = await refusal(bomb);
    expect(r.status).toBe(413);
    expect(r.message).toMatch(/khi giải nén lớn hơn 8 MB/);
    expect(r.progress).toEqual({ inflatedBytes: 0, rows: 0, sharedStrings: 0 });
  });

  it('refuses a sheet that inflates past the size its archive declares, after reading only that much', async () => {
    const r = await refusal(rowBomb(3_000_000, { lie: true })); // declares 64 KB, holds ~160 MB
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/kích thước ghi bên trong tệp không khớp/);
    expect(r.progress.inflatedBytes).toBeLessThan(64 * 1024 + 70 * 1024);
    expect(r.progress.rows).toBeLessThan(2000);
  });

  it('stops at the row limit when the declared size is plausible but the rows go on', async () => {
    // Declares up to 7 MB (under the budget, under the ratio), holds 3 million rows: the row limit stops it.
    const sheet = repeatedPart('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c><c t="s"><v>3</v></c></row>', '<row><c t="s"><v>5</v></c><c t="s"><v>6</v></c></row>', 3_000_000, '</sheetData></worksheet>');
    const strings = sharedStringsPart(['Họ và tên', 'Số điện thoại', 'Thôn', 'Tổ', 'Vai trò', 'Nguyễn Văn An', '0912345678']);
    const declared = Math.min(7 * 1024 * 1024, 90 * sheet.data.length);
    const r = await refusal(workbook(sheet, { sharedStrings: strings, declaredSheetSize: declared }));
    expect(r.status).toBe(413);
    expect(r.message).toMatch(/quá nhiều dòng \(tối đa 5000\)/);
    expect(r.progress.rows).toBe(MAX_ROSTER_ROWS + 2); // the header, 5,000 rows, and the one too many
    expect(r.progress.inflatedBytes).toBeLessThan(1024 * 1024);
  });

  it('refuses a sheet of too many blank rows', async () => {
    const head = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c t="inlineStr"><is><t>Họ và tên</t></is></c><c t="inlineStr"><is><t>SĐT</t></is></c><c t="inlineStr"><is><t>Thôn</t></is></c><c t="inlineStr"><is><t>Tổ</t></is></c></row>';
    const r = await refusal(workbook(repeatedPart(head, '<row/>', 100_000, '</sheetData></worksheet>')));
    expect(r.status).toBe(413);
    expect(r.message).toMatch(/kể cả dòng trống \(tối đa 25000\)/);
    expect(r.progress.rows).toBe(25_001);
  });

  it('refuses an absurd compression ratio even under the size budget', async () => {
    const r = await refusal(rowBomb(40_000)); // ~2 MB of XML in a few KB
    expect(r.status).toBe(413);
    expect(r.message).toMatch(/bom nén/);
    expect(r.progress.inflatedBytes).toBe(0);
  });

  it('refuses a cell longer than the limit, naming it, and a single huge text node without holding it', async () => {
    const wide = await rosterXlsx(3, (ws) => {
      ws.getRow(3).getCell(3).value = 'x'.repeat(ROSTER_LIMITS.maxCellChars + 1);
    });
    const r = await refusal(wide);
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/Ô C3 có quá nhiều ký tự/);

    const huge = await refusal(longCellBomb(30_000_000, { lie: true }));
    expect(huge.status).toBe(400);
    expect(huge.message).toMatch(/hơn 1000 ký tự/);
    expect(huge.progress.inflatedBytes).toBeLessThan(128 * 1024);
  });

  it('refuses a row with too many columns', async () => {
    const r = await refusal(
      await rosterXlsx(3, (ws) => {
        ws.getRow(4).getCell(ROSTER_LIMITS.maxColumns + 1).value = 'thừa';
      }),
    );
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/Dòng 4 có dữ liệu ở quá nhiều cột \(tối đa 50 cột\)/);
  });

  it('refuses a shared strings table past its limits, having kept no more than the limit', async () => {
    const r = await refusal(sharedStringsBomb(200_000)); // ~4 MB of strings, under the size budget
    expect(r.status).toBe(413);
    expect(r.message).toMatch(/quá nhiều chữ/);
    expect(r.progress.sharedStrings).toBeLessThanOrEqual(ROSTER_LIMITS.maxSharedStrings);
    expect(r.progress.rows).toBe(0);
  });

  it('refuses broken archives as not a spreadsheet', async () => {
    const good = await rosterXlsx(2);
    for (const bytes of [good.subarray(0, good.length - 30), Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100, 1)])]) {
      const r = await refusal(bytes);
      expect(r.status).toBe(400);
      expect(r.message).toMatch(/bị hỏng hoặc không phải bảng tính Excel/);
    }
    const noSheet = workbook(deflatePart('<worksheet/>'));
    expect((await refusal(noSheet)).status).toBe(400);
  });
});

describe('ordinary rosters', () => {
  it('reads exactly 5,000 rows and refuses 5,001, XLSX and CSV', async () => {
    const ok = await readRosterFile(await rosterXlsx(MAX_ROSTER_ROWS), 'ds.xlsx');
    expect(ok).toHaveLength(MAX_ROSTER_ROWS);
    expect(ok.filter((r) => r.errors.length)).toEqual([]);
    expect(ok.at(-1)).toMatchObject({ line: MAX_ROSTER_ROWS + 1, name: `Người Thứ ${MAX_ROSTER_ROWS}` });
    const over = await refusal(await rosterXlsx(MAX_ROSTER_ROWS + 1));
    expect([over.status, over.progress.rows]).toEqual([413, MAX_ROSTER_ROWS + 2]);

    expect(await readRosterFile(Buffer.from(rosterCsv(MAX_ROSTER_ROWS)), 'ds.csv')).toHaveLength(MAX_ROSTER_ROWS);
    const csvOver = await refusal(Buffer.from(rosterCsv(MAX_ROSTER_ROWS + 1)), 'ds.csv');
    expect([csvOver.status, csvOver.progress.rows]).toEqual([413, MAX_ROSTER_ROWS + 2]);
  });

  it('stops a CSV of a million short lines at the row limit', async () => {
    const text = 'Họ và tên,Số điện thoại,Thôn,Tổ\n' + 'a,1,b,c\n'.repeat(250_000); // 2 MB
    const r = await refusal(Buffer.from(text), 'ds.csv');
    expect(r.status).toBe(413);
    expect(r.progress.rows).toBe(MAX_ROSTER_ROWS + 2);
  });

  it('refuses a CSV cell or row past the limits', async () => {
    const long = await refusal(Buffer.from(`Họ và tên,Số điện thoại,Thôn,Tổ\nAn,0912345678,${'x'.repeat(1001)},Tổ 1\n`), 'ds.csv');
    expect([long.status, long.message]).toEqual([400, expect.stringMatching(/Ô C2 có hơn 1000 ký tự/)]);
    const quote = await refusal(Buffer.from(`Họ và tên,Số điện thoại,Thôn,Tổ\n"${'x'.repeat(1_000_000)}`), 'ds.csv');
    expect(quote.status).toBe(400);
    const wide = await refusal(Buffer.from(`Họ và tên,Số điện thoại,Thôn,Tổ\n${'a,'.repeat(60)}\n`), 'ds.csv');
    expect(wide.message).toMatch(/Dòng 2 có dữ liệu ở quá nhiều cột/);
  });

  it('keeps CSV behaviour: BOM, comma and semicolon separators, Windows-1258 refused, line numbers as in the file', async () => {
    const semi = ['Họ và tên;Số điện thoại;Thôn, tổ dân phố;Tổ công nghệ số;Vai trò', 'Ngô Văn Tâm;0919 000 001;Tổ dân phố số 9;Tổ CNSCĐ số 9;Tổ trưởng', '', 'Mai Thị Hạnh;0919000001;Tổ dân phố số 9;Tổ CNSCĐ số 9;'].join('\r\n');
    const rows = await readRosterFile(Buffer.from('\uFEFF' + semi), 'ds.csv');
    expect(rows.map((r) => [r.line, r.name, r.phone, r.village, r.role])).toEqual([
      [2, 'Ngô Văn Tâm', '+84919000001', 'Tổ dân phố số 9', 'leader'],
      [4, 'Mai Thị Hạnh', '+84919000001', 'Tổ dân phố số 9', 'member'],
    ]);
    expect(rows[1]!.errors).toEqual(['Số điện thoại trùng với dòng 2.']);
    const comma = await readRosterFile(Buffer.from(semi.replace(/;/g, ',').replace('Thôn, tổ dân phố', 'Thôn')), 'ds.csv');
    expect(comma.map((r) => r.name)).toEqual(['Ngô Văn Tâm', 'Mai Thị Hạnh']);
    const legacy = await refusal(iconv.encode(semi.replace(/;/g, ','), 'windows1258'), 'cu.csv');
    expect([legacy.status, legacy.message]).toEqual([400, expect.stringMatching(/CSV UTF-8/)]);
  });

  it('reads XLSX cells as Excel writes them: numeric phones, formulas flagged, inline and rich text, gaps in rows', async () => {
    const tpl = await readRosterFile(await templateXlsx(), 'mau.xlsx');
    expect(tpl.map((r) => [r.line, r.name, r.phone, r.role])).toEqual([
      [2, 'Nguyễn Văn An', '+84912345678', 'leader'],
      [3, 'Trần Thị Bích', '+84987654321', 'member'],
    ]);
    const file = await rosterXlsx(0, (ws) => {
      ws.getRow(3).values = ['Lê Văn Số', 919200001, 'Thôn 2', 'Tổ 2', 'Thành viên'];
      ws.getRow(5).values = [{ formula: 'HYPERLINK("x")', result: 'x' }, '0919200002', 'Thôn 2', 'Tổ 2', ''];
      ws.getRow(6).values = [{ richText: [{ text: 'Đỗ ' }, { font: { bold: true }, text: 'Thị Lan' }] }, '0919200003', 'Thôn 2', 'Tổ 2', 'Tổ trưởng'];
    });
    const rows = await readRosterFile(file, 'ds.xlsx');
    expect(rows.map((r) => [r.line, r.name, r.phone, r.errors.length])).toEqual([
      [3, 'Lê Văn Số', '+84919200001', 0],
      [5, '=HYPERLINK("x")', '+84919200002', 1],
      [6, 'Đỗ Thị Lan', '+84919200003', 0],
    ]);
    expect(rows[1]!.errors[0]).toMatch(/công thức/);
    const inline = workbook(deflatePart('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c><c r="B1" t="inlineStr"><is><t>SĐT</t></is></c><c r="C1" t="inlineStr"><is><t>Thôn</t></is></c><c r="D1" t="inlineStr"><is><t>Tổ</t></is></c></row><row r="7"><c r="A7" t="inlineStr"><is><t>Phạm &amp; Con</t></is></c><c r="B7"><v>912000555</v></c><c r="D7" t="inlineStr"><is><t>Tổ 3</t></is></c></row></sheetData></worksheet>'));
    const [row] = await readRosterFile(inline, 'ds.xlsx');
    expect(row).toMatchObject({ line: 7, phone: '+84912000555', village: '', team: 'Tổ 3' });
    expect(row!.errors).toContain('Thiếu tên thôn, tổ dân phố.');
  });
});
