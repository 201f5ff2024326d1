/** Changes to a household: edit, record consent, move (officials), remove its data. */
import { z } from 'astro/zod';
import { formEndpoint } from '../../../web/form.ts';
import { signedIn } from '../../../web/guards.ts';
import { UuidSchema, param } from '../../../web/params.ts';
import { seeOther } from '../../../web/redirect.ts';
import { db } from '../../../web/request.ts';
import { HouseholdFormSchema, householdInput } from '../../../web/household-forms.ts';
import { requireHouseholdAccess } from '../../../server/households/access.ts';
import { editHousehold, moveHousehold, recordHouseholdConsent, removeHousehold } from '../../../server/households/households.ts';

export const prerender = false;

const HouseholdChangeSchema = z.discriminatedUnion(
  'viec',
  [
    HouseholdFormSchema.extend({ viec: z.literal('sua') }),
    z.object({ viec: z.literal('dong-y') }),
    z.object({ viec: z.literal('chuyen'), to: z.string().max(20).optional() }),
    z.object({ viec: z.literal('xoa'), 'xac-nhan': z.literal('co', { error: 'Hãy đánh dấu ô xác nhận trước khi xóa.' }) }),
  ],
  { error: 'Thao tác không hợp lệ.' },
);

const NOT_FOUND = 'Không tìm thấy hộ gia đình này.';

export const POST = formEndpoint(
  HouseholdChangeSchema,
  {
    maxBytes: 8 * 1024,
    // 404 outside the viewer's households, whatever the body.
    authorize: async ({ params, locals }) => {
      await requireHouseholdAccess(await db(), signedIn(locals), param(params.household, UuidSchema, NOT_FOUND));
    },
  },
  async (data, { params, locals }) => {
    const id = param(params.household, UuidSchema, NOT_FOUND);
    const v = signedIn(locals);
    const d = await db();
    if (data.viec === 'sua') {
      await editHousehold(d, v, id, householdInput(data));
      return seeOther(`/ho-gia-dinh/${id}`, 'da-luu');
    }
    if (data.viec === 'dong-y') {
      await recordHouseholdConsent(d, v, id);
      return seeOther(`/ho-gia-dinh/${id}`, 'da-ghi-y-kien');
    }
    if (data.viec === 'chuyen') {
      await moveHousehold(d, v, id, data.to?.trim());
      return seeOther(`/ho-gia-dinh/${id}`, 'da-chuyen-ho');
    }
    const { member, household } = await requireHouseholdAccess(d, v, id);
    await removeHousehold(d, v, id);
    return seeOther(member ? '/to-cua-toi/ho-gia-dinh' : `/quan-ly/to/${household.team_id}/ho-gia-dinh`, 'da-xoa-ho');
  },
);
