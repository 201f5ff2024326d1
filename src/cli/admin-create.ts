/**
 * npm run admin:create -- --phone 0912345678 --name "Nguyễn Văn A" --password "…"
 * (or ADMIN_PHONE, ADMIN_NAME, ADMIN_PASSWORD). Creates the first admin, or makes an existing
 * account an admin and sets its password. Idempotent.
 */
import { parseArgs } from 'node:util';
import { DisplayNameSchema, NewPasswordSchema, PhoneSchema } from '../lib/fields.ts';
import { hashPassword, isCommonPassword } from '../server/auth/password.ts';
import { DataDirLockedError, openConfiguredDb } from '../server/db/connect.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { findUserByPhone, setPasswordHash, upsertUserByPhone } from '../server/teams/teams.repository.ts';

const { values } = parseArgs({ options: { phone: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } } });
const phone = PhoneSchema.safeParse(values.phone ?? process.env.ADMIN_PHONE);
const name = DisplayNameSchema.safeParse(values.name ?? process.env.ADMIN_NAME ?? 'Quản trị viên');
const password = NewPasswordSchema.safeParse(values.password ?? process.env.ADMIN_PASSWORD);
const problem = [phone, name, password].find((r) => !r.success);
if (problem && !problem.success) {
  console.error(`Lỗi: ${problem.error.issues[0]!.message}\nCách dùng: npm run admin:create -- --phone 0912345678 --name "Họ và tên" --password "mật khẩu"`);
  process.exit(2);
}
if (await isCommonPassword(password.data!)) {
  console.error('Lỗi: mật khẩu này quá phổ biến. Hãy chọn mật khẩu khác.');
  process.exit(2);
}
try {
  const handle = await openConfiguredDb();
  await migrateToLatest(handle.db);
  // An existing account keeps its name but gets the admin role and the new password.
  const hash = await hashPassword(password.data!);
  await upsertUserByPhone(handle.db, phone.data!, name.data!, 'admin', hash);
  await setPasswordHash(handle.db, (await findUserByPhone(handle.db, phone.data!))!.id, hash);
  console.log(`Đã tạo hoặc cập nhật quản trị viên ${phone.data}.`);
  await handle.close();
} catch (err) {
  console.error(err instanceof DataDirLockedError ? err.message : `Lỗi: ${(err as Error).message}`);
  process.exit(1);
}
