/**
 * The server secret behind check-in codes. CHECKIN_SECRET in production (every app server must
 * share it); in development it is generated once into DATA_DIR, like the embedded database.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isProduction } from '../config.ts';

let cached: string | undefined;

/** The check-in secret; throws in production when CHECKIN_SECRET is missing or short. */
export function checkinSecret(): string {
  if (cached) return cached;
  const fromEnv = process.env.CHECKIN_SECRET;
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error('CHECKIN_SECRET phải dài ít nhất 32 ký tự.');
    return (cached = fromEnv);
  }
  if (isProduction()) throw new Error('Thiếu CHECKIN_SECRET: đặt một chuỗi ngẫu nhiên dài ít nhất 32 ký tự (giống nhau trên mọi máy chủ).');
  const file = path.resolve(process.env.DATA_DIR || './data', 'checkin-secret');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    // 'wx': two processes starting at once never overwrite each other's secret.
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return (cached = fs.readFileSync(file, 'utf8').trim());
}
