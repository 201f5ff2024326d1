/** Renames or moves a team (officials in scope). */
import { z } from 'astro/zod';
import { formEndpoint } from '../../../../web/form.ts';
import { signedIn } from '../../../../web/guards.ts';
import { IntIdSchema, param } from '../../../../web/params.ts';
import { seeOther } from '../../../../web/redirect.ts';
import { db } from '../../../../web/request.ts';
import { requireTeamAccess } from '../../../../server/teams/access.ts';
import { moveTeam, renameTeam } from '../../../../server/teams/team-changes.ts';

export const prerender = false;

const TeamChangeSchema = z.discriminatedUnion('viec', [
  z.object({ viec: z.literal('doi-ten'), ten: z.string().max(400).optional() }),
  z.object({ viec: z.literal('chuyen'), 'don-vi': z.string().max(20).optional() }),
], { error: 'Thao tác không hợp lệ.' });

export const POST = formEndpoint(
  TeamChangeSchema,
  {
    maxBytes: 8 * 1024,
    // 404 outside scope, whatever the body.
    authorize: async ({ params, locals }) => {
      await requireTeamAccess(await db(), signedIn(locals), param(params.team, IntIdSchema, 'Không tìm thấy tổ này.'));
    },
  },
  async (data, { params, locals }) => {
    const team = String(param(params.team, IntIdSchema));
    if (data.viec === 'doi-ten') await renameTeam(await db(), signedIn(locals), team, data.ten);
    else await moveTeam(await db(), signedIn(locals), team, data['don-vi']?.trim());
    return seeOther(`/quan-ly/to/${team}`, 'da-luu');
  },
);
