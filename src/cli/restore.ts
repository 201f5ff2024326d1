/**
 * npm run db:restore -- --file PATH [--force] — restores a backup made by db:backup into the configured
 * database. A target that already has tables is refused unless --force. PGlite keeps the replaced data
 * folder next to the new one (db.replaced-<time>) until the operator deletes it.
 */
import { parseArgs } from 'node:util';
import { BackupError, configuredTarget, restoreDatabase } from '../server/db/backup.ts';

const usage = 'Cách dùng: npm run db:restore -- --file đường/dẫn/tệp [--force]';
let values: { file?: string; force?: boolean };
try {
  ({ values } = parseArgs({ options: { file: { type: 'string' }, force: { type: 'boolean' } } }));
} catch (err) {
  console.error(`Lỗi: ${(err as Error).message}. ${usage}`);
  process.exit(2);
}
if (!values.file) {
  console.error(`Lỗi: thiếu --file (tệp sao lưu cần khôi phục). ${usage}`);
  process.exit(2);
}
const target = configuredTarget();
try {
  const r = await restoreDatabase(target, values.file, { force: values.force });
  console.log(`Đã khôi phục ${r.file} vào ${target.kind === 'pglite' ? 'PGlite' : 'Postgres'} (${(r.ms / 1000).toFixed(1)} s).`);
  if (r.replacedDir) console.log(`Dữ liệu cũ được giữ ở ${r.replacedDir}: xóa thư mục này khi không cần nữa (có dữ liệu cá nhân).`);
  console.log('Khởi động lại máy chủ (npm run serve): migration mới hơn bản sao lưu, nếu có, sẽ được áp dụng khi khởi động.');
} catch (err) {
  console.error(err instanceof BackupError ? err.message : `Lỗi khôi phục: ${(err as Error).message}`);
  process.exit(1);
}
