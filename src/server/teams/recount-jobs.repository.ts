/** Rows of `recount_job`: requested recounts, their progress, and what dashboards show of them. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Records a recount of `unitId`'s subtree, unless one that has not started yet already covers it
 * (same unit or an ancestor): that one reads raw rows later, so it sees this change too.
 * Returns the id of a NEW row (which needs a queue job), or undefined when joined to a waiting one.
 */
export async function queueRecountJob(trx: Transaction<Database>, unitId: number, path: string, reason: string): Promise<number | undefined> {
  const waiting = await sql<{ id: number }>`
    select id from recount_job where state = 'queued'
      and unit_id = any(string_to_array(trim(both '/' from ${path}), '/')::int[]) limit 1`.execute(trx);
  if (waiting.rows.length) return undefined;
  const r = await sql<{ id: number; inserted: boolean }>`
    insert into recount_job (unit_id, reason) values (${unitId}, ${reason})
    on conflict (unit_id) where state = 'queued' do update set reason = recount_job.reason
    returning id, (xmax = 0) as inserted`.execute(trx);
  const row = r.rows[0]!;
  return row.inserted ? row.id : undefined;
}

export interface RecountJobRow {
  id: number;
  unit_id: number;
  state: 'queued' | 'running' | 'done' | 'failed';
  total: number | null;
  done: number;
  cursor: number | null;
  path: string;
  depth: number;
}

/** Marks a job running (from now on, new changes get a new job) and returns it with its unit. */
export async function startRecountJob(db: Kysely<Database>, id: number): Promise<RecountJobRow | undefined> {
  const r = await sql<RecountJobRow>`
    update recount_job j set state = 'running', started_at = coalesce(j.started_at, now()), attempts = j.attempts + 1, error = null
    from admin_unit au where j.id = ${id} and au.id = j.unit_id and j.state in ('queued', 'running', 'failed')
    returning j.id, j.unit_id, j.state, j.total, j.done, j.cursor, au.path, au.depth`.execute(db);
  return r.rows[0];
}

export async function setRecountTotal(db: Kysely<Database>, id: number, total: number): Promise<void> {
  await db.updateTable('recount_job').set({ total }).where('id', '=', id).execute();
}

/** One chunk done (in the chunk's own transaction, so progress and counters commit together). */
export async function advanceRecountJob(trx: Transaction<Database>, id: number, chunkId: number): Promise<void> {
  await trx.updateTable('recount_job').set((eb) => ({ done: eb('done', '+', 1), cursor: chunkId })).where('id', '=', id).execute();
}

export async function finishRecountJob(db: Kysely<Database>, id: number): Promise<void> {
  await sql`update recount_job set state = 'done', finished_at = now(), done = coalesce(total, done) where id = ${id}`.execute(db);
}

export async function recordRecountError(db: Kysely<Database>, id: number, message: string, final: boolean): Promise<void> {
  await db
    .updateTable('recount_job')
    .set({ error: message.slice(0, 500), ...(final ? { state: 'failed' as const, finished_at: new Date() } : {}) })
    .where('id', '=', id)
    .execute();
}

export interface RecountStatusRow {
  pending: number;
  queued: number;
  total: number | null;
  done: number;
  last_done: Date | null;
  failed: number;
}

/**
 * What a unit's dashboard says about its figures: recounts pending on the unit, an ancestor or a
 * descendant (each changes its totals), their progress, when the last one covering it finished, and
 * whether one failed since.
 */
export async function recountStatus(db: Db, path: string): Promise<RecountStatusRow> {
  const covers = sql`(starts_with(${path}, au.path) or starts_with(au.path, ${path}))`;
  const r = await sql<RecountStatusRow>`
    select
      (select count(*)::int from recount_job j join admin_unit au on au.id = j.unit_id where j.state in ('queued', 'running') and ${covers}) as pending,
      (select count(*)::int from recount_job j join admin_unit au on au.id = j.unit_id where j.state = 'queued' and ${covers}) as queued,
      (select sum(j.total)::int from recount_job j join admin_unit au on au.id = j.unit_id where j.state in ('queued', 'running') and ${covers}) as total,
      (select coalesce(sum(j.done), 0)::int from recount_job j join admin_unit au on au.id = j.unit_id where j.state in ('queued', 'running') and ${covers}) as done,
      (select max(j.finished_at) from recount_job j join admin_unit au on au.id = j.unit_id where j.state = 'done' and ${covers}) as last_done,
      (select count(*)::int from recount_job j join admin_unit au on au.id = j.unit_id where j.state = 'failed' and ${covers}
         and j.created_at > coalesce((select max(k.created_at) from recount_job k join admin_unit au on au.id = k.unit_id where k.state = 'done' and ${covers}), '-infinity')) as failed`.execute(db);
  return r.rows[0]!;
}

/** Jobs not finished yet, anywhere (db:recount waits for them). */
export async function pendingRecountJobs(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from recount_job where state in ('queued', 'running')`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Ids of recount jobs not finished yet (to check each still has a queue job). */
export async function unfinishedRecountJobIds(db: Db): Promise<number[]> {
  const r = await db.selectFrom('recount_job').select('id').where('state', 'in', ['queued', 'running']).orderBy('id').execute();
  return r.map((x) => x.id);
}
