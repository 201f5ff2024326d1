/** Renames or moves a team (officials in scope). */
import type { APIRoute } from 'astro';
import { db, field, readForm } from '../../../../web/request.ts';
import { errorResponse } from '../../../../web/errors.ts';
import { moveTeam, renameTeam, requireTeamAccess, TeamsError } from '../../../../server/teams/teams.ts';

export const prerender = false;

export const POST: APIRoute = async ({ params, locals, request, redirect }) => {
  try {
    if (!locals.user) throw new TeamsError(401, 'Vui lòng đăng nhập.');
    await requireTeamAccess(await db(), locals.user, params.team); // 404 outside scope, whatever the body
    const form = await readForm(request, 8 * 1024);
    const what = field(form, 'viec');
    if (what === 'doi-ten') await renameTeam(await db(), locals.user, params.team, field(form, 'ten'));
    else if (what === 'chuyen') await moveTeam(await db(), locals.user, params.team, field(form, 'don-vi')?.trim());
    else throw new TeamsError(400, 'Thao tác không hợp lệ.');
    return redirect(`/quan-ly/to/${params.team}?tb=${encodeURIComponent('Đã lưu thay đổi.')}`, 303);
  } catch (err) {
    return errorResponse(err);
  }
};
