/**
 * Nothing that gives a quiz answer away reaches the browser before the answer is submitted.
 * A fixture course plants unique markers in option ids (the keys) and in every explanation; the
 * site is built from it, then the client files and every quiz-page response are scanned.
 * The server runs with NODE_ENV=production, which also shows Secure cookies and no demo data.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/lib/editions.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';

const run = promisify(execFile);
const MARKER = /mkleak/i;
const FIXTURE = path.resolve('tests/fixtures/content');
// Inside the project: the built server imports packages from node_modules.
const out = path.resolve(fs.mkdtempSync('dist-fixture-'));
let server: TestServer;

beforeAll(async () => {
  await run(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
    env: { ...process.env, NODE_ENV: 'production', CONTENT_DIR: FIXTURE, ASTRO_OUT_DIR: out, ASTRO_TELEMETRY_DISABLED: '1' },
    maxBuffer: 50 * 1024 * 1024,
  }).catch((e: { stderr: string; stdout: string }) => {
    throw new Error(`fixture build failed:\n${e.stdout.slice(-3000)}\n${e.stderr.slice(-3000)}`);
  });
  server = await startServer({ DIST_DIR: out, CONTENT_DIR: FIXTURE, NODE_ENV: 'production', SEED_DEMO: '0' });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  fs.rmSync(out, { recursive: true, force: true });
});

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

describe('answer keys never reach the browser before submission', () => {
  it('the markers really are in the fixture content', () => {
    const text = walk(FIXTURE).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    expect(text.match(/MKLEAKEXPL/g)!.length).toBeGreaterThanOrEqual(10);
  });

  it('no built client file contains a key or an explanation', () => {
    const files = walk(path.join(out, 'client'));
    expect(files.some((f) => f.endsWith('.html'))).toBe(true);
    for (const f of files) expect(fs.readFileSync(f).toString('utf8'), f).not.toMatch(MARKER);
  });

  it('no quiz page response contains one either, in any edition', async () => {
    const c = new Client(server.url);
    const signup = await c.post('/dang-ky', { displayName: 'Người Dò Tìm', phone: '0912777777', password: 'vườn nhà có ba cây bưởi', next: '/' });
    expect(signup.status).toBe(303);
    // Production: the session cookie is Secure.
    expect(signup.headers.getSetCookie().find((x) => x.startsWith('hs_session='))).toMatch(/Secure/);
    const pages: string[] = ['/', '/khoa-hoc', '/tai-khoan'];
    for (const e of ['citizen', 'member'] as const) {
      pages.push(paths.course('khoa-thu-nghiem', e), paths.finalQuiz('khoa-thu-nghiem', e));
      for (const l of ['bai-chung-mot', 'bai-chung-hai', ...(e === 'member' ? ['bai-thanh-vien'] : [])]) pages.push(paths.lesson('khoa-thu-nghiem', e, l));
    }
    for (const p of pages) {
      // Twice: a fresh attempt and a resumed one.
      for (let i = 0; i < 2; i++) {
        const r = await c.get(p);
        expect(r.status, p).toBe(200);
        expect(await r.text(), p).not.toMatch(MARKER);
      }
    }
    const health = await c.get('/healthz');
    expect(await health.text()).not.toMatch(MARKER);
  });

  it('explanations appear only after submitting, and final results never show the correct option', async () => {
    const c = new Client(server.url);
    await c.post('/dang-ky', { displayName: 'Người Làm Bài', phone: '0912777778', password: 'vườn nhà có ba cây bưởi', next: '/' });
    const check = await c.post(`${paths.lesson('khoa-thu-nghiem', 'citizen', 'bai-chung-mot')}/kiem-tra`, {});
    const feedback = await (await c.get(check.headers.get('location')!)).text();
    expect(feedback).toContain('MKLEAKEXPL-C1');
    const quizPath = paths.finalQuiz('khoa-thu-nghiem', 'citizen');
    const attempt = /name="attempt" value="([^"]+)"/.exec(await (await c.get(quizPath)).text())![1]!;
    const submitted = await c.post(quizPath, { attempt });
    const result = await (await c.get(submitted.headers.get('location')!)).text();
    expect(result).toMatch(/MKLEAKEXPL-F/); // explanations of the wrong (blank) answers
    expect(result).not.toMatch(/Đáp án đúng/);
    for (const text of ['Lừa đảo', 'Ý A', 'Làm trước']) expect(result).not.toContain(text); // option texts of the keys
  });

  it('seeds no demo accounts in production', async () => {
    const c = new Client(server.url);
    const r = await c.post('/dang-nhap', { phone: '0912000001', password: 'hoc-thu-2026' });
    expect(r.status).toBe(401);
  });
});
