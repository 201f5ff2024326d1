/**
 * The server secret behind sealed form tokens (lesson-check layouts). FORM_SECRET in production
 * (every app server must share it, or a check opened on one server cannot be graded on another);
 * in development it is generated once into DATA_DIR, like CHECKIN_SECRET and the embedded database.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { dataDir, isProduction } from './config.ts';

/** FORM_SECRET is missing or too short where it is required. */
export class FormSecretError extends Error {}

let cached: { key: string; value: string } | undefined;

/** The form secret; throws FormSecretError in production when FORM_SECRET is missing or short. */
export function formSecret(): string {
  const fromEnv = process.env.FORM_SECRET;
  // Keyed by its source, so a test that sets FORM_SECRET after a first use still gets its own.
  const key = fromEnv ? `env:${fromEnv}` : `file:${path.resolve(dataDir(), 'form-secret')}`;
  if (cached?.key === key) return cached.value;
  if (fromEnv) {
    if (fromEnv.length < 32) throw new FormSecretError('FORM_SECRET phải dài ít nhất 32 ký tự.');
    cached = { key, value: fromEnv };
    return fromEnv;
  }
  if (isProduction()) throw new FormSecretError('Thiếu FORM_SECRET: đặt một chuỗi ngẫu nhiên dài ít nhất 32 ký tự (giống nhau trên mọi máy chủ).');
  const file = path.resolve(dataDir(), 'form-secret');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    // 'wx': two processes starting at once never overwrite each other's secret.
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  cached = { key, value: fs.readFileSync(file, 'utf8').trim() };
  return cached.value;
}
