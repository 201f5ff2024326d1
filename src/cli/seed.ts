/**
 * npm run db:seed — migrates and loads demo data (idempotent).
 * npm run db:seed -- --scale national|province — also fills synthetic teams at that scale.
 */
import { parseArgs } from 'node:util';
import { DataDirLockedError, openConfiguredDb } from '../server/db/connect.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { seedDemo } from '../server/demo/seed.ts';
import { seedScale } from '../server/teams/scale.ts';

const { values } = parseArgs({ options: { scale: { type: 'string' } } });
if (values.scale && values.scale !== 'national' && values.scale !== 'province') {
  console.error('Lỗi: --scale chỉ nhận national hoặc province.');
  process.exit(2);
}
try {
  const handle = await openConfiguredDb();
  await migrateToLatest(handle.db);
  const n = await seedDemo(handle.db);
  console.log(n ? `Đã tạo ${n} tài khoản mẫu.` : 'Dữ liệu mẫu đã có sẵn.');
  if (values.scale) await seedScale(handle.db, values.scale as 'national' | 'province');
  await handle.close();
} catch (err) {
  console.error(err instanceof DataDirLockedError ? err.message : `Lỗi nạp dữ liệu mẫu: ${(err as Error).message}`);
  process.exit(1);
}
