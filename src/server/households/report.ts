/**
 * The monthly one-page report of a unit (a commune, or any unit): coverage figures and the scorecard
 * for the month, the change from last month (from the monthly snapshots), the top teams and the
 * villages with no visit. Rendered as an A4 PDF (report-pdf.ts) and as XLSX (report-xlsx.ts).
 */
import { SKILLS } from '../../lib/content/schema.ts';
import { SKILL_LABELS } from '../../lib/skills.ts';
import { getScorecard } from '../content/scorecard.ts';
import { accessDb, dataDb, type Reads } from '../db/replica.ts';
import { requireUnitAccess, type Viewer } from '../teams/access.ts';
import { audit } from '../teams/audit.ts';
import * as teamsRepo from '../teams/teams.repository.ts';
import { percent, SKILL_COLUMN, type CounterVector } from './coverage.ts';
import * as repo from './households.repository.ts';
import { buildScorecard, currentMonth, figuresOf, previousMonth, type CriterionView } from './scorecard.ts';
import * as snap from './snapshots.repository.ts';
import { ensureMonthClosed } from './snapshots.ts';

/** One figure of the report: this month, last month (null when unknown) and the change. */
export interface ReportLine {
  label: string;
  value: number | null;
  previous: number | null;
  change: number | null;
  unit?: string;
}

export interface MonthlyReport {
  unit: { id: number; name: string; kind: string };
  trail: string[];
  month: string;
  generatedAt: Date;
  lines: ReportLine[];
  criteria: (CriterionView & { previous: number | null })[];
  topTeams: { name: string; unitName: string; visits: number; households: number; meetingTarget: number }[];
  villagesWithoutVisits: { names: string[]; total: number };
}

const line = (label: string, value: number | null, previous: number | null, unit?: string): ReportLine => ({
  label,
  value,
  previous,
  change: value !== null && previous !== null ? Math.round((value - previous) * 10) / 10 : null,
  unit,
});

/** The report of a unit the viewer manages for a month (YYYY-MM); `villageLimit` caps the list of villages without visits. */
export async function monthlyReport(
  reads: Reads,
  v: Viewer,
  unitId: string | undefined,
  ym = currentMonth(),
  opts: { now?: Date; villageLimit?: number } = {},
): Promise<MonthlyReport> {
  const now = opts.now ?? new Date();
  const primary = accessDb(reads);
  const unit = await requireUnitAccess(primary, v, unitId);
  // Closing a month writes: on the primary. The figures come from the replica when there is one.
  await ensureMonthClosed(primary, now);
  const db = dataDb(reads);
  const prev = previousMonth(ym);
  const scope = { path: unit.path, unitId: unit.id };
  const live = ym === currentMonth(now);
  // Stock figures: live counters for this month, the snapshot for a closed month with households
  // counted by then (else unknown: "—", never a made-up 0).
  const stock = async (m: string): Promise<CounterVector | null> => (await snap.monthKnown(db, `${m}-01`)) ? snap.snapshotVector(db, { path: unit.path }, `${m}-01`) : null;
  const [vector, prevVector, months, trail, real, top, villages] = await Promise.all([
    live ? repo.unitVector(db, unit.path) : stock(ym),
    stock(prev),
    repo.monthly(db, { path: unit.path }, `${prev}-01`),
    teamsRepo.unitsOnPath(db, unit.path),
    snap.realTotalUnder(db, unit.path),
    snap.topTeams(db, unit.path, `${ym}-01`, 5),
    snap.villagesWithoutVisits(db, unit.path, `${ym}-01`, opts.villageLimit ?? 40),
  ]);
  const visits = (m: string) => months.find((x) => x.month === `${m}-01`);
  const figures = await figuresOf(db, scope, ym, vector ?? undefined);
  const prevMembers = await snap.memberSnapshot(db, unit.id, `${prev}-01`);
  const prevFigures = prevVector ? await figuresOf(db, scope, prev, prevVector) : null;
  if (prevFigures && prevMembers) Object.assign(prevFigures, { members: prevMembers.members, withRequired: prevMembers.with_required, allDone: prevMembers.all_done });
  const criteria = buildScorecard(getScorecard().criteria, figures);
  const prevCriteria = prevFigures ? buildScorecard(getScorecard().criteria, prevFigures) : null;
  const g = (x: CounterVector | null, k: keyof CounterVector) => (x ? x[k] : null);
  const lines: ReportLine[] = [
    line('Hộ trong danh sách của các tổ', g(vector, 'households'), g(prevVector, 'households')),
    ...(real.units > 0 ? [line(`Số hộ thực tế theo sổ sách (${real.units} đơn vị đã nhập)`, real.households, null)] : []),
    line('Hộ đã đồng ý tham gia', g(vector, 'consented'), g(prevVector, 'consented')),
    line('Hộ đạt mục tiêu (một người dùng được cả 5 kỹ năng)', g(vector, 'meeting_target'), g(prevVector, 'meeting_target')),
    line('Tỉ lệ hộ đạt mục tiêu', vector ? percent(vector.meeting_target, vector.households) : null, prevVector ? percent(prevVector.meeting_target, prevVector.households) : null, '%'),
    ...(real.units > 0 && vector ? [line('Tỉ lệ hộ đạt mục tiêu so với số hộ thực tế', percent(vector.meeting_target, real.households), null, '%')] : []),
    line('Hộ có đủ 5 kỹ năng (có thể từ nhiều người)', g(vector, 'all_skills'), g(prevVector, 'all_skills')),
    ...SKILLS.map((s) => line(`Hộ dùng được: ${SKILL_LABELS[s]}`, g(vector, SKILL_COLUMN[s]), g(prevVector, SKILL_COLUMN[s]))),
    line('Người dân đã liên kết tài khoản', g(vector, 'linked_citizens'), g(prevVector, 'linked_citizens')),
    line('Lượt hỗ trợ trong tháng', visits(ym)?.visits ?? 0, visits(prev)?.visits ?? 0),
    line('Thành viên đã đi hỗ trợ trong tháng', visits(ym)?.members ?? 0, visits(prev)?.members ?? 0),
  ];
  await primary.transaction().execute((trx) => audit(trx, v, unit.id, 'household.report', { month: ym }));
  return {
    unit: { id: unit.id, name: unit.name, kind: unit.kind },
    trail: trail.map((u) => u.name),
    month: ym,
    generatedAt: now,
    lines,
    criteria: criteria.map((c, i) => ({ ...c, previous: prevCriteria?.[i]?.value ?? null })),
    topTeams: top.map((t) => ({ name: t.name, unitName: t.unit_name, visits: t.visits, households: t.households, meetingTarget: t.meeting_target })),
    villagesWithoutVisits: { names: villages.rows.map((r) => (r.parent_name ? `${r.name} (${r.parent_name})` : r.name)), total: villages.total },
  };
}

/** A number as Vietnamese text (1.234,5). */
export function vn(n: number): string {
  return n.toLocaleString('vi-VN', { maximumFractionDigits: 1 });
}

/** A change as text: +3, −2, 0, or “—” when last month is unknown. */
export function changeText(c: number | null): string {
  if (c === null) return '—';
  return c > 0 ? `+${vn(c)}` : c < 0 ? `−${vn(-c)}` : '0';
}
