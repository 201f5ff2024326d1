/** Assigns a required course edition with a due date to the unit (form POST, then back). */
import { z } from 'astro/zod';
import { formEndpoint } from '../../../../web/form.ts';
import { signedIn } from '../../../../web/guards.ts';
import { IntIdSchema, param } from '../../../../web/params.ts';
import { seeOther } from '../../../../web/redirect.ts';
import { db } from '../../../../web/request.ts';
import { assignCourse } from '../../../../server/teams/assignments.ts';

export const prerender = false;

const AssignSchema = z.object({
  /** "<course>:<edition>", checked against the catalogue by the domain. */
  khoa: z.string().max(200).optional(),
  han: z.string().max(40).optional(),
});

export const POST = formEndpoint(AssignSchema, { maxBytes: 8 * 1024 }, async (data, { params, locals }) => {
  const unit = param(params.unit, IntIdSchema, 'Không tìm thấy đơn vị này.');
  const [course, edition] = (data.khoa ?? '').split(':');
  const r = await assignCourse(await db(), signedIn(locals), String(unit), { course, edition, due: data.han });
  return seeOther(`/quan-ly/don-vi/${unit}`, r === 'changed' ? 'da-doi-han' : 'da-giao-khoa-hoc');
});
