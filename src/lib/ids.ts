/** Identifier shapes shared by the web edge (validation) and the domain (defensive checks). */

/** A uuid in its canonical 8-4-4-4-12 hex form (any version), as Postgres prints them. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `v` is a uuid Postgres will accept without an error. */
export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID_RE.test(v);
}
