/** Required courses: an official assigns a course edition with a due date to a unit. */
import type { Kysely } from 'kysely';
import { z } from 'astro/zod';
import type { Edition } from '../../lib/content/schema.ts';
import { findEdition } from '../content/catalog.ts';
import type { Database } from '../db/schema.ts';
import { recountUnits } from './counters.ts';
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

/** Assigns a course edition with a due date to a unit; every active member below must complete it. */
export async function assignCourse(
  db: Kysely<Database>,
  v: Viewer,
  unitId: string | undefined,
  input: { course: string | undefined; edition: string | undefined; due: string | undefined },
): Promise<void> {
  const unit = await requireUnitAccess(db, v, unitId);
  const found = input.course && input.edition ? findEdition(input.course, input.edition as Edition) : undefined;
  if (!found) throw new TeamsError(400, 'Khóa học hoặc phiên bản đã chọn không có trong danh mục.');
  const due = DueDateSchema.safeParse(input.due);
  if (!due.success) throw new TeamsError(400, due.error.issues[0]!.message);
  await db.transaction().execute(async (trx) => {
    await repo.upsertAssignment(trx, { unitId: unit.id, course: found.course.slug, edition: input.edition!, due: due.data, by: v.id });
    await recountUnits(trx, [unit.id]);
    await audit(trx, v, unit.id, 'assign', { course: found.course.slug, edition: input.edition, due: due.data });
  });
}
