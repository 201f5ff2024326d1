/** Runtime configuration from the environment (documented in the README's table). */

/** The public address used in links, QR codes and feeds, without a trailing slash. */
export function siteUrl(): string {
  const port = process.env.PORT || '4321';
  const host = process.env.HOST || '127.0.0.1';
  return (process.env.SITE_URL || `http://${host}:${port}`).replace(/\/+$/, '');
}

/** Production: Secure cookies, no demo data. */
export function isProduction(): boolean {
  return process.env.NODE_ENV === 'production';
}

/** Whether to believe X-Forwarded-For (only behind a reverse proxy that sets it). */
export function trustProxy(): boolean {
  return ['1', 'true', 'yes'].includes((process.env.TRUST_PROXY || '').toLowerCase());
}
