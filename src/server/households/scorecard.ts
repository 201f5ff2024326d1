/**
 * The team-effectiveness scorecard: the criteria of content/scorecard.yaml, each computed by a named
 * metric from a fixed set, and shown with its value, its formula and the data behind it. There is no
 * single overall score.
 */
import type { Kysely } from 'kysely';
import type { Criterion, Metric } from '../../lib/content/scorecard-schema.ts';
import { getScorecard } from '../content/scorecard.ts';
import type { Database } from '../db/schema.ts';
import { accessDb, dataDb, type Reads } from '../db/replica.ts';
import { requireUnitAccess, type Viewer } from '../teams/access.ts';
import { requireHouseholdTeam } from './access.ts';
import type { CounterVector } from './coverage.ts';
import { todayVn } from './fields.ts';
import * as repo from './households.repository.ts';
import * as sc from './scorecard.repository.ts';

/** The raw figures every metric is computed from, for one scope and month. */
export interface Figures {
  members: number;
  withRequired: number;
  allDone: number;
  visits: number;
  households: number;
  meetingTarget: number;
  attendance: number;
  questions: number;
}

export interface CriterionView {
  metric: Metric;
  label: string;
  explanation: string;
  target: number | null;
  unit: '%' | 'lượt/người' | 'câu hỏi';
  /** The value, or null when there is nothing to divide by. */
  value: number | null;
  formula: string;
  data: { label: string; value: number }[];
  /** Whether the target is reached (null: no target, or no value). */
  met: boolean | null;
}

const share = (n: number, d: number) => (d > 0 ? Math.round((n * 1000) / d) / 10 : null);
const ratio = (n: number, d: number) => (d > 0 ? Math.round((n * 10) / d) / 10 : null);

/** The fixed set of metrics: how each is computed from the figures, and its formula in words. */
export const METRIC_DEFINITIONS: Record<Metric, { unit: CriterionView['unit']; formula: string; compute: (f: Figures) => { value: number | null; data: CriterionView['data'] } }> = {
  'required-courses-done': {
    unit: '%',
    formula: 'Số thành viên đã hoàn thành mọi khóa học bắt buộc ÷ số thành viên được giao khóa học bắt buộc × 100',
    compute: (f) => ({ value: share(f.allDone, f.withRequired), data: [{ label: 'Đã hoàn thành mọi khóa bắt buộc', value: f.allDone }, { label: 'Được giao khóa bắt buộc', value: f.withRequired }] }),
  },
  'visits-per-active-member': {
    unit: 'lượt/người',
    formula: 'Số lượt hỗ trợ trong tháng ÷ số thành viên đang hoạt động của tổ',
    compute: (f) => ({ value: ratio(f.visits, f.members), data: [{ label: 'Lượt hỗ trợ trong tháng', value: f.visits }, { label: 'Thành viên đang hoạt động', value: f.members }] }),
  },
  'households-meeting-target': {
    unit: '%',
    formula: 'Số hộ có một người dùng được cả 5 kỹ năng ÷ số hộ trong danh sách × 100',
    compute: (f) => ({ value: share(f.meetingTarget, f.households), data: [{ label: 'Hộ đạt mục tiêu', value: f.meetingTarget }, { label: 'Hộ trong danh sách', value: f.households }] }),
  },
  'session-attendance': {
    unit: '%',
    formula: 'Số thành viên điểm danh buổi sinh hoạt chuyên đề của tháng ÷ số thành viên đang hoạt động × 100',
    compute: (f) => ({ value: share(f.attendance, f.members), data: [{ label: 'Thành viên đã điểm danh', value: f.attendance }, { label: 'Thành viên đang hoạt động', value: f.members }] }),
  },
  'questions-asked': {
    unit: 'câu hỏi',
    formula: 'Số câu hỏi thành viên gửi cho buổi sinh hoạt chuyên đề của tháng',
    compute: (f) => ({ value: f.questions, data: [{ label: 'Câu hỏi đã gửi', value: f.questions }, { label: 'Thành viên đang hoạt động', value: f.members }] }),
  },
};

/** The scorecard of some figures under the given criteria (pure). */
export function buildScorecard(criteria: readonly Criterion[], f: Figures): CriterionView[] {
  return criteria.map((c) => {
    const def = METRIC_DEFINITIONS[c.metric];
    const { value, data } = def.compute(f);
    const target = c.target ?? null;
    return { metric: c.metric, label: c.label, explanation: c.explanation, target, unit: def.unit, value, formula: def.formula, data, met: target === null || value === null ? null : value >= target };
  });
}

/** The current month in Vietnam, YYYY-MM. */
export function currentMonth(now = new Date()): string {
  return todayVn(now).slice(0, 7);
}

/** The month before a YYYY-MM month. */
export function previousMonth(ym: string): string {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
}

/** The figures of a scope in a month (YYYY-MM); `vector` overrides the live household counters (snapshots). */
export async function figuresOf(db: Kysely<Database>, scope: sc.Scope, ym: string, vector?: CounterVector): Promise<Figures> {
  const [m, visits, attendance, questions, v] = await Promise.all([
    sc.memberFigures(db, scope),
    sc.visitsInMonth(db, scope, `${ym}-01`),
    sc.attendanceInMonth(db, scope, ym),
    sc.questionsInMonth(db, scope, ym),
    vector ? Promise.resolve(vector) : 'teamId' in scope ? repo.teamVector(db, scope.teamId) : repo.unitVector(db, scope.path),
  ]);
  return { members: m.members, withRequired: m.with_required, allDone: m.all_done, visits, households: v.households, meetingTarget: v.meeting_target, attendance, questions };
}

/** The scorecard of a unit the viewer manages, for a month (default: this month). */
export async function unitScorecard(reads: Reads, v: Viewer, unitId: string | undefined, ym = currentMonth()) {
  const unit = await requireUnitAccess(accessDb(reads), v, unitId);
  const figures = await figuresOf(dataDb(reads), { path: unit.path, unitId: unit.id }, ym);
  return { unit, month: ym, figures, criteria: buildScorecard(getScorecard().criteria, figures) };
}

/** The scorecard of a team (its members, and the officials over it), for a month. */
export async function teamScorecard(reads: Reads, v: Viewer, teamId: string | number, ym = currentMonth()) {
  const team = await requireHouseholdTeam(accessDb(reads), v, teamId);
  const figures = await figuresOf(dataDb(reads), { teamId: team.id }, ym);
  return { team, month: ym, figures, criteria: buildScorecard(getScorecard().criteria, figures) };
}
