/**
 * Readiness for load balancers: the database answers AND every migration in the folder is applied
 * (a database with no tables, or one behind the code, is not healthy). 503 otherwise. With a read
 * replica configured, `replica` says whether it answers.
 */
import type { APIRoute } from 'astro';
import { getDbHandle } from '../server/db/index.ts';
import { pendingMigrations } from '../server/db/migrate.ts';
import { replicaState } from '../server/db/replica.ts';

export const prerender = false;

export const GET: APIRoute = async () => {
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  let kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
  try {
    const handle = await getDbHandle();
    kind = handle.kind;
    const pending = await pendingMigrations(handle.db);
    if (pending.length) {
      return new Response(JSON.stringify({ status: 'error', database: kind, message: 'Cơ sở dữ liệu chưa được cập nhật cấu trúc (migration).', pending: pending.length }), { status: 503, headers });
    }
    // A replica (DATABASE_READ_URL) that does not answer is reported but leaves the server healthy:
    // reports then read the primary.
    const replica = handle.replica ? await replicaState(handle.read) : undefined;
    const body = replica ? { status: 'ok', database: kind, replica: replica.reachable ? 'ok' : 'unreachable' } : { status: 'ok', database: kind };
    return new Response(JSON.stringify(body), { status: 200, headers });
  } catch {
    return new Response(JSON.stringify({ status: 'error', database: kind, message: 'Không kết nối được cơ sở dữ liệu.' }), { status: 503, headers });
  }
};
