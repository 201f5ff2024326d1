/**
 * “Cấp lại mã”: a new activation code for one person who has not activated yet, voiding their
 * previous one. A POST with an explicit confirmation; audit-logged by the domain.
 */
import { z } from 'astro/zod';
import { formEndpoint } from '../../../../web/form.ts';
import { signedIn } from '../../../../web/guards.ts';
import { param, UuidSchema } from '../../../../web/params.ts';
import { seeOther } from '../../../../web/redirect.ts';
import { db, HttpError } from '../../../../web/request.ts';
import { requireMemberAccess } from '../../../../server/teams/access.ts';
import { reissueActivationCode } from '../../../../server/teams/slips.ts';

export const prerender = false;

/** The confirmation tick; its absence is answered with its own message (not the generic form one). */
const ReissueSchema = z.object({ 'xac-nhan': z.string().max(10).optional() });

const memberId = (raw: string | undefined) => param(raw, UuidSchema, 'Không tìm thấy thành viên này.');

export const POST = formEndpoint(
  ReissueSchema,
  {
    maxBytes: 1024,
    // 404 outside scope, whatever the body.
    authorize: async ({ params, locals }) => {
      await requireMemberAccess(await db(), signedIn(locals), memberId(params.member));
    },
  },
  async (data, { params, locals }) => {
    const member = memberId(params.member);
    if (data['xac-nhan'] !== 'co') throw new HttpError(400, 'Hãy đánh dấu ô xác nhận rằng mã cũ sẽ không dùng được nữa, rồi bấm “Cấp lại mã”.');
    await reissueActivationCode(await db(), signedIn(locals), member);
    return seeOther(`/quan-ly/thanh-vien/${member}`, 'da-cap-lai-ma');
  },
);
