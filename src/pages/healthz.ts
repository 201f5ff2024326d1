/** Liveness and database reachability for load balancers. */
import type { APIRoute } from 'astro';
import { sql } from 'kysely';
import { getDbHandle } from '../server/db/index.ts';

export const prerender = false;

export const GET: APIRoute = async () => {
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  let kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
  try {
    const handle = await getDbHandle();
    kind = handle.kind;
    await sql`select 1`.execute(handle.db);
    return new Response(JSON.stringify({ status: 'ok', database: kind }), { status: 200, headers });
  } catch {
    return new Response(JSON.stringify({ status: 'error', database: kind, message: 'Không kết nối được cơ sở dữ liệu.' }), { status: 503, headers });
  }
};
