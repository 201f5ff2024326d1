/**
 * npm run db:recount [-- --check] — recomputes every dashboard counter from raw rows, prints each
 * difference found, and (unless --check) writes the correct values. Exits 0 when nothing differed,
 * 3 when something did.
 */
import { DataDirLockedError, openConfiguredDb } from '../server/db/connect.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { recountAll } from '../server/teams/counters.ts';
import { recountHouseholds } from '../server/households/household-counters.ts';

const check = process.argv.includes('--check');
try {
  const handle = await openConfiguredDb();
  await migrateToLatest(handle.db);
  const started = Date.now();
  const diffs = await recountAll(handle.db, { fix: !check });
  for (const d of diffs) console.log(`${d.table}\tđơn vị ${d.unitId}\t${d.key}\tđang lưu: ${d.stored}\ttính lại: ${d.fresh}`);
  // Household counters (households, visits, links): recomputed from raw rows the same way.
  const householdDiffs = await recountHouseholds(handle.db, { fix: !check });
  for (const d of householdDiffs) console.log(`${d.table}\t${d.key}\tđang lưu: ${d.stored}\ttính lại: ${d.fresh}`);
  const total = diffs.length + householdDiffs.length;
  console.log(
    total
      ? `${total} bộ đếm sai lệch${check ? ' (chưa sửa, chạy lại không có --check để sửa)' : ' — đã sửa'}. (${Date.now() - started} ms)`
      : `0 sai lệch: mọi bộ đếm khớp với dữ liệu gốc. (${Date.now() - started} ms)`,
  );
  await handle.close();
  process.exit(total ? 3 : 0);
} catch (err) {
  console.error(err instanceof DataDirLockedError ? err.message : `Lỗi đếm lại: ${(err as Error).message}`);
  process.exit(1);
}
