/** Sends a reminder to every overdue member under the unit (officials; once a day per unit). */
import { z } from 'astro/zod';
import { formEndpoint } from '../../../../web/form.ts';
import { signedIn } from '../../../../web/guards.ts';
import { IntIdSchema, param } from '../../../../web/params.ts';
import { seeOther } from '../../../../web/redirect.ts';
import { db } from '../../../../web/request.ts';
import { requireUnitAccess } from '../../../../server/teams/access.ts';
import { remindUnit } from '../../../../server/reminders/reminders.ts';

export const prerender = false;

export const POST = formEndpoint(
  z.object({}),
  {
    maxBytes: 1024,
    // 404 outside scope, whatever the body.
    authorize: async ({ params, locals }) => {
      await requireUnitAccess(await db(), signedIn(locals), param(params.unit, IntIdSchema, 'Không tìm thấy đơn vị này.'));
    },
  },
  async (_data, { params, locals }) => {
    const unit = String(param(params.unit, IntIdSchema));
    await remindUnit(await db(), signedIn(locals), unit);
    return seeOther(`/quan-ly/don-vi/${unit}`, 'da-gui-nhac-nho');
  },
);
