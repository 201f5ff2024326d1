/**
 * Builds the offline parts after `astro build` (step of `npm run build`):
 *  1. one manifest per course edition, /offline/<course>/<edition>.json: its lesson pages with their
 *     sizes and content hashes, the check form of each lesson (size estimated: it renders on demand),
 *     the assets the pages load, and the totals shown before saving;
 *  2. the service worker, /sw.js: src/sw/sw.ts bundled with esbuild, then Workbox's injectManifest
 *     writes the precache list of the app shell, generated from the build (never listed by hand).
 * The app shell is the offline page, the saved-courses page, the files they load, the web app
 * manifest and the icon; tests/integration/offline-build.test.ts keeps it within 50 KB brotli.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';
import { injectManifest } from 'workbox-build';
import { EDITIONS } from '../lib/content/schema.ts';
import { EDITION_LABELS, EDITION_SLUGS, paths } from '../lib/editions.ts';
import { loadCatalog, contentDir } from '../server/content/catalog.ts';
import { checkVersion } from '../server/learning/quiz.ts';
import type { EditionManifest } from '../lib/offline/store.ts';

const client = path.resolve(process.env.ASTRO_OUT_DIR || 'dist', 'client');
/** The pages of the app shell (prerendered), precached with everything they load. */
export const SHELL_PAGES = ['ngoai-tuyen', 'da-luu'];
const SHELL_FILES = ['manifest.webmanifest', 'favicon.svg'];

const brotli = (b: Buffer) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/** The built file behind a page path (/a/b → a/b/index.html). */
function pageFile(url: string): string {
  return path.join(client, url.replace(/^\//, ''), 'index.html');
}

/** Same-origin files a page or script loads (scripts, stylesheets, images, module imports), recursively. */
function assetsOf(file: string, seen = new Set<string>()): Set<string> {
  const text = fs.readFileSync(file, 'utf8');
  const refs = [
    ...text.matchAll(/<(?:script|img|source)\b[^>]*\bsrc="(\/[^"/][^"]*)"/g),
    ...text.matchAll(/<link\b[^>]*\bhref="(\/_astro\/[^"]+)"/g),
    ...text.matchAll(/(?:import|from)\s*\(?\s*["'](\.?\.?\/[^"']+\.js)["']/g),
  ].map((m) => m[1]!);
  for (const ref of refs) {
    const url = ref.startsWith('.') ? path.posix.join(path.posix.dirname('/' + path.relative(client, file)), ref) : ref.split(/[?#]/)[0]!;
    if (seen.has(url)) continue;
    const f = path.join(client, url);
    if (!fs.existsSync(f) || !fs.statSync(f).isFile()) continue;
    seen.add(url);
    if (url.endsWith('.js')) assetsOf(f, seen);
  }
  return seen;
}

/** Bytes of a lesson-check page: it renders per request, so estimated from its text (markup ≈ 2× text) plus the page frame. */
function checkBytes(text: string, frame: number): number {
  return frame + 2 * Buffer.byteLength(text);
}

function writeEditionManifests(): EditionManifest[] {
  const catalog = loadCatalog(contentDir());
  const out: EditionManifest[] = [];
  for (const course of catalog.courses) {
    for (const edition of EDITIONS) {
      const ed = course.editions[edition];
      if (!ed) continue;
      const lessons = ed.lessons.map((l) => {
        const url = paths.lesson(course.slug, edition, l.id);
        const html = fs.readFileSync(pageFile(url));
        // The page and its check: a changed check (new questions) makes the saved form outdated too.
        const hash = crypto.createHash('sha256').update(html).update(checkVersion(l.check)).digest('base64url').slice(0, 16);
        const text = l.check.map((q) => JSON.stringify(q)).join('');
        return { id: l.id, title: l.title, url, bytes: html.length, hash, html, check: { url: paths.check(course.slug, edition, l.id), bytes: 0, text } };
      });
      // The check page's frame is the lesson page's without the article: about the smallest lesson page.
      const frame = Math.min(...lessons.map((l) => l.bytes)) / 2;
      const assets = new Set<string>();
      for (const l of lessons) for (const a of assetsOf(pageFile(l.url))) assets.add(a);
      const assetList = [...assets].sort().map((url) => ({ url, bytes: fs.statSync(path.join(client, url)).size }));
      const m: EditionManifest = {
        course: course.slug,
        edition,
        editionSlug: EDITION_SLUGS[edition],
        title: course.title,
        editionLabel: EDITION_LABELS[edition],
        url: paths.course(course.slug, edition),
        lessons: lessons.map((l) => ({ id: l.id, title: l.title, url: l.url, bytes: l.bytes, hash: l.hash, check: { url: l.check.url, bytes: Math.round(checkBytes(l.check.text, frame)) } })),
        assets: assetList,
        bytes: 0,
        transferBytes: 0,
      };
      m.bytes = m.lessons.reduce((s, l) => s + l.bytes + l.check.bytes, 0) + assetList.reduce((s, a) => s + a.bytes, 0);
      // Check pages compress about as well as lesson pages.
      const ratio = lessons.reduce((s, l) => s + brotli(l.html), 0) / lessons.reduce((s, l) => s + l.bytes, 0);
      m.transferBytes = Math.round(m.bytes * ratio);
      const file = path.join(client, 'offline', course.slug, `${EDITION_SLUGS[edition]}.json`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(m));
      out.push(m);
    }
  }
  return out;
}

async function writeServiceWorker(): Promise<{ count: number; size: number; files: string[] }> {
  const bundled = path.join(client, 'sw.src.js');
  await build({
    entryPoints: [path.resolve('src/sw/sw.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    outfile: bundled,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  const shell = new Set<string>(SHELL_FILES);
  for (const p of SHELL_PAGES) {
    const f = pageFile('/' + p);
    if (!fs.existsSync(f)) throw new Error(`Thiếu trang dựng sẵn ${f} của phần vỏ ứng dụng.`);
    shell.add(`${p}/index.html`);
    for (const a of assetsOf(f)) shell.add(a.replace(/^\//, ''));
  }
  try {
    const result = await injectManifest({
      swSrc: bundled,
      swDest: path.join(client, 'sw.js'),
      globDirectory: client,
      globPatterns: [...shell],
      // Hashed file names need no revision.
      dontCacheBustURLsMatching: /^_astro\//,
      // Pages are requested by their path (/da-luu), as links name them.
      manifestTransforms: [async (entries) => ({ manifest: entries.map((e) => ({ ...e, url: '/' + e.url.replace(/\/index\.html$/, '') })), warnings: [] })],
      maximumFileSizeToCacheInBytes: 200 * 1024,
    });
    return { count: result.count, size: result.size, files: [...shell] };
  } finally {
    fs.rmSync(bundled, { force: true });
  }
}

const manifests = writeEditionManifests();
const sw = await writeServiceWorker();
console.log(`Ngoại tuyến: ${manifests.length} bản khóa học → ${path.relative(process.cwd(), path.join(client, 'offline'))}; service worker sw.js, vỏ ứng dụng ${sw.count} tệp (${sw.size} byte).`);
