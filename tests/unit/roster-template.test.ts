/**
 * The roster template is valid CSV and XLSX that reads back as exactly its example rows, and files
 * whose columns do not line up (the old unquoted header) are errors in the preview, naming the line.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readRosterFile, TEMPLATE_HEADERS, TEMPLATE_ROWS, templateCsv, templateXlsx } from '../../src/server/teams/roster-file.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const expected = TEMPLATE_ROWS.map((r) => ({ name: r[0], phone: `+84${r[1]!.slice(1)}`, village: r[2], team: r[3], role: r[4] === 'Tổ trưởng' ? 'leader' : 'member', errors: [] }));

describe('the template', () => {
  it('is valid CSV: csv-parse reads a 5-column header and 5-column rows', () => {
    const text = templateCsv();
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text).toContain('\r\n');
    const records = parse(text, { bom: true }) as string[][];
    expect(records[0]).toEqual(TEMPLATE_HEADERS);
    expect(records.slice(1)).toEqual(TEMPLATE_ROWS);
    for (const r of records) expect(r).toHaveLength(5);
  });

  it('reads back, unchanged, as exactly the example rows (CSV and XLSX)', async () => {
    for (const [file, name] of [[bytes(templateCsv()), 'mau.csv'], [new Uint8Array(await templateXlsx()), 'mau.xlsx']] as const) {
      const rows = await readRosterFile(file, name);
      expect(rows.map(({ line: _line, ...r }) => r), name).toEqual(expected);
    }
  });

  it('XLSX: its header row is the five columns, phones stored as text', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(await templateXlsx()).buffer);
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(TEMPLATE_HEADERS);
    expect(ws.getRow(2).getCell(2).value).toBe('0912345678');
  });
});

describe('files whose columns do not line up are errors in the preview', () => {
  // The old template: “Thôn, tổ dân phố” unquoted makes a 6-column header over 5-column rows.
  const OLD = '\uFEFFHọ và tên,Số điện thoại,Thôn, tổ dân phố,Tổ công nghệ số,Vai trò\r\nNguyễn Văn An,0912345678,Thôn 1,Tổ CNSCĐ thôn 1,Tổ trưởng\r\nTrần Thị Bích,0987654321,Thôn 1,Tổ CNSCĐ thôn 1,Thành viên\r\n';

  it('the old unquoted header: every row names the column counts and the header line', async () => {
    const rows = await readRosterFile(bytes(OLD), 'cu.csv');
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.errors.join(' ')).toContain('Dòng này có 5 cột nhưng dòng tiêu đề (dòng 1) có 6 cột');
      expect(r.errors.join(' ')).toContain('hai cột cùng là “Thôn, tổ dân phố”');
      // Read as the rows were misread before: the team column holds the role.
      expect(r.errors.join(' ')).toMatch(/Tên tổ “(Tổ trưởng|Thành viên)” là tên một vai trò/);
    }
    expect(rows.map((r) => r.line)).toEqual([2, 3]);
  });

  it('a team or village named like a role, and unknown roles, are row errors', async () => {
    const csv = ['Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò', 'Người Một,0919700001,Thôn 1,Thành viên,Thành viên', 'Người Hai,0919700002,Tổ trưởng,Tổ 1,Thành viên', 'Người Ba,0919700003,Thôn 1,Tổ 1,Phó tổ'].join('\r\n');
    const rows = await readRosterFile(bytes(csv), 'x.csv');
    expect(rows[0]!.errors.join(' ')).toContain('Tên tổ “Thành viên” là tên một vai trò');
    expect(rows[1]!.errors.join(' ')).toContain('Tên thôn, tổ dân phố “Tổ trưởng” là tên một vai trò');
    expect(rows[2]!.errors.join(' ')).toContain('Vai trò “Phó tổ” không hợp lệ');
  });

  it('CSV rows shorter or longer than the header are errors; well-formed rows are not', async () => {
    const csv = ['Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò', 'Người Một,0919700011,Thôn 1,Tổ 1,Thành viên', 'Người Hai,0919700012,Thôn 1,Tổ 1', 'Người Ba,0919700013,Thôn 1,Tổ 1,Thành viên,thừa'].join('\n');
    const rows = await readRosterFile(bytes(csv), 'x.csv');
    expect(rows[0]!.errors).toEqual([]);
    expect(rows[1]!.errors[0]).toContain('có 4 cột nhưng dòng tiêu đề (dòng 1) có 5 cột');
    expect(rows[2]!.errors[0]).toContain('có 6 cột nhưng dòng tiêu đề (dòng 1) có 5 cột');
  });

  it('XLSX: data right of the last titled column is an error; short rows are fine', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Danh sách');
    ws.addRow(TEMPLATE_HEADERS);
    ws.addRow(['Người Một', '0919700021', 'Thôn 1', 'Tổ 1']);
    ws.addRow(['Người Hai', '0919700022', 'Thôn 1', 'Tổ 1', 'Thành viên', 'ghi chú']);
    const rows = await readRosterFile(new Uint8Array(await wb.xlsx.writeBuffer()), 'x.xlsx');
    expect(rows[0]!.errors).toEqual([]);
    expect(rows[1]!.errors[0]).toContain('có dữ liệu ở cột F, bên phải cột cuối cùng có tiêu đề (dòng 1)');
  });
});
