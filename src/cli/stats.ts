/**
 * npm run --silent db:stats [-- --json] — household totals of the configured database:
 * {"households":N,"helpVisits":N,"linkedCitizens":N,"householdsMeetingTarget":N}.
 */
import { DataDirLockedError, openConfiguredDb } from '../server/db/connect.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { householdStats } from '../server/households/stats.ts';

const json = process.argv.includes('--json');
try {
  const handle = await openConfiguredDb();
  await migrateToLatest(handle.db);
  const s = await householdStats(handle.db);
  await handle.close();
  if (json) process.stdout.write(JSON.stringify(s) + '\n');
  else {
    console.log(`Hộ gia đình: ${s.households}`);
    console.log(`Lượt hỗ trợ: ${s.helpVisits}`);
    console.log(`Người dân đã liên kết tài khoản: ${s.linkedCitizens}`);
    console.log(`Hộ đạt mục tiêu (một người đủ 5 kỹ năng): ${s.householdsMeetingTarget}`);
  }
} catch (err) {
  const message = err instanceof DataDirLockedError ? err.message : `Lỗi đọc số liệu: ${(err as Error).message}`;
  if (json) process.stdout.write(JSON.stringify({ error: message }) + '\n');
  else console.error(message);
  process.exit(1);
}
