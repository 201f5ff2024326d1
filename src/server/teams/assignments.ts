/** Required courses: an official assigns a course edition with a due date to a unit. */
import type { Kysely } from 'kysely';
import { z } from 'astro/zod';
import type { Edition } from '../../lib/content/schema.ts';
import { findEdition } from '../content/catalog.ts';
import type { Database } from '../db/schema.ts';
import { recountEnqueuer } from './recount-jobs.ts';
import { requireUnitAccess, TeamsError, type Viewer } from './access.ts';
import { audit } from './audit.ts';
import * as repo from './teams.repository.ts';

/** A due date typed as YYYY-MM-DD (what <input type="date"> sends), within a sane range. */
export const DueDateSchema = z
  .string({ error: 'Vui lòng chọn hạn hoàn thành.' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Hạn hoàn thành cần có dạng ngày/tháng/năm hợp lệ.')
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v && v >= '2020-01-01' && v <= '2100-12-31';
  }, 'Ngày này không tồn tại hoặc nằm ngoài khoảng cho phép.');

const VN_OFFSET = 7 * 3600 * 1000; // Asia/Ho_Chi_Minh: UTC+7, no daylight saving time

/** Today's date in Vietnam (YYYY-MM-DD). */
export function vietnamToday(now = new Date()): string {
  return new Date(now.getTime() + VN_OFFSET).toISOString().slice(0, 10);
}

const dmy = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;

/**
 * Assigns a course edition with a due date to a unit; every active member below must complete it.
 * The date must be today or later in Vietnam: a date in the past would make everyone overdue at
 * once. Assigning a course already assigned to the unit changes its due date: the change is
 * audit-logged and the members see “Hạn hoàn thành đã đổi từ … sang …” for 30 days.
 */
export async function assignCourse(
  db: Kysely<Database>,
  v: Viewer,
  unitId: string | undefined,
  input: { course: string | undefined; edition: string | undefined; due: string | undefined },
  now = new Date(),
): Promise<'assigned' | 'changed' | 'unchanged'> {
  const unit = await requireUnitAccess(db, v, unitId);
  const found = input.course && input.edition ? findEdition(input.course, input.edition as Edition) : undefined;
  if (!found) throw new TeamsError(400, 'Khóa học hoặc phiên bản đã chọn không có trong danh mục.');
  const due = DueDateSchema.safeParse(input.due);
  if (!due.success) throw new TeamsError(400, due.error.issues[0]!.message);
  const today = vietnamToday(now);
  if (due.data < today) throw new TeamsError(400, `Hạn hoàn thành phải từ hôm nay (${dmy(today)}) trở đi. Ngày ${dmy(due.data)} đã qua, nên mọi người sẽ bị tính quá hạn ngay.`);
  const course = found.course.slug;
  const edition = input.edition!;
  const recount = await recountEnqueuer(db);
  return db.transaction().execute(async (trx) => {
    const existing = await repo.findAssignment(trx, unit.id, course, edition);
    if (existing && existing.due_date === due.data) return 'unchanged' as const;
    if (existing) {
      await repo.changeAssignmentDue(trx, existing.id, { due: due.data, previous: existing.due_date, by: v.id, now });
    } else {
      await repo.upsertAssignment(trx, { unitId: unit.id, course, edition, due: due.data, by: v.id });
    }
    await recount(trx, [unit.id], 'assign');
    if (existing) await audit(trx, v, unit.id, 'assign.due_change', { course, edition, from: existing.due_date, to: due.data });
    else await audit(trx, v, unit.id, 'assign', { course, edition, due: due.data });
    return existing ? ('changed' as const) : ('assigned' as const);
  });
}
