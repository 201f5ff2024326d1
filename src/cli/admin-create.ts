/**
 * npm run admin:create -- --phone 0912345678 --name "Nguyễn Văn A" --password "…"
 * (or ADMIN_PHONE, ADMIN_NAME, ADMIN_PASSWORD). Creates an admin account, or promotes the account
 * that already has this number (its password is kept). Common passwords are refused.
 */
import { parseArgs } from 'node:util';
import { DisplayNameSchema, NewPasswordSchema, PhoneSchema } from '../lib/fields.ts';
import { ensureAdmin } from '../server/auth/account.ts';
import { isCommonPassword } from '../server/auth/password.ts';
import { DataDirLockedError, openConfiguredDb } from '../server/db/connect.ts';
import { migrateToLatest } from '../server/db/migrate.ts';

/** Exit codes: 2 for bad input (nothing was opened), 1 for a failure while writing. */
function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

const { values } = parseArgs({ options: { phone: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } } });
const phone = PhoneSchema.safeParse(values.phone ?? process.env.ADMIN_PHONE ?? '');
if (!phone.success) fail(`Số điện thoại: ${phone.error.issues[0]?.message} (dùng --phone hoặc ADMIN_PHONE)`);
const name = DisplayNameSchema.safeParse(values.name ?? process.env.ADMIN_NAME ?? 'Quản trị viên');
if (!name.success) fail(`Họ và tên: ${name.error.issues[0]?.message} (dùng --name hoặc ADMIN_NAME)`);
const rawPassword = values.password ?? process.env.ADMIN_PASSWORD;
let password: string | undefined;
if (rawPassword !== undefined) {
  const p = NewPasswordSchema.safeParse(rawPassword);
  if (!p.success) fail(`Mật khẩu: ${p.error.issues[0]?.message}`);
  password = p.data;
  // Checked before opening the database, so a refused password costs nothing.
  if (await isCommonPassword(password)) fail('Mật khẩu này quá phổ biến, kẻ gian dễ đoán ra. Hãy chọn mật khẩu khác, ví dụ một câu ngắn dễ nhớ.');
}

try {
  const handle = await openConfiguredDb();
  await migrateToLatest(handle.db);
  const r = await ensureAdmin(handle.db, { phone: phone.data, displayName: name.data, password });
  await handle.close();
  if (!r.ok) fail(r.message, 1);
  console.log(r.value.created ? `Đã tạo tài khoản quản trị ${phone.data}.` : `Tài khoản ${phone.data} nay là quản trị viên (mật khẩu giữ nguyên).`);
} catch (err) {
  fail(err instanceof DataDirLockedError ? err.message : `Lỗi: ${(err as Error).message}`, 1);
}
