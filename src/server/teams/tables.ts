/** The dashboard tables as export tables (CSV/XLSX), streamed page by page for large units. */
import { formatDate } from '../../lib/format.ts';
import { formatPhone } from '../../lib/fields.ts';
import { accessDb, dataDb, type Reads } from '../db/replica.ts';
import * as repo from './dashboard.repository.ts';
import { courseLabel, formatDay, overdueCutoff, percentText, STATE_LABELS, teamDashboard, unitDashboard, type CourseFilter } from './dashboard.ts';
import type { ExportTable } from './export.ts';
import { requireUnitAccess, TeamsError, type Viewer } from './access.ts';

const PAGE = 2000;

function stateOf(r: repo.MemberCourseRow, cutoff: string): string {
  if (!r.course_slug) return '';
  return r.completed_at ? STATE_LABELS.done : r.due_date! <= cutoff ? STATE_LABELS.overdue : STATE_LABELS.pending;
}

function memberCells(r: repo.MemberCourseRow, cutoff: string): string[] {
  return [
    r.unit_name,
    r.team_name,
    r.display_name,
    formatPhone(r.phone),
    r.role === 'leader' ? 'Tổ trưởng' : 'Thành viên',
    courseLabel(r.course_slug, r.edition),
    r.due_date ? formatDay(r.due_date) : '',
    stateOf(r, cutoff),
    r.completed_at ? formatDate(r.completed_at) : '',
  ];
}

const MEMBER_HEADERS = ['Thôn, tổ dân phố', 'Tổ', 'Họ và tên', 'Số điện thoại', 'Vai trò', 'Khóa học bắt buộc', 'Hạn hoàn thành', 'Trạng thái', 'Ngày hoàn thành'];

/** Export tables of a unit: `don-vi` (child units and teams), `qua-han` (overdue), `thanh-vien` (everyone). */
export async function unitTable(reads: Reads, v: Viewer, unitId: string | undefined, which: string | null, filter: CourseFilter): Promise<ExportTable> {
  const unit = await requireUnitAccess(accessDb(reads), v, unitId);
  const db = dataDb(reads);
  const cutoff = overdueCutoff();
  const slug = `don-vi-${unit.stat_code ?? unit.id}`;
  if (which === 'don-vi' || !which) {
    const d = await unitDashboard(reads, v, String(unit.id), filter);
    return {
      name: `${slug}-tong-hop`,
      headers: ['Đơn vị hoặc tổ', 'Loại', 'Thành viên', 'Có khóa bắt buộc', 'Xong tất cả', 'Tỉ lệ xong tất cả', 'Lượt khóa học đã giao', 'Lượt đã hoàn thành', 'Lượt quá hạn'],
      rows: (async function* () {
        for (const r of d.rows) {
          yield [r.name, r.kind === 'team' ? 'Tổ' : 'Đơn vị', String(r.members), String(r.withRequired), String(r.allDone), percentText(r.allDone, r.withRequired), String(r.assigned), String(r.completed), String(r.overdue)];
        }
      })(),
    };
  }
  if (which === 'qua-han' || which === 'thanh-vien') {
    const overdue = which === 'qua-han';
    return {
      name: `${slug}-${which}`,
      headers: MEMBER_HEADERS,
      rows: (async function* () {
        let after: { path: string; userId: string } | undefined;
        for (;;) {
          if (overdue) {
            const rows = await repo.overdueRows(db, unit.path, filter, cutoff, PAGE, after);
            if (rows.length < PAGE) {
              for (const r of rows) yield memberCells(r, cutoff);
              return;
            }
            // A full page may cut the last member's rows: hold that member back for the next page.
            const lastUser = rows.at(-1)!.user_id;
            const keep = rows.filter((r) => r.user_id !== lastUser);
            for (const r of keep) yield memberCells(r, cutoff);
            const prev = keep.at(-1)!;
            after = { path: prev.unit_path, userId: prev.user_id };
          } else {
            const page = await repo.memberPage(db, unit.path, filter, PAGE, after);
            for (const r of page.rows) yield memberCells(r, cutoff);
            if (!page.last) return;
            after = page.last;
          }
        }
      })(),
    };
  }
  throw new TeamsError(400, 'Bảng cần xuất không hợp lệ.');
}

/** Export table of one team: each member and required course. */
export async function teamTable(reads: Reads, v: Viewer, teamId: string | undefined, filter: CourseFilter): Promise<ExportTable> {
  const d = await teamDashboard(reads, v, teamId, filter);
  const rows = await repo.teamMemberRows(dataDb(reads), d.team.id, filter);
  return {
    name: `to-${d.team.id}`,
    headers: MEMBER_HEADERS,
    rows: (async function* () {
      for (const r of rows) if (r.active) yield memberCells(r, d.cutoff);
    })(),
  };
}
