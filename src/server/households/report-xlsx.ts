/** The monthly report's figures as an XLSX workbook (the same figures as the PDF, lists in full). */
import ExcelJS from 'exceljs';
import type { MonthlyReport } from './report.ts';
import { neutralise } from '../teams/export.ts';

/** A row's cells with text that looks like a formula made plain text (team and unit names are typed by people). */
const cells = (values: unknown[]) => values.map((v) => (typeof v === 'string' ? neutralise(v) : v));

export async function renderReportXlsx(r: MonthlyReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Học Số';
  const monthText = `${r.month.slice(5)}/${r.month.slice(0, 4)}`;
  const summary = wb.addWorksheet('Tổng quan');
  summary.addRow(cells([`Báo cáo tháng ${monthText}`, r.unit.name]));
  summary.addRow(cells(['Thuộc', r.trail.join(' › ')]));
  summary.addRow(cells([]));
  summary.addRow(cells(['Chỉ số', 'Tháng này', 'Tháng trước', 'So với tháng trước', 'Đơn vị']));
  for (const l of r.lines) summary.addRow(cells([l.label, l.value, l.previous, l.change, l.unit ?? '']));
  summary.getColumn(1).width = 55;
  const criteria = wb.addWorksheet('Tiêu chí');
  criteria.addRow(cells(['Tiêu chí', 'Giá trị', 'Đơn vị', 'Mục tiêu', 'Đạt', 'Tháng trước', 'Cách tính', 'Số liệu', 'Giải thích']));
  for (const c of r.criteria) {
    criteria.addRow(cells([c.label, c.value, c.unit, c.target, c.met === null ? '' : c.met ? 'đạt' : 'chưa đạt', c.previous, c.formula, c.data.map((d) => `${d.label}: ${d.value}`).join('; '), c.explanation]));
  }
  criteria.getColumn(1).width = 45;
  const teams = wb.addWorksheet('Tổ nổi bật');
  teams.addRow(cells(['Tổ', 'Thôn, tổ dân phố', 'Lượt hỗ trợ trong tháng', 'Hộ trong danh sách', 'Hộ đạt mục tiêu']));
  for (const t of r.topTeams) teams.addRow(cells([t.name, t.unitName, t.visits, t.households, t.meetingTarget]));
  const villages = wb.addWorksheet('Thôn chưa có lượt');
  villages.addRow(cells(['Thôn, tổ dân phố chưa có lượt hỗ trợ nào trong tháng']));
  for (const n of r.villagesWithoutVisits.names) villages.addRow(cells([n]));
  villages.getColumn(1).width = 60;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
