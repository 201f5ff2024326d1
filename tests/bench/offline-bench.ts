/**
 * Offline use (issue 11): the size of each course edition saved on a phone (from the build's edition
 * manifests: stored bytes and the download over the network), and the largest contentful paint of a
 * repeat visit of a lesson served from the service worker's cache, measured in Chromium with a
 * PerformanceObserver (median of a few reloads, online and offline).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { getCatalog } from '../../src/server/content/catalog.ts';
import { EDITIONS } from '../../src/lib/content/schema.ts';
import { EDITION_SLUGS, paths } from '../../src/lib/editions.ts';
import { formatBytes, type EditionManifest } from '../../src/lib/offline/store.ts';
import { startServer } from '../setup/server.ts';

const ROUNDS = Number(process.env.BENCH_LCP_ROUNDS || 5);
const client = path.resolve('dist/client');

console.log('\nCourse editions saved offline (stored on the phone / downloaded, brotli)');
let total = 0;
for (const course of getCatalog().courses) {
  for (const e of EDITIONS) {
    if (!course.editions[e]) continue;
    const m = JSON.parse(fs.readFileSync(path.join(client, 'offline', course.slug, `${EDITION_SLUGS[e]}.json`), 'utf8')) as EditionManifest;
    total += m.bytes;
    console.log(`${`${course.slug}/${EDITION_SLUGS[e]}`.padEnd(44)}${String(m.lessons.length).padStart(3)} lessons${formatBytes(m.bytes).padStart(10)}${formatBytes(m.transferBytes).padStart(10)}`);
  }
}
console.log(`${'all editions'.padEnd(56)}${formatBytes(total).padStart(10)}`);

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!fs.existsSync(executablePath)) {
  console.log(`LCP of a cached lesson: skipped (no Chromium at ${executablePath})`);
} else {
  const server = await startServer();
  const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'] });
  try {
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    const course = getCatalog().courses[0]!;
    const ed = course.editions.citizen ? 'citizen' : 'member';
    const lesson = paths.lesson(course.slug, ed, course.editions[ed]!.lessons[0]!.id);
    await page.goto(lesson);
    await page.waitForFunction(() => Boolean(navigator.serviceWorker?.controller), undefined, { timeout: 60_000 });
    await page.reload();
    await page.waitForFunction(async (u) => Boolean(await caches.match(u)), lesson, { timeout: 60_000 });
    const lcp = () =>
      page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            new PerformanceObserver((list) => {
              const entries = list.getEntries();
              resolve(entries[entries.length - 1]!.startTime);
            }).observe({ type: 'largest-contentful-paint', buffered: true });
          }),
      );
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const offline of [false, true]) {
      await context.setOffline(offline);
      const xs: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        await page.reload();
        xs.push(await lcp());
      }
      console.log(`LCP, repeat visit of a lesson from the cache (${offline ? 'offline' : 'online'}): median ${median(xs).toFixed(0)} ms over ${ROUNDS}`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}
