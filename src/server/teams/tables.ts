/** The dashboard tables as export tables (CSV/XLSX), streamed page by page for large units. */
import type { Kysely } from 'kysely';
import { formatPhone } from '../../lib/fields.ts';
import type { Database } from '../db/schema.ts';
import { accessDb, dataDb, type Reads } from '../db/replica.ts';
import * as repo from './dashboard.repository.ts';
import { courseLabel, daysBetween, memberExtras, overdueCutoff, STATE_LABELS, teamDashboard, unitDashboard, vnToday, type CourseFilter } from './dashboard.ts';
import { vnDay, type ExportCell, type ExportColumn, type ExportTable } from './export.ts';
import { requireUnitAccess, TeamsError, type Viewer } from './access.ts';

const PAGE = 2000;

function stateOf(r: repo.MemberCourseRow, cutoff: string): string {
  if (!r.course_slug) return '';
  return r.completed_at ? STATE_LABELS.done : r.due_date! <= cutoff ? STATE_LABELS.overdue : STATE_LABELS.pending;
}

/**
 * Columns of the member tables. Lessons are two number columns, not "4/7": Excel reads 4/7 as a date.
 * Dates are calendar days in Vietnam time.
 */
export const MEMBER_COLUMNS: ExportColumn[] = [
  { header: 'Thôn, tổ dân phố', width: 26 },
  { header: 'Tổ', width: 24 },
  { header: 'Họ và tên', width: 26 },
  { header: 'Số điện thoại', width: 15 },
  { header: 'Vai trò', width: 12 },
  { header: 'Khóa học bắt buộc', width: 40 },
  { header: 'Hạn hoàn thành', width: 14, type: 'date' },
  { header: 'Trạng thái', width: 15 },
  { header: 'Số ngày quá hạn', width: 10, type: 'number' },
  { header: 'Số bài đã học', width: 10, type: 'number' },
  { header: 'Tổng số bài', width: 10, type: 'number' },
  { header: 'Ngày hoàn thành', width: 14, type: 'date' },
  { header: 'Hoạt động gần nhất', width: 14, type: 'date' },
];

type Extras = Awaited<ReturnType<typeof memberExtras>>;

function memberCells(r: repo.MemberCourseRow, cutoff: string, today: string, x: Extras): ExportCell[] {
  const overdue = Boolean(r.course_slug && !r.completed_at && r.due_date! <= cutoff);
  const lessons = r.course_slug ? x.lessons(r.user_id, r.course_slug, r.edition) : undefined;
  const last = x.lastActive.get(r.user_id);
  return [
    r.unit_name,
    r.team_name,
    r.display_name,
    formatPhone(r.phone),
    r.role === 'leader' ? 'Tổ trưởng' : 'Thành viên',
    courseLabel(r.course_slug, r.edition),
    r.due_date ?? null,
    stateOf(r, cutoff),
    overdue ? Math.max(1, daysBetween(r.due_date!, today)) : null,
    lessons ? lessons.lessonsDone : null,
    lessons ? lessons.lessonsTotal : null,
    r.completed_at ? vnDay(new Date(r.completed_at)) : null,
    last ? vnDay(last) : null,
  ];
}

/** Rows of a page of member rows, with their activity and lessons read in two queries. */
async function* cellsOf(db: Kysely<Database>, rows: repo.MemberCourseRow[], cutoff: string, today: string): AsyncIterable<ExportCell[]> {
  if (rows.length === 0) return;
  const x = await memberExtras(db, rows);
  for (const r of rows) yield memberCells(r, cutoff, today, x);
}

const TABLE_TITLES = { 'don-vi': 'Tổng hợp theo đơn vị và tổ', 'qua-han': 'Danh sách quá hạn', 'thanh-vien': 'Danh sách thành viên' } as const;
const SHEETS = { 'don-vi': 'Tổng hợp', 'qua-han': 'Quá hạn', 'thanh-vien': 'Thành viên' } as const;

function filterLine(filter: CourseFilter): string | undefined {
  return filter ? `Khóa học: ${courseLabel(filter.course, filter.edition)}` : undefined;
}

/** Export tables of a unit: `don-vi` (child units and teams), `qua-han` (overdue), `thanh-vien` (everyone). */
export async function unitTable(reads: Reads, v: Viewer, unitId: string | undefined, which: string | null, filter: CourseFilter, now = new Date()): Promise<ExportTable> {
  const unit = await requireUnitAccess(accessDb(reads), v, unitId);
  const db = dataDb(reads);
  const cutoff = overdueCutoff(now);
  const today = vnToday(now);
  const key = which ?? 'don-vi';
  if (key !== 'don-vi' && key !== 'qua-han' && key !== 'thanh-vien') throw new TeamsError(400, 'Bảng cần xuất không hợp lệ.');
  const base = { name: unit.name, suffix: key === 'don-vi' ? 'tong-hop' : key, sheet: SHEETS[key], title: `${TABLE_TITLES[key]} — ${unit.name}`, subtitle: filterLine(filter) };
  if (key === 'don-vi') {
    const d = await unitDashboard(reads, v, String(unit.id), filter, now);
    return {
      ...base,
      columns: [
        { header: 'Đơn vị hoặc tổ', width: 32 },
        { header: 'Loại', width: 9 },
        { header: 'Thành viên', width: 11, type: 'number' },
        { header: 'Có khóa bắt buộc', width: 11, type: 'number' },
        { header: 'Xong tất cả', width: 11, type: 'number' },
        { header: 'Tỉ lệ xong tất cả', width: 11, type: 'percent' },
        { header: 'Lượt khóa học đã giao', width: 12, type: 'number' },
        { header: 'Lượt đã hoàn thành', width: 12, type: 'number' },
        { header: 'Lượt quá hạn', width: 11, type: 'number' },
      ],
      rows: (async function* () {
        for (const r of d.rows) {
          yield [r.name, r.kind === 'team' ? 'Tổ' : 'Đơn vị', r.members, r.withRequired, r.allDone, r.withRequired ? r.allDone / r.withRequired : null, r.assigned, r.completed, r.overdue];
        }
      })(),
    };
  }
  const overdue = key === 'qua-han';
  return {
    ...base,
    columns: MEMBER_COLUMNS,
    rows: (async function* () {
      let after: { path: string; userId: string } | undefined;
      for (;;) {
        if (overdue) {
          const rows = await repo.overdueRows(db, unit.path, filter, cutoff, PAGE, after);
          if (rows.length < PAGE) {
            yield* cellsOf(db, rows, cutoff, today);
            return;
          }
          // A full page may cut the last member's rows: hold that member back for the next page.
          const lastUser = rows.at(-1)!.user_id;
          const keep = rows.filter((r) => r.user_id !== lastUser);
          yield* cellsOf(db, keep, cutoff, today);
          const prev = keep.at(-1)!;
          after = { path: prev.unit_path, userId: prev.user_id };
        } else {
          const page = await repo.memberPage(db, unit.path, filter, PAGE, after);
          yield* cellsOf(db, page.rows, cutoff, today);
          if (!page.last) return;
          after = page.last;
        }
      }
    })(),
  };
}

/** Export table of one team: each member and required course. */
export async function teamTable(reads: Reads, v: Viewer, teamId: string | undefined, filter: CourseFilter, now = new Date()): Promise<ExportTable> {
  const d = await teamDashboard(reads, v, teamId, filter, now);
  const db = dataDb(reads);
  const rows = (await repo.teamMemberRows(db, d.team.id, filter)).filter((r) => r.active);
  return {
    name: d.team.name,
    sheet: 'Thành viên',
    title: `Danh sách thành viên — ${d.team.name} (${d.team.unit_name})`,
    subtitle: filterLine(filter),
    columns: MEMBER_COLUMNS,
    rows: cellsOf(db, rows, d.cutoff, vnToday(now)),
  };
}
