/** npm run db:migrate — applies pending migrations to the configured database. */
import { DataDirLockedError, openConfiguredDb } from '../server/db/connect.ts';
import { migrateToLatest } from '../server/db/migrate.ts';

try {
  const handle = await openConfiguredDb();
  const applied = await migrateToLatest(handle.db);
  console.log(applied.length ? `Đã áp dụng: ${applied.join(', ')}` : 'Cơ sở dữ liệu đã ở phiên bản mới nhất.');
  await handle.close();
} catch (err) {
  console.error(err instanceof DataDirLockedError ? err.message : `Lỗi migration: ${(err as Error).message}`);
  process.exit(1);
}
