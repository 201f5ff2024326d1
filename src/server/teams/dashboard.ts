/**
 * Dashboards for officials and leaders. Unit numbers come from counters (a few primary-key reads at
 * any level); a team's numbers from its own 3–9 member rows. Overdue is decided at read time.
 */
import type { Kysely } from 'kysely';
import type { Edition } from '../../lib/content/schema.ts';
import { EDITION_LABELS } from '../../lib/editions.ts';
import { formatDate } from '../../lib/format.ts';
import { formatPhone } from '../../lib/fields.ts';
import { findEdition, getCatalog } from '../content/catalog.ts';
import type { Database } from '../db/schema.ts';
import { accessDb, dataDb, type Reads } from '../db/replica.ts';
import * as repo from './dashboard.repository.ts';
import { recountStatus, type RecountStatusRow } from './recount-jobs.repository.ts';
import * as teamsRepo from './teams.repository.ts';
import * as inviteRepo from './invitations.repository.ts';
import { requireMemberAccess, requireTeamAccess, requireUnitAccess, TeamsError, type Viewer } from './access.ts';

export type { CourseFilter } from './dashboard.repository.ts';

const VN_OFFSET = 7 * 3600 * 1000; // Asia/Ho_Chi_Minh has no daylight saving time

/**
 * The latest due date that is already overdue at `now`: a course due on D is overdue once it is
 * 23:59 in Vietnam on D and it is not complete.
 */
export function overdueCutoff(now = new Date()): string {
  const vn = new Date(now.getTime() + VN_OFFSET);
  const today = vn.toISOString().slice(0, 10);
  if (vn.getUTCHours() * 60 + vn.getUTCMinutes() >= 23 * 60 + 59) return today;
  return new Date(vn.getTime() - 24 * 3600 * 1000).toISOString().slice(0, 10);
}

/** Whether a course due on `due` and not complete is overdue at `now`. */
export function isOverdue(due: string, completed: boolean, now = new Date()): boolean {
  return !completed && due <= overdueCutoff(now);
}

/** "trinh-duyet-an-toan:member" → a filter, when that course edition exists. */
export function parseCourseFilter(v: string | null | undefined): repo.CourseFilter {
  if (!v) return undefined;
  const [course, edition] = v.split(':');
  if (!course || !edition || !findEdition(course, edition as Edition)) throw new TeamsError(400, 'Bộ lọc khóa học không hợp lệ.');
  return { course, edition };
}

export function courseLabel(slug: string | null, edition: string | null): string {
  if (!slug) return '';
  const c = getCatalog().bySlug.get(slug);
  return `${c?.title ?? slug} (${EDITION_LABELS[edition as Edition] ?? edition})`;
}

/** Course editions offered in the filter and assignment forms. */
export function courseOptions(): { value: string; label: string }[] {
  return getCatalog().courses.flatMap((c) =>
    (Object.keys(c.editions) as Edition[]).map((e) => ({ value: `${c.slug}:${e}`, label: `${c.title} (${EDITION_LABELS[e]})` })),
  );
}

const pct = (n: number, d: number) => (d > 0 ? Math.round((n * 100) / d) : 0);

export interface Row {
  kind: 'unit' | 'team';
  id: number;
  name: string;
  members: number;
  withRequired: number;
  allDone: number;
  assigned: number;
  completed: number;
  overdue: number;
}

function teamRowsFrom(teams: { id: number; name: string }[], rows: repo.MemberCourseRow[], cutoff: string): Row[] {
  return teams.map((t) => {
    const mine = rows.filter((r) => r.team_id === t.id);
    const people = new Map<string, { req: number; done: number }>();
    let assigned = 0;
    let completed = 0;
    let overdue = 0;
    for (const r of mine) {
      const p = people.get(r.user_id) ?? { req: 0, done: 0 };
      people.set(r.user_id, p);
      if (!r.course_slug) continue;
      p.req++;
      assigned++;
      if (r.completed_at) {
        p.done++;
        completed++;
      } else if (r.due_date! <= cutoff) overdue++;
    }
    const withRequired = [...people.values()].filter((p) => p.req > 0);
    return {
      kind: 'team' as const,
      id: t.id,
      name: t.name,
      members: people.size,
      withRequired: withRequired.length,
      allDone: withRequired.filter((p) => p.done === p.req).length,
      assigned,
      completed,
      overdue,
    };
  });
}

/** Week starts (Mondays, Vietnam time) of the last `n` weeks, oldest first. */
export function lastWeeks(n: number, now = new Date()): string[] {
  const vn = new Date(now.getTime() + VN_OFFSET);
  const day = (vn.getUTCDay() + 6) % 7; // Monday = 0
  const monday = Date.UTC(vn.getUTCFullYear(), vn.getUTCMonth(), vn.getUTCDate() - day);
  return Array.from({ length: n }, (_, i) => new Date(monday - (n - 1 - i) * 7 * 24 * 3600 * 1000).toISOString().slice(0, 10));
}

/** The dashboard of a unit the viewer manages (access checked on the primary, numbers from `reads`' replica). */
export async function unitDashboard(reads: Reads, v: Viewer, unitId: string | undefined, filter: repo.CourseFilter, now = new Date()) {
  const unit = await requireUnitAccess(accessDb(reads), v, unitId);
  const db = dataDb(reads);
  const cutoff = overdueCutoff(now);
  const weeks = lastWeeks(12, now);
  const [counter, buckets, children, teams, weekRows, trail, status] = await Promise.all([
    repo.memberCounter(db, unit.id),
    repo.courseBuckets(db, unit.id),
    repo.childRows(db, unit.id, filter, cutoff),
    repo.teamsDirectlyIn(db, unit.id),
    repo.weekly(db, unit.id, filter, weeks[0]!),
    teamsRepo.unitsOnPath(db, unit.path),
    recountStatus(db, unit.path),
  ]);
  const teamRows = teams.length ? teamRowsFrom(teams, await repo.unitTeamRows(db, unit.id, filter), cutoff) : [];
  // People invited from a roster who have not joined (yet): shown apart, counted nowhere.
  const invitations = await inviteRepo.invitationsUnder(db, unit.path, 200);
  const shown = filter ? buckets.filter((b) => b.course_slug === filter.course && b.edition === filter.edition) : buckets;
  const assigned = shown.reduce((s, b) => s + b.assigned, 0);
  const completed = shown.reduce((s, b) => s + b.completed, 0);
  // While a recount is pending, a bucket can briefly hold completions before its assignments: never below 0.
  const overdue = shown.filter((b) => b.due_date <= cutoff).reduce((s, b) => s + Math.max(0, b.assigned - b.completed), 0);
  const courses = new Map<string, { label: string; assigned: number; completed: number; overdue: number; due: string[] }>();
  for (const b of buckets) {
    const key = `${b.course_slug}:${b.edition}`;
    const c = courses.get(key) ?? { label: courseLabel(b.course_slug, b.edition), assigned: 0, completed: 0, overdue: 0, due: [] };
    c.assigned += b.assigned;
    c.completed += b.completed;
    if (b.due_date <= cutoff) c.overdue += Math.max(0, b.assigned - b.completed);
    c.due.push(b.due_date);
    courses.set(key, c);
  }
  const members = counter?.members ?? 0;
  const rows: Row[] = [
    ...children.map((c) => ({
      kind: 'unit' as const,
      id: c.id,
      name: c.name,
      members: c.members,
      withRequired: c.with_required,
      allDone: c.all_done,
      assigned: c.assigned,
      completed: c.completed,
      overdue: c.overdue,
    })),
    ...teamRows,
  ];
  const byWeek = new Map(weekRows.map((w) => [w.week, w.completed]));
  // "Started" is read live, so only where the unit is small enough to count quickly.
  const started = members <= FUNNEL_LIVE_LIMIT ? await repo.startedCount(db, unit.path) : null;
  return {
    funnel: funnel({ members, activated: counter?.activated ?? 0, started, allDone: counter?.all_done ?? 0, withRequired: counter?.with_required ?? 0 }),
    unit,
    trail,
    cutoff,
    members,
    activated: counter?.activated ?? 0,
    withRequired: counter?.with_required ?? 0,
    allDone: counter?.all_done ?? 0,
    allDonePercent: pct(counter?.all_done ?? 0, counter?.with_required ?? 0),
    assigned,
    completed,
    completedPercent: pct(completed, assigned),
    overdue,
    courses: [...courses.entries()].map(([key, c]) => ({ key, ...c, percent: pct(c.completed, c.assigned) })),
    rows,
    invitations,
    weekly: weeks.map((w) => ({ week: w, completed: byWeek.get(w) ?? 0 })),
    /** The overdue list is shown where it is short enough to read; above, drill down. */
    listOverdue: members <= 5000,
    freshness: freshness(status),
  };
}

const hm = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dmParts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit' });
/** 07/12 (Vietnam time). */
const dm = { format: (d: Date) => dmParts.formatToParts(d).filter((p) => p.type === 'day' || p.type === 'month').map((p) => p.value).join('/') };
const num = (n: number) => n.toLocaleString('vi-VN');

/**
 * What the dashboard says about its figures: being recounted (with progress), complete as of the
 * last recount covering the unit, or that a recount failed (an operator runs `npm run db:recount`).
 */
export function freshness(s: RecountStatusRow): { updating: boolean; text: string } | undefined {
  if (s.pending > 0) {
    const progress = s.total && s.pending > s.queued ? `đã xong ${num(s.done)}/${num(s.total)} đơn vị` : 'đang chờ xử lý';
    return { updating: true, text: `Đang cập nhật số liệu (${progress}). Các con số có thể chưa đầy đủ cho đến khi xong; tải lại trang để xem tiến độ.` };
  }
  if (s.failed > 0) return { updating: true, text: 'Lần cập nhật số liệu gần nhất bị lỗi nên các con số có thể chưa đầy đủ. Hãy báo quản trị viên.' };
  if (s.last_done) {
    const at = new Date(s.last_done);
    return { updating: false, text: `Số liệu đầy đủ lúc ${hm.format(at)} ngày ${dm.format(at)}.` };
  }
  return undefined;
}

export type UnitDashboard = Awaited<ReturnType<typeof unitDashboard>>;

/** Units up to this many members count "started learning" live for the funnel; above, drill down. */
export const FUNNEL_LIVE_LIMIT = 5000;

export interface FunnelStep {
  label: string;
  count: number | null;
  /** Share of the people on the list (0–100), or null when not counted here. */
  percent: number | null;
  hint: string;
}

/** The activation funnel: on the list → activated → started learning → finished every required course. */
export function funnel(f: { members: number; activated: number; started: number | null; allDone: number; withRequired: number }): FunnelStep[] {
  const p = (n: number | null) => (n === null ? null : pct(n, f.members));
  return [
    { label: 'Có tên trong danh sách', count: f.members, percent: f.members ? 100 : 0, hint: 'Thành viên đang hoạt động đã được nhập vào các tổ.' },
    { label: 'Đã kích hoạt tài khoản', count: f.activated, percent: p(f.activated), hint: 'Đã dùng mã kích hoạt hoặc đã có tài khoản.' },
    {
      label: 'Đã bắt đầu học',
      count: f.started,
      percent: p(f.started),
      hint: f.started === null ? 'Đơn vị quá lớn để đếm ngay: xem ở từng đơn vị trực thuộc.' : 'Đã học xong ít nhất một bài.',
    },
    { label: 'Hoàn thành mọi khóa bắt buộc', count: f.allDone, percent: p(f.allDone), hint: `Trong ${f.withRequired.toLocaleString('vi-VN')} người có khóa học bắt buộc.` },
  ];
}

/** Today in Vietnam, YYYY-MM-DD. */
export function vnToday(now = new Date()): string {
  return new Date(now.getTime() + VN_OFFSET).toISOString().slice(0, 10);
}

/** Whole days from day `a` to day `b` (YYYY-MM-DD), negative when b is before a. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** "4/7 bài". */
export function lessonsText(done: number, total: number): string {
  return `${done}/${total} bài`;
}

interface MemberExtras {
  lastActive: Map<string, Date>;
  /** People who completed at least one lesson (any course). */
  started: Set<string>;
  lessons(userId: string, course: string, edition: string | null): { lessonsDone: number; lessonsTotal: number };
}

/** Last activity and lessons done per required course, for a page of member rows (two indexed reads). */
export async function memberExtras(db: Kysely<Database>, rows: repo.MemberCourseRow[]): Promise<MemberExtras> {
  const users = [...new Set(rows.map((r) => r.user_id))];
  const courses = [...new Set(rows.flatMap((r) => (r.course_slug ? [r.course_slug] : [])))];
  const [act, done] = await Promise.all([repo.activity(db, users), repo.lessonsDone(db, users, courses)]);
  const lastActive = new Map(act.flatMap((a) => (a.at ? [[a.user_id, new Date(a.at)] as const] : [])));
  const started = new Set(act.filter((a) => a.started).map((a) => a.user_id));
  const byUserCourse = new Map<string, Set<string>>();
  for (const d of done) {
    const k = `${d.user_id}:${d.course_slug}`;
    const set = byUserCourse.get(k) ?? new Set<string>();
    set.add(d.lesson_id);
    byUserCourse.set(k, set);
  }
  return {
    lastActive,
    started,
    lessons(userId, course, edition) {
      const ed = edition ? findEdition(course, edition as Edition)?.ed : undefined;
      if (!ed) return { lessonsDone: 0, lessonsTotal: 0 };
      const mine = byUserCourse.get(`${userId}:${course}`);
      return { lessonsDone: mine ? ed.lessons.filter((l) => mine.has(l.id)).length : 0, lessonsTotal: ed.lessons.length };
    },
  };
}

/** Percent with a Vietnamese label. */
export function percentText(n: number, d: number): string {
  return d > 0 ? `${pct(n, d)}%` : '—';
}

export interface MemberStatus {
  userId: string;
  name: string;
  phone: string;
  role: 'member' | 'leader';
  active: boolean;
  activated: boolean;
  /** Latest activity (a request in a kept session, a lesson done, a final quiz started), if any. */
  lastActive: Date | null;
  /** Completed at least one lesson (any course). */
  started: boolean;
  courses: {
    label: string;
    due: string;
    completedAt: Date | null;
    state: 'done' | 'overdue' | 'pending';
    /** Lessons of this edition done (shared lessons count in each edition) and the edition's total. */
    lessonsDone: number;
    lessonsTotal: number;
    /** Whole days past the due date while overdue (0 otherwise). */
    daysOverdue: number;
  }[];
}

function groupMembers(rows: repo.MemberCourseRow[], cutoff: string, extras: MemberExtras, today: string): MemberStatus[] {
  const out = new Map<string, MemberStatus>();
  for (const r of rows) {
    let m = out.get(r.user_id);
    if (!m) {
      m = { userId: r.user_id, name: r.display_name, phone: r.phone, role: r.role, active: r.active, activated: r.activated, lastActive: null, started: false, courses: [] };
      out.set(r.user_id, m);
    }
    if (r.course_slug && r.due_date) {
      const done = Boolean(r.completed_at);
      m.courses.push({
        label: courseLabel(r.course_slug, r.edition),
        due: r.due_date,
        completedAt: r.completed_at ? new Date(r.completed_at) : null,
        state: done ? 'done' : r.due_date <= cutoff ? 'overdue' : 'pending',
        ...extras.lessons(r.user_id, r.course_slug, r.edition),
        daysOverdue: !done && r.due_date <= cutoff ? Math.max(1, daysBetween(r.due_date, today)) : 0,
      });
    }
  }
  for (const m of out.values()) {
    m.lastActive = extras.lastActive.get(m.userId) ?? null;
    m.started = extras.started.has(m.userId);
  }
  return [...out.values()];
}

/** A team's dashboard: each member and each required course. */
export async function teamDashboard(reads: Reads, v: Viewer, teamId: string | undefined, filter: repo.CourseFilter, now = new Date()) {
  const team = await requireTeamAccess(accessDb(reads), v, teamId);
  const db = dataDb(reads);
  const cutoff = overdueCutoff(now);
  const rows = await repo.teamMemberRows(db, team.id, filter);
  const members = groupMembers(rows, cutoff, await memberExtras(db, rows), vnToday(now));
  const active = members.filter((m) => m.active);
  const withReq = active.filter((m) => m.courses.length > 0);
  return {
    funnel: funnel({
      members: active.length,
      activated: active.filter((m) => m.activated).length,
      started: active.filter((m) => m.started).length,
      allDone: withReq.filter((m) => m.courses.every((c) => c.state === 'done')).length,
      withRequired: withReq.length,
    }),
    team,
    invitations: team.manage ? await inviteRepo.invitationsOfTeam(db, team.id) : [],
    trail: await teamsRepo.unitsOnPath(db, team.unit_path),
    cutoff,
    members,
    activeCount: active.length,
    allDone: withReq.filter((m) => m.courses.every((c) => c.state === 'done')).length,
    withRequired: withReq.length,
    overdue: active.reduce((s, m) => s + m.courses.filter((c) => c.state === 'overdue').length, 0),
  };
}

/** One member: each required course with its status and date. */
export async function memberDetail(db: Kysely<Database>, v: Viewer, userId: string | undefined, now = new Date()) {
  const { membership, team, user } = await requireMemberAccess(db, v, userId);
  const reqs = await teamsRepo.requirementsOf(db, user.id, membership.unit_path);
  const cutoff = overdueCutoff(now);
  return {
    user: { id: user.id, name: user.display_name, phone: user.phone, activated: user.password_hash !== null },
    membership,
    team,
    courses: reqs.map((r) => ({
      label: courseLabel(r.course_slug, r.edition),
      due: r.due_date,
      completedAt: r.completed_at ? new Date(r.completed_at) : null,
      state: r.completed_at ? ('done' as const) : r.due_date <= cutoff ? ('overdue' as const) : ('pending' as const),
    })),
  };
}

/** The overdue list of a unit (first `limit` rows). */
export async function overdueList(reads: Reads, unit: teamsRepo.UnitRow, filter: repo.CourseFilter, limit = 100, now = new Date()) {
  const rows = await repo.overdueRows(dataDb(reads), unit.path, filter, overdueCutoff(now), limit);
  return rows.map((r) => ({ ...r, label: courseLabel(r.course_slug, r.edition) }));
}

/** How long members are told that a due date changed. */
const DUE_CHANGE_SHOWN_DAYS = 30;

/**
 * A member's own required courses (home page). `previousDue` is set when the due date was changed in
 * the last 30 days and the course is not complete yet.
 */
export async function myRequiredCourses(db: Kysely<Database>, userId: string, now = new Date()) {
  const m = await teamsRepo.findMembership(db, userId);
  if (!m || !m.active) return [];
  const cutoff = overdueCutoff(now);
  const today = vnToday(now);
  const since = new Date(now.getTime() - DUE_CHANGE_SHOWN_DAYS * 24 * 3600 * 1000);
  return (await teamsRepo.requirementsOf(db, userId, m.unit_path, since)).map((r) => ({
    previousDue: !r.completed_at && r.previous_due_date !== r.due_date ? r.previous_due_date : undefined,
    course: r.course_slug,
    edition: r.edition as Edition,
    label: courseLabel(r.course_slug, r.edition),
    due: r.due_date,
    done: Boolean(r.completed_at),
    overdue: !r.completed_at && r.due_date <= cutoff,
    /** Days from today (Vietnam) to the due date: 0 on the day, negative once past. */
    daysLeft: daysBetween(today, r.due_date),
  }));
}

export const STATE_LABELS = { done: 'Đã hoàn thành', overdue: 'Quá hạn', pending: 'Chưa xong' } as const;

/** dd/mm/yyyy of a YYYY-MM-DD date. */
export function formatDay(d: string): string {
  return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
}

/** Completions per week as an accessible SVG bar chart, rendered on the server. */
export function weeklyChartSvg(weeks: { week: string; completed: number }[]): string {
  const w = 600;
  const h = 220;
  const pad = { l: 36, r: 8, t: 16, b: 40 };
  const max = Math.max(1, ...weeks.map((x) => x.completed));
  const bw = (w - pad.l - pad.r) / weeks.length;
  const total = weeks.reduce((s, x) => s + x.completed, 0);
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const label = `Số khóa học bắt buộc hoàn thành mỗi tuần, ${weeks.length} tuần gần nhất: tổng ${total}. ` + weeks.map((x) => `tuần ${formatDay(x.week)}: ${x.completed}`).join('; ');
  const bars = weeks
    .map((x, i) => {
      const bh = ((h - pad.t - pad.b) * x.completed) / max;
      const xx = pad.l + i * bw + 3;
      const y = h - pad.b - bh;
      const tick = i % 2 === 0 ? `<text x="${xx + (bw - 6) / 2}" y="${h - pad.b + 16}" font-size="12" text-anchor="middle">${formatDay(x.week).slice(0, 5)}</text>` : '';
      const val = x.completed ? `<text x="${xx + (bw - 6) / 2}" y="${y - 3}" font-size="12" text-anchor="middle">${x.completed}</text>` : '';
      return `<rect x="${xx}" y="${y}" width="${Math.max(1, bw - 6)}" height="${bh}" fill="#0b5c8c"/>${val}${tick}`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(label)}" width="100%"><line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="#4a5560"/><text x="${pad.l - 6}" y="${pad.t + 4}" font-size="12" text-anchor="end">${max}</text><text x="${pad.l - 6}" y="${h - pad.b}" font-size="12" text-anchor="end">0</text>${bars}</svg>`;
}

export { formatDate, formatPhone };

/** At most this many overdue rows on the printable list; above, print a smaller unit. */
export const PRINT_LIMIT = 5000;

/** The overdue list of a unit grouped by team, for printing one A4 page per team at a meeting. */
export async function overdueByTeam(db: Kysely<Database>, v: Viewer, unitId: string | undefined, now = new Date()) {
  const unit = await requireUnitAccess(db, v, unitId);
  const cutoff = overdueCutoff(now);
  const today = vnToday(now);
  const rows = await repo.overdueRows(db, unit.path, undefined, cutoff, PRINT_LIMIT + 1);
  const teams = new Map<number, { id: number; name: string; unitName: string; rows: { name: string; phone: string; course: string; due: string; days: number }[] }>();
  for (const r of rows.slice(0, PRINT_LIMIT)) {
    const t = teams.get(r.team_id) ?? { id: r.team_id, name: r.team_name, unitName: r.unit_name, rows: [] };
    teams.set(r.team_id, t);
    t.rows.push({ name: r.display_name, phone: r.phone, course: courseLabel(r.course_slug, r.edition), due: r.due_date!, days: Math.max(1, daysBetween(r.due_date!, today)) });
  }
  return { unit, now, teams: [...teams.values()], truncated: rows.length > PRINT_LIMIT };
}
