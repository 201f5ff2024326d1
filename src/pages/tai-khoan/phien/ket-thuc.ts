/**
 * Ends one of the person's own sessions, or every other one. A session id that is not theirs (another
 * person's, or made up) is a 404 and changes nothing.
 */
import { endOwnSession, deleteUserSessions, invalidateSession } from '../../../server/auth/session.ts';
import { ACCOUNT_FORM, EndSessionSchema } from '../../../web/account-forms.ts';
import { formEndpoint } from '../../../web/form.ts';
import { seeOther } from '../../../web/redirect.ts';
import { clearSessionCookie, db, HttpError } from '../../../web/request.ts';
import { paths } from '../../../lib/editions.ts';

export const prerender = false;

export const POST = formEndpoint(EndSessionSchema, ACCOUNT_FORM, async ({ phien }, { locals, cookies }) => {
  const user = locals.user;
  if (!user || !locals.sessionId) return seeOther(paths.signIn('/tai-khoan/phien'));
  const d = await db();
  if (phien === 'khac') {
    await deleteUserSessions(d, user.id, locals.sessionId);
    return seeOther('/tai-khoan/phien', 'da-dang-xuat-noi-khac');
  }
  if (phien === locals.sessionId) {
    // Ending this very session is signing out.
    await invalidateSession(d, phien);
    clearSessionCookie(cookies);
    return seeOther('/');
  }
  if (!(await endOwnSession(d, user.id, phien))) throw new HttpError(404, 'Không tìm thấy phiên đăng nhập này trong tài khoản của bạn. Có thể phiên đã kết thúc.');
  return seeOther('/tai-khoan/phien', 'da-dang-xuat-phien');
});
