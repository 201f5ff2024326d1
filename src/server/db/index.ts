/**
 * The process-wide database handle. The server entry (src/cli/serve.ts) opens it before Astro's
 * bundle loads and shares it through globalThis, so the CLI copy and the bundled copy of this module
 * use one connection (and one PGlite lock) instead of two.
 */
import { openConfiguredDb, type DbHandle } from './connect.ts';

const KEY = Symbol.for('hocso.db');
type Holder = { [KEY]?: Promise<DbHandle> };

/** Returns the shared handle, opening the configured database on first use. */
export function getDbHandle(): Promise<DbHandle> {
  const g = globalThis as Holder;
  g[KEY] ??= openConfiguredDb();
  return g[KEY];
}

/** Installs an already-open handle as the process-wide one (server start-up, tests). */
export function setDbHandle(handle: DbHandle): void {
  (globalThis as Holder)[KEY] = Promise.resolve(handle);
}

export type { DbHandle, DbKind } from './connect.ts';
export type { Database } from './schema.ts';
