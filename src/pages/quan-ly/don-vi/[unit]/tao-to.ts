/** Creates a team attached directly to the unit. */
import type { APIRoute } from 'astro';
import { db, field, readForm } from '../../../../web/request.ts';
import { errorResponse } from '../../../../web/errors.ts';
import { createTeam, TeamsError } from '../../../../server/teams/teams.ts';

export const prerender = false;

export const POST: APIRoute = async ({ params, locals, request, redirect }) => {
  try {
    if (!locals.user) throw new TeamsError(401, 'Vui lòng đăng nhập.');
    const form = await readForm(request, 8 * 1024);
    const id = await createTeam(await db(), locals.user, params.unit, field(form, 'ten'));
    return redirect(`/quan-ly/to/${id}`, 303);
  } catch (err) {
    return errorResponse(err);
  }
};
