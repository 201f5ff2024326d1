/**
 * Officials' coverage dashboards: for a unit at any depth, its own totals and one row per child unit
 * and per team attached to it, all read from the team counters (never from raw households or visits);
 * visits per month over the last 12 months as a server-rendered SVG chart; a team's household list.
 */
import type { Kysely } from 'kysely';
import { SKILLS } from '../../lib/content/schema.ts';
import { SKILL_LABELS } from '../../lib/skills.ts';
import type { Database } from '../db/schema.ts';
import { accessDb, dataDb, type Reads } from '../db/replica.ts';
import { requireUnitAccess, type Viewer } from '../teams/access.ts';
import * as teamsRepo from '../teams/teams.repository.ts';
import { percent, SKILL_COLUMN, type CounterVector } from './coverage.ts';
import { todayVn } from './fields.ts';
import { requireHouseholdTeam } from './access.ts';
import { teamHouseholdListPage, type HouseholdListQuery } from './households.ts';
import * as repo from './households.repository.ts';
import { realTotals } from './real-totals.ts';

/** First days of the last `n` months (Vietnam dates), oldest first. */
export function lastMonths(n: number, now = new Date()): string[] {
  const [y, m] = todayVn(now).split('-').map(Number) as [number, number];
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - (n - 1 - i), 1));
    return d.toISOString().slice(0, 10);
  });
}

export interface CoverageRow extends CounterVector {
  kind: 'unit' | 'team';
  id: number;
  name: string;
}

/** Per-skill coverage of a vector, for display. */
export function skillCoverage(v: CounterVector) {
  return SKILLS.map((s) => ({ skill: s, label: SKILL_LABELS[s], covered: v[SKILL_COLUMN[s]], percent: percent(v[SKILL_COLUMN[s]], v.households) }));
}

async function activity(db: Kysely<Database>, scope: { path: string } | { teamId: number }, now: Date) {
  const months = lastMonths(12, now);
  const { months: rows, activeMembers } = await repo.monthlyActivity(db, scope, months[0]!);
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  const series = months.map((m) => ({ month: m, visits: byMonth.get(m)?.visits ?? 0, anonymous: byMonth.get(m)?.anonymous ?? 0, members: byMonth.get(m)?.members ?? 0 }));
  const thisMonth = series.at(-1)!;
  return {
    series,
    visitsThisMonth: thisMonth.visits,
    visitsYear: series.reduce((s, x) => s + x.visits, 0),
    membersThisMonth: thisMonth.members,
    membersYear: activeMembers,
  };
}

/**
 * The coverage dashboard of a unit the viewer manages. With a primary/replica pair (`reportReads`),
 * access is checked on the primary and the figures are read from the replica.
 */
export async function coverageDashboard(reads: Reads, v: Viewer, unitId: string | undefined, now = new Date()) {
  const unit = await requireUnitAccess(accessDb(reads), v, unitId);
  const db = dataDb(reads);
  const [{ total: totals, children }, teams, trail, act, real, removals] = await Promise.all([
    repo.unitAndChildVectors(db, unit),
    repo.teamVectors(db, unit.id),
    teamsRepo.unitsOnPath(db, unit.path),
    activity(db, { path: unit.path }, now),
    realTotals(db, unit),
    repo.pendingRemovals(db, unit.path),
  ]);
  const rows: CoverageRow[] = [
    ...children.map(({ kind: _k, ...c }) => ({ ...c, kind: 'unit' as const })),
    ...teams.map((t) => ({ ...t, kind: 'team' as const })),
  ];
  const waiting = (d: Date) => Math.max(0, Math.floor((now.getTime() - d.getTime()) / 86_400_000));
  const pendingRemovals = { ...removals, oldestDays: removals.oldest ? waiting(removals.oldest) : null, teams: removals.teams.map((t) => ({ ...t, days: waiting(t.oldest) })) };
  return { unit, trail, totals, skills: skillCoverage(totals), targetPercent: percent(totals.meeting_target, totals.households), rows, real, pendingRemovals, ...act };
}

/**
 * A team's coverage and one page of its households with their skills, for officials (drill-down) and
 * the team itself. The totals come from the team's counter row; only the page's households are read.
 */
export async function teamCoverage(reads: Reads, v: Viewer, teamId: string | number, list: HouseholdListQuery = { query: '', page: 1 }, now = new Date()) {
  const team = await requireHouseholdTeam(accessDb(reads), v, teamId);
  const db = dataDb(reads);
  const totalsRead = repo.teamVector(db, team.id);
  const [totals, trail, act, households] = await Promise.all([
    totalsRead,
    teamsRepo.unitsOnPath(db, team.unit_path),
    activity(db, { teamId: team.id }, now),
    teamHouseholdListPage(db, team.id, totalsRead.then((t) => t.households), list),
  ]);
  return { team, list: households, totals, skills: skillCoverage(totals), targetPercent: percent(totals.meeting_target, totals.households), trail, ...act };
}

/** mm/yyyy of a month's first day. */
export function formatMonth(m: string): string {
  return `${m.slice(5, 7)}/${m.slice(0, 4)}`;
}

/** Visits per month as an accessible SVG bar chart, rendered on the server (no client library). */
export function monthlyChartSvg(series: { month: string; visits: number }[]): string {
  const w = 600;
  const h = 220;
  const pad = { l: 36, r: 8, t: 16, b: 40 };
  const max = Math.max(1, ...series.map((x) => x.visits));
  const bw = (w - pad.l - pad.r) / series.length;
  const total = series.reduce((s, x) => s + x.visits, 0);
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const label = `Số lượt hỗ trợ mỗi tháng, ${series.length} tháng gần nhất: tổng ${total}. ` + series.map((x) => `tháng ${formatMonth(x.month)}: ${x.visits}`).join('; ');
  const bars = series
    .map((x, i) => {
      const bh = ((h - pad.t - pad.b) * x.visits) / max;
      const xx = pad.l + i * bw + 3;
      const y = h - pad.b - bh;
      const tick = i % 2 === 0 ? `<text x="${xx + (bw - 6) / 2}" y="${h - pad.b + 16}" font-size="12" text-anchor="middle">${formatMonth(x.month).slice(0, 2)}/${x.month.slice(2, 4)}</text>` : '';
      const val = x.visits ? `<text x="${xx + (bw - 6) / 2}" y="${y - 3}" font-size="12" text-anchor="middle">${x.visits}</text>` : '';
      return `<rect x="${xx}" y="${y}" width="${Math.max(1, bw - 6)}" height="${bh}" fill="#0b5c8c"/>${val}${tick}`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(label)}" width="100%"><line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="#4a5560"/><text x="${pad.l - 6}" y="${pad.t + 4}" font-size="12" text-anchor="end">${max}</text><text x="${pad.l - 6}" y="${h - pad.b}" font-size="12" text-anchor="end">0</text>${bars}</svg>`;
}
