/**
 * npm run --silent db:housekeeping [-- --json] — runs the daily housekeeping now on the configured
 * database (the same rules as the `housekeeping` job: src/server/housekeeping/housekeeping.ts) and
 * prints how many rows of each kind it deleted; with --json one object:
 * {"sessions":N,"rateLimits":N,"linkCodes":N,"accessCodes":N,"recoveryRequests":N,"householdPreviews":N,"rosterPreviews":N}.
 * Safe to run at any time and more than once. On PGlite it needs the server stopped (one process
 * opens the folder); the server runs the same job every day anyway.
 */
import { DataDirLockedError, openConfiguredDb } from '../server/db/connect.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { describeCounts, runHousekeeping } from '../server/housekeeping/housekeeping.ts';

const json = process.argv.includes('--json');
try {
  const handle = await openConfiguredDb();
  let counts;
  try {
    await migrateToLatest(handle.db);
    counts = await runHousekeeping(handle.db);
  } finally {
    await handle.close();
  }
  if (json) process.stdout.write(JSON.stringify(counts) + '\n');
  else {
    console.log('Đã dọn dữ liệu hết hạn:');
    for (const line of describeCounts(counts)) console.log(`  ${line}`);
  }
} catch (err) {
  const message = err instanceof DataDirLockedError ? err.message : `Lỗi dọn dữ liệu: ${(err as Error).message}`;
  if (json) process.stdout.write(JSON.stringify({ error: message }) + '\n');
  else console.error(message);
  process.exit(1);
}
