/** Dismisses one of the signed-in member's own reminders, then goes back to the page it was shown on. */
import { z } from 'astro/zod';
import { formEndpoint } from '../../web/form.ts';
import { signedIn } from '../../web/guards.ts';
import { UuidSchema } from '../../web/params.ts';
import { safePath, seeOther } from '../../web/redirect.ts';
import { db } from '../../web/request.ts';
import { dismissReminder } from '../../server/reminders/reminders.ts';

export const prerender = false;

const DismissSchema = z.object({
  nhac: UuidSchema,
  tiep: z.string().max(300).optional(),
});

export const POST = formEndpoint(DismissSchema, { maxBytes: 2048, authorize: async ({ locals }) => void signedIn(locals) }, async (data, { locals }) => {
  await dismissReminder(await db(), signedIn(locals).id, data.nhac);
  return seeOther(safePath(data.tiep), 'da-an-nhac-nho');
});
