/**
 * npm run worker — a dedicated background-job process (recounts, the daily housekeeping) on the
 * configured database. App servers already work jobs in-process; on Postgres, run this to move that
 * work off them (and set JOB_WORKER=0 on the servers). It is also the process that runs the cron
 * passes on Postgres (app servers there never do), so the daily housekeeping needs one worker
 * running. With the embedded database only one process can open it, so there the server's own
 * worker is the one, and it runs the cron too. Stops cleanly on SIGTERM/SIGINT: a recount stops after
 * its current commune and is resumed from there by the next worker.
 */
import { DataDirLockedError, openConfiguredDb } from '../server/db/connect.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { startJobWorker } from '../server/jobs/worker.ts';

try {
  const handle = await openConfiguredDb();
  await migrateToLatest(handle.db);
  const worker = await startJobWorker(handle.db, { schedule: true });
  console.log(`Đang xử lý việc nền (cơ sở dữ liệu: ${handle.kind}).`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await worker.stop().catch(() => {});
    await handle.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  console.error(err instanceof DataDirLockedError ? err.message : `Lỗi khởi động việc nền: ${(err as Error).message}`);
  process.exit(1);
}
