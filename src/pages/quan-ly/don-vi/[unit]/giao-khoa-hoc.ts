/** Assigns a required course edition with a due date to the unit (form POST, then back). */
import type { APIRoute } from 'astro';
import { db, field, readForm } from '../../../../web/request.ts';
import { errorResponse } from '../../../../web/errors.ts';
import { assignCourse, TeamsError } from '../../../../server/teams/teams.ts';

export const prerender = false;

export const POST: APIRoute = async ({ params, locals, request, redirect }) => {
  try {
    if (!locals.user) throw new TeamsError(401, 'Vui lòng đăng nhập.');
    const form = await readForm(request, 8 * 1024);
    const [course, edition] = (field(form, 'khoa') ?? '').split(':');
    await assignCourse(await db(), locals.user, params.unit, { course, edition, due: field(form, 'han') });
    return redirect(`/quan-ly/don-vi/${params.unit}?tb=${encodeURIComponent('Đã giao khóa học bắt buộc.')}`, 303);
  } catch (err) {
    return errorResponse(err);
  }
};
