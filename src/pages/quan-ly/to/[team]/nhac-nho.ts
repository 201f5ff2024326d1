/** Sends a reminder to the team's overdue members (its leader or an official; once a day per team). */
import { z } from 'astro/zod';
import { formEndpoint } from '../../../../web/form.ts';
import { signedIn } from '../../../../web/guards.ts';
import { IntIdSchema, param } from '../../../../web/params.ts';
import { seeOther } from '../../../../web/redirect.ts';
import { db } from '../../../../web/request.ts';
import { requireTeamAccess } from '../../../../server/teams/access.ts';
import { remindTeam } from '../../../../server/reminders/reminders.ts';

export const prerender = false;

export const POST = formEndpoint(
  z.object({}),
  {
    maxBytes: 1024,
    // 404 outside scope, whatever the body.
    authorize: async ({ params, locals }) => {
      await requireTeamAccess(await db(), signedIn(locals), param(params.team, IntIdSchema, 'Không tìm thấy tổ này.'));
    },
  },
  async (_data, { params, locals }) => {
    const team = String(param(params.team, IntIdSchema));
    await remindTeam(await db(), signedIn(locals), team);
    return seeOther(`/quan-ly/to/${team}`, 'da-gui-nhac-nho');
  },
);
