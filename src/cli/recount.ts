/**
 * npm run db:recount [-- --check] — first runs the recount jobs still queued (and waits for those
 * another process is running), then recomputes every dashboard counter from raw rows, prints each
 * difference found, and (unless --check) writes the correct values. Exits 0 when nothing differed,
 * 3 when something did.
 */
import { DataDirLockedError, openConfiguredDb } from '../server/db/connect.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { runPendingJobs } from '../server/jobs/worker.ts';
import { recountAll } from '../server/teams/counters.ts';
import { pendingRecountJobs } from '../server/teams/recount-jobs.repository.ts';
import { recountHouseholds } from '../server/households/household-counters.ts';

const check = process.argv.includes('--check');
try {
  const handle = await openConfiguredDb();
  await migrateToLatest(handle.db);
  const started = Date.now();
  const ran = await runPendingJobs(handle.db);
  if (ran) console.log(`Đã chạy ${ran} việc đếm lại đang chờ.`);
  for (let waited = 0; waited < 600 && (await pendingRecountJobs(handle.db)) > 0; waited++) {
    if (waited % 10 === 0) console.log('Đang chờ việc đếm lại do tiến trình khác chạy xong…');
    await new Promise((r) => setTimeout(r, 1000));
    await runPendingJobs(handle.db);
  }
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
