/**
 * A bad schedule entry fails `astro build`, naming content/schedule.yaml. The build runs in a scratch
 * project root (symlinks to src, config and packages, but its own .astro and cache folders) so it
 * never disturbs the real build or another test building at the same time.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-build-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function scratchProject(schedule: string): string {
  const dir = fs.mkdtempSync(path.join(root, 'p-'));
  for (const f of ['src', 'public', 'astro.config.mjs', 'tsconfig.json', 'package.json']) fs.symlinkSync(path.resolve(f), path.join(dir, f));
  // node_modules: every package linked, but the cache folders (.astro, .vite) are the scratch project's own.
  fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const e of fs.readdirSync('node_modules')) if (!e.startsWith('.')) fs.symlinkSync(path.resolve('node_modules', e), path.join(dir, 'node_modules', e));
  fs.cpSync('tests/fixtures/content', path.join(dir, 'content'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'content', 'schedule.yaml'), schedule);
  return dir;
}

async function build(dir: string): Promise<{ code: number; output: string }> {
  return run(process.execPath, [path.resolve('node_modules/astro/bin/astro.mjs'), 'build'], {
    cwd: dir,
    env: { ...process.env, CONTENT_DIR: '', ASTRO_OUT_DIR: path.join(dir, 'dist'), ASTRO_TELEMETRY_DISABLED: '1' },
    maxBuffer: 20 * 1024 * 1024,
  }).then(
    (r) => ({ code: 0, output: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
  );
}

const good = fs.readFileSync('tests/fixtures/content/schedule.yaml', 'utf8');

describe('astro build validates the schedule', () => {
  it('fails on an entry naming an unknown course, naming the file', async () => {
    const { code, output } = await build(scratchProject(good.replace('course: khoa-thu-nghiem', 'course: khoa-khong-co')));
    expect(code).not.toBe(0);
    expect(output).toMatch(/schedule\.yaml/);
    expect(output).toContain('khóa học "khoa-khong-co" không có trong content/courses');
  }, 120_000);

  it('fails on YAML it cannot read, naming the file', async () => {
    const { code, output } = await build(scratchProject('"2026-11":\n  course: a: b\n'));
    expect(code).not.toBe(0);
    expect(output).toMatch(/content\/schedule\.yaml: lịch chuyên đề không đọc được/);
  }, 120_000);
});
