/** An official sets (or clears) a village's real number of households (audit-logged). */
import { z } from 'astro/zod';
import { formEndpoint } from '../../../../../web/form.ts';
import { signedIn } from '../../../../../web/guards.ts';
import { IntIdSchema, param } from '../../../../../web/params.ts';
import { seeOther } from '../../../../../web/redirect.ts';
import { db } from '../../../../../web/request.ts';
import { requireUnitAccess } from '../../../../../server/teams/access.ts';
import { setRealHouseholds } from '../../../../../server/households/real-totals.ts';

export const prerender = false;

const RealTotalSchema = z.object({
  'so-ho': z
    .string({ error: 'Hãy nhập số hộ.' })
    .max(20, 'Số hộ quá dài.')
    .transform((v) => v.trim())
    // Digits, or thousands grouped by a dot, comma or space ("1.500"); "5.5" or "1,50" are not a count.
    .refine((v) => v === '' || /^\d{1,6}$/.test(v) || /^\d{1,3}([.,\s]\d{3})+$/.test(v), 'Số hộ là một số nguyên, ví dụ 350 hoặc 1.500.')
    .transform((v) => v.replace(/[\s.,]/g, ''))
    .transform((v) => (v === '' ? null : Number(v)))
    .refine((v) => v === null || v <= 100000, 'Một thôn, tổ dân phố không có quá 100.000 hộ.'),
});

export const POST = formEndpoint(
  RealTotalSchema,
  {
    maxBytes: 4 * 1024,
    // 404 outside scope, whatever the body.
    authorize: async ({ params, locals }) => {
      await requireUnitAccess(await db(), signedIn(locals), param(params.unit, IntIdSchema, 'Không tìm thấy đơn vị này.'));
    },
  },
  async (data, { params, locals }) => {
    const unit = String(param(params.unit, IntIdSchema, 'Không tìm thấy đơn vị này.'));
    await setRealHouseholds(await db(), signedIn(locals), unit, data['so-ho']);
    return seeOther(`/quan-ly/don-vi/${unit}/ho-gia-dinh`, 'da-luu');
  },
);
