/** Reads behind the pickers: units and teams inside some subtrees, by name. */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { pathUpper } from './counters.repository.ts';

type Db = Kysely<Database>;

/** A `%…%` pattern matching `q` literally (its own % and _ escaped). */
const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const inSubtrees = (paths: string[], col: string) =>
  sql.join(paths.map((p) => sql`(${sql.ref(col)} >= ${p} and ${sql.ref(col)} < ${pathUpper(p)})`), sql` or `);

/** Units under the given paths (themselves included), with their parent's name, optionally matching `q`. */
export async function unitsUnder(db: Db, paths: string[], q: string | undefined, limit: number) {
  if (!paths.length) return [];
  const r = await sql<{ id: number; name: string; kind: string; parent_name: string | null }>`
    select au.id, au.name, au.kind, p.name as parent_name
    from admin_unit au left join admin_unit p on p.id = au.parent_id
    where (${inSubtrees(paths, 'au.path')}) ${q ? sql`and (au.name ilike ${like(q)} or lower(au.name) like lower(${like(q)}))` : sql``}
    order by au.depth, au.path limit ${limit}`.execute(db);
  return r.rows;
}

/** Teams under the given paths with their unit's name, optionally matching `q` (team or unit name). */
export async function teamsUnder(db: Db, paths: string[], q: string | undefined, limit: number) {
  if (!paths.length) return [];
  const r = await sql<{ id: number; name: string; unit_name: string }>`
    select t.id, t.name, au.name as unit_name
    from team t join admin_unit au on au.id = t.unit_id
    where (${inSubtrees(paths, 'au.path')})
      ${q ? sql`and (t.name ilike ${like(q)} or au.name ilike ${like(q)} or lower(t.name) like lower(${like(q)}) or lower(au.name) like lower(${like(q)}))` : sql``}
    order by au.path, t.name limit ${limit}`.execute(db);
  return r.rows;
}
