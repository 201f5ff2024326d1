/**
 * The offline parts of the build (src/cli/service-worker.ts), read from dist/ as `npm run build` left it:
 * the precache list is generated from the build and the app shell stays within 50 KB brotli; each course
 * edition has a manifest listing every lesson, its check form, sizes and hashes; the worker is served
 * uncached so new deploys reach phones.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDITIONS } from '../../src/lib/content/schema.ts';
import { EDITION_SLUGS, paths } from '../../src/lib/editions.ts';
import { getCatalog } from '../../src/server/content/catalog.ts';
import type { EditionManifest } from '../../src/lib/offline/store.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';

const client = path.resolve('dist/client');
const br = (b: Buffer) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/** The precache list Workbox injected into sw.js. */
function precacheEntries(): { url: string; revision: string | null }[] {
  const sw = fs.readFileSync(path.join(client, 'sw.js'), 'utf8');
  const m = /(\[\{"revision":[^\]]*\])/.exec(sw);
  expect(m, 'precache list in sw.js').toBeTruthy();
  return JSON.parse(m![1]!);
}

/** The file behind a precached URL (/da-luu → da-luu/index.html). */
function fileOf(url: string): string {
  const direct = path.join(client, url);
  return fs.existsSync(direct) && fs.statSync(direct).isFile() ? direct : path.join(client, url, 'index.html');
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe('offline build', () => {
  it('precaches the app shell from the build, within 50 KB brotli', () => {
    const entries = precacheEntries();
    const urls = entries.map((e) => e.url);
    for (const u of ['/ngoai-tuyen', '/da-luu', '/manifest.webmanifest']) expect(urls).toContain(u);
    // Every script the shell pages load is in the list (nothing written by hand can fall behind).
    for (const page of ['/ngoai-tuyen', '/da-luu']) {
      const html = fs.readFileSync(fileOf(page), 'utf8');
      for (const m of html.matchAll(/<script[^>]+src="([^"]+)"/g)) expect(urls, `${page} loads ${m[1]}`).toContain(m[1]);
    }
    let total = 0;
    for (const e of entries) {
      const f = fileOf(e.url);
      expect(fs.existsSync(f), e.url).toBe(true);
      total += br(fs.readFileSync(f));
    }
    console.log(`app shell: ${entries.length} files, ${total} bytes brotli`);
    expect(total).toBeLessThanOrEqual(50 * 1024);
  });

  it('writes a manifest per course edition with every lesson, its check form, sizes and hashes', () => {
    let editions = 0;
    for (const course of getCatalog().courses) {
      for (const e of EDITIONS) {
        const ed = course.editions[e];
        if (!ed) continue;
        editions++;
        const m = JSON.parse(fs.readFileSync(path.join(client, 'offline', course.slug, `${EDITION_SLUGS[e]}.json`), 'utf8')) as EditionManifest;
        expect(m.lessons.map((l) => l.url)).toEqual(ed.lessons.map((l) => paths.lesson(course.slug, e, l.id)));
        for (const l of m.lessons) {
          expect(l.bytes).toBe(fs.statSync(fileOf(l.url)).size);
          expect(l.hash).toMatch(/^[A-Za-z0-9_-]{16}$/);
          expect(l.check.url).toBe(`${l.url}/kiem-tra`);
          expect(l.check.bytes).toBeGreaterThan(1000);
        }
        expect(m.bytes).toBeGreaterThan(m.lessons.reduce((s, l) => s + l.bytes, 0));
        expect(m.transferBytes).toBeLessThan(m.bytes);
      }
    }
    expect(editions).toBeGreaterThan(20);
  });

  it('serves the worker uncached and the manifest as a web app manifest', async () => {
    const c = new Client(server.url);
    const sw = await c.get('/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect(sw.headers.get('content-type')).toMatch(/javascript/);
    const wm = await c.get('/manifest.webmanifest');
    expect(wm.headers.get('content-type')).toMatch(/application\/manifest\+json/);
    const m = await wm.json();
    expect(m.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes} ${i.purpose}`)).toEqual(['192x192 any', '512x512 any', '192x192 maskable', '512x512 maskable']);
    for (const i of m.icons) expect((await c.get(i.src)).headers.get('content-type')).toBe('image/png');
  });
});
