/**
 * npm run db:backup [-- --file PATH] — backs up the configured database: PGlite's data folder as a
 * .tar.gz (refused while the server holds the folder), or Postgres through pg_dump's custom format.
 * Default file: ./backups/hocso-<db>-<UTC timestamp>.<ext>.
 */
import { parseArgs } from 'node:util';
import { BackupError, backupDatabase, configuredTarget, defaultBackupFile } from '../server/db/backup.ts';

let values: { file?: string };
try {
  ({ values } = parseArgs({ options: { file: { type: 'string' } } }));
} catch (err) {
  console.error(`Lỗi: ${(err as Error).message}. Cách dùng: npm run db:backup [-- --file đường/dẫn/tệp]`);
  process.exit(2);
}
const target = configuredTarget();
try {
  const r = await backupDatabase(target, values.file || defaultBackupFile(target));
  console.log(`Đã sao lưu ${target.kind === 'pglite' ? 'PGlite' : 'Postgres'} vào ${r.file} (${(r.bytes / 1024).toFixed(0)} KB, ${(r.ms / 1000).toFixed(1)} s).`);
} catch (err) {
  console.error(err instanceof BackupError ? err.message : `Lỗi sao lưu: ${(err as Error).message}`);
  process.exit(1);
}
