/** Creates a team attached directly to the unit. */
import { z } from 'astro/zod';
import { formEndpoint } from '../../../../web/form.ts';
import { signedIn } from '../../../../web/guards.ts';
import { IntIdSchema, param } from '../../../../web/params.ts';
import { seeOther } from '../../../../web/redirect.ts';
import { db } from '../../../../web/request.ts';
import { createTeam } from '../../../../server/teams/team-changes.ts';

export const prerender = false;

const CreateTeamSchema = z.object({ ten: z.string().max(400).optional() });

export const POST = formEndpoint(CreateTeamSchema, { maxBytes: 8 * 1024 }, async (data, { params, locals }) => {
  const unit = param(params.unit, IntIdSchema, 'Không tìm thấy đơn vị này.');
  const id = await createTeam(await db(), signedIn(locals), String(unit), data.ten);
  return seeOther(`/quan-ly/to/${id}`, 'da-tao-to');
});
