/** Household dashboards as export tables (CSV/XLSX); every export is audit-logged. */
import { SKILLS } from '../../lib/content/schema.ts';
import { SKILL_LABELS } from '../../lib/skills.ts';
import { formatPhone } from '../../lib/fields.ts';
import { accessDb, type Reads } from '../db/replica.ts';
import type { Viewer } from '../teams/access.ts';
import * as teamsRepo from '../teams/teams.repository.ts';
import { columnsOf, fromArray, type ExportTable } from '../teams/export.ts';
import { percent, SKILL_COLUMN } from './coverage.ts';
import { coverageDashboard } from './dashboard.ts';
import { teamHouseholds } from './households.ts';

const SOURCE = { course: 'Đã học trên Học Số', member: 'Tự làm được', null: '' } as const;

/** A unit's coverage table: one row per child unit and team. */
export async function unitCoverageTable(reads: Reads, v: Viewer, unitId: string | undefined): Promise<ExportTable> {
  const d = await coverageDashboard(reads, v, unitId);
  await accessDb(reads).transaction().execute((trx) => teamsRepo.insertAudit(trx, { actorId: v.id, unitId: d.unit.id, action: 'household.export', detail: { table: 'unit', unit: d.unit.id } }));
  const rows = d.rows.map((r) => [
    r.name,
    r.kind === 'team' ? 'Tổ' : 'Đơn vị',
    String(r.households),
    ...SKILLS.map((s) => String(r[SKILL_COLUMN[s]])),
    String(r.all_skills),
    String(r.meeting_target),
    `${percent(r.meeting_target, r.households)}%`,
    String(r.linked_citizens),
  ]);
  return {
    name: d.unit.name,
    suffix: 'ho-gia-dinh',
    sheet: 'Hộ gia đình',
    title: `Hộ gia đình và 5 kỹ năng số — ${d.unit.name}`,
    columns: columnsOf(['Đơn vị hoặc tổ', 'Loại', 'Hộ đã ghi', ...SKILLS.map((s) => `Hộ có: ${SKILL_LABELS[s]}`), 'Hộ đủ 5 kỹ năng (nhiều người)', 'Hộ đạt mục tiêu', 'Tỉ lệ đạt mục tiêu', 'Tài khoản người dân liên kết']),
    rows: fromArray(rows),
  };
}

/** A team's household list with each household's skills. */
export async function teamHouseholdTable(reads: Reads, v: Viewer, teamId: string | number): Promise<ExportTable> {
  const d = await teamHouseholds(reads, v, teamId);
  await accessDb(reads).transaction().execute((trx) => teamsRepo.insertAudit(trx, { actorId: v.id, unitId: d.team.unit_id, action: 'household.export', detail: { table: 'team', team: d.team.id } }));
  const rows = d.households.map((h) => [
    h.label,
    h.phone ? formatPhone(h.phone) : '',
    h.consent === 'given' ? 'Đã đồng ý' : 'Chưa hỏi ý kiến',
    ...h.skills.map((s) => SOURCE[String(s.source) as keyof typeof SOURCE]),
    h.meetsTarget ? 'Đạt' : 'Chưa đạt',
    String(h.linked),
  ]);
  return {
    name: d.team.name,
    suffix: 'ho-gia-dinh',
    sheet: 'Hộ gia đình',
    title: `Danh sách hộ gia đình — ${d.team.name}`,
    columns: columnsOf(['Hộ gia đình', 'Số điện thoại', 'Ý kiến của hộ', ...SKILLS.map((s) => SKILL_LABELS[s]), 'Mục tiêu quốc gia', 'Tài khoản liên kết']),
    rows: fromArray(rows),
  };
}
