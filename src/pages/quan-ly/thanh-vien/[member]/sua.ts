/** Moves, deactivates or reactivates a member (officials in scope). Nobody is ever deleted. */
import { z } from 'astro/zod';
import { formEndpoint } from '../../../../web/form.ts';
import { signedIn } from '../../../../web/guards.ts';
import { param, UuidSchema } from '../../../../web/params.ts';
import { seeOther } from '../../../../web/redirect.ts';
import { db } from '../../../../web/request.ts';
import { requireMemberAccess } from '../../../../server/teams/access.ts';
import { moveMember, setMemberActive } from '../../../../server/teams/team-changes.ts';

export const prerender = false;

const MemberChangeSchema = z.discriminatedUnion('viec', [
  z.object({ viec: z.literal('chuyen'), to: z.string().max(20).optional() }),
  z.object({ viec: z.literal('cho-thoi') }),
  z.object({ viec: z.literal('tham-gia-lai') }),
], { error: 'Thao tác không hợp lệ.' });

const memberId = (raw: string | undefined) => param(raw, UuidSchema, 'Không tìm thấy thành viên này.');

export const POST = formEndpoint(
  MemberChangeSchema,
  {
    maxBytes: 8 * 1024,
    // 404 outside scope, whatever the body.
    authorize: async ({ params, locals }) => {
      await requireMemberAccess(await db(), signedIn(locals), memberId(params.member));
    },
  },
  async (data, { params, locals }) => {
    const member = memberId(params.member);
    const user = signedIn(locals);
    if (data.viec === 'chuyen') await moveMember(await db(), user, member, data.to?.trim());
    else await setMemberActive(await db(), user, member, data.viec === 'tham-gia-lai');
    return seeOther(`/quan-ly/thanh-vien/${member}`, 'da-luu');
  },
);
