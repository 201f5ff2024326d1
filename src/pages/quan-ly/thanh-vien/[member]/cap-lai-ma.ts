/**
 * “Cấp lại mã”: a new activation code for one person who has not activated yet, voiding their
 * previous one. A POST with an explicit confirmation; audit-logged by the domain.
 */
import { z } from 'astro/zod';
import { formEndpoint } from '../../../../web/form.ts';
import { signedIn } from '../../../../web/guards.ts';
import { param, UuidSchema } from '../../../../web/params.ts';
import { seeOther } from '../../../../web/redirect.ts';
import { db } from '../../../../web/request.ts';
import { requireMemberAccess } from '../../../../server/teams/access.ts';
import { reissueActivationCode } from '../../../../server/teams/slips.ts';

export const prerender = false;

const ReissueSchema = z.object({
  'xac-nhan': z.literal('co', { error: 'Hãy đánh dấu ô xác nhận rằng mã cũ sẽ không dùng được nữa.' }),
});

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
  async (_data, { params, locals }) => {
    const member = memberId(params.member);
    await reissueActivationCode(await db(), signedIn(locals), member);
    return seeOther(`/quan-ly/thanh-vien/${member}`, 'da-cap-lai-ma');
  },
);
