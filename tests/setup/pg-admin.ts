/** Helpers to create and drop throwaway databases on the Postgres server named by DATABASE_URL. */
import crypto from 'node:crypto';

/** The same server, connected to its maintenance database. */
export function adminUrl(url: string): string {
  return databaseUrl(url, 'postgres');
}

/** The same server and credentials, another database. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A unique, safe database name. */
export function randomName(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
}
