/**
 * Forms of the self-service account pages (/tai-khoan/…): one zod schema each, built from the shared
 * field schemas, and the size limit they are read with.
 */
import { z } from 'astro/zod';
import { DisplayNameSchema, NewPasswordSchema, PasswordInputSchema } from '../lib/fields.ts';
import { SESSION_ID_PATTERN } from '../server/auth/session.ts';
import type { FormOptions } from './form.ts';

/** Account forms carry a few short fields. */
export const ACCOUNT_FORM: FormOptions = { maxBytes: 8 * 1024 };

/** Change of password: the current one, and the new one typed twice. */
export const ChangePasswordSchema = z
  .object({
    currentPassword: PasswordInputSchema,
    newPassword: NewPasswordSchema,
    newPasswordAgain: z.string({ error: 'Vui lòng nhập lại mật khẩu mới.' }).max(256, 'Mật khẩu quá dài.'),
  })
  .refine((v) => v.newPassword === v.newPasswordAgain, { path: ['newPasswordAgain'], message: 'Hai lần nhập mật khẩu mới chưa giống nhau.' });

/** Correction of the name on the account. */
export const ChangeNameSchema = z.object({ displayName: DisplayNameSchema });

/** A session id as the session list puts it in its forms. */
export const SessionIdSchema = z.string().regex(SESSION_ID_PATTERN);

/** Ending sessions: one (by id, from the person's own list) or every other one ("khac"). */
export const EndSessionSchema = z.object({
  phien: z.union([z.literal('khac'), SessionIdSchema], { error: 'Không tìm thấy phiên đăng nhập này.' }),
});

/** Deleting the account: the password and a ticked confirmation. */
export const DeleteAccountSchema = z.object({
  password: PasswordInputSchema,
  confirm: z.literal('co', { error: 'Vui lòng đánh dấu ô xác nhận rằng bạn muốn xóa tài khoản.' }),
});
