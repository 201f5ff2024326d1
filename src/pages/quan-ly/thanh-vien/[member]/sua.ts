/** Moves, deactivates or reactivates a member (officials in scope). Nobody is ever deleted. */
import type { APIRoute } from 'astro';
import { db, field, readForm } from '../../../../web/request.ts';
import { errorResponse } from '../../../../web/errors.ts';
import { moveMember, requireMemberAccess, setMemberActive, TeamsError } from '../../../../server/teams/teams.ts';

export const prerender = false;

export const POST: APIRoute = async ({ params, locals, request, redirect }) => {
  try {
    if (!locals.user) throw new TeamsError(401, 'Vui lòng đăng nhập.');
    await requireMemberAccess(await db(), locals.user, params.member); // 404 outside scope, whatever the body
    const form = await readForm(request, 8 * 1024);
    const what = field(form, 'viec');
    if (what === 'chuyen') await moveMember(await db(), locals.user, params.member, field(form, 'to')?.trim());
    else if (what === 'cho-thoi') await setMemberActive(await db(), locals.user, params.member, false);
    else if (what === 'tham-gia-lai') await setMemberActive(await db(), locals.user, params.member, true);
    else throw new TeamsError(400, 'Thao tác không hợp lệ.');
    return redirect(`/quan-ly/thanh-vien/${params.member}?tb=${encodeURIComponent('Đã lưu thay đổi.')}`, 303);
  } catch (err) {
    return errorResponse(err);
  }
};
