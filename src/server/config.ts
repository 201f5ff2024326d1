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

/** Default issuer name: the platform itself, never a government body (see DESIGN.md, "Issuer"). */
export const DEFAULT_ISSUER_NAME = 'Học Số — nền tảng học kỹ năng số cộng đồng';

/** The organisation named as issuer on certificates (ISSUER_NAME). */
export function issuerName(): string {
  return (process.env.ISSUER_NAME || '').trim() || DEFAULT_ISSUER_NAME;
}

/** Folder for local data: the embedded database and, without OB_SIGNING_KEY, the signing key. */
export function dataDir(): string {
  return process.env.DATA_DIR || './data';
}
