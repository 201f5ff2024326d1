/** npm run db:seed — migrates and loads demo data (idempotent). */
import { DataDirLockedError, openConfiguredDb } from '../server/db/connect.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { seedDemo } from '../server/demo/seed.ts';

try {
  const handle = await openConfiguredDb();
  await migrateToLatest(handle.db);
  const n = await seedDemo(handle.db);
  console.log(n ? `Đã tạo ${n} tài khoản mẫu.` : 'Dữ liệu mẫu đã có sẵn.');
  await handle.close();
} catch (err) {
  console.error(err instanceof DataDirLockedError ? err.message : `Lỗi nạp dữ liệu mẫu: ${(err as Error).message}`);
  process.exit(1);
}
