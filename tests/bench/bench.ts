/**
 * npm run bench — builds nothing; run `npm run build` first. Starts the built server on a fresh
 * database (PGlite, or the Postgres server in DATABASE_URL) and prints, per page type: transfer size
 * (HTML + CSS + JS, brotli as served) and request latency p50/p95 over repeated sequential requests.
 */
import { performance } from 'node:perf_hooks';
import { getCatalog } from '../../src/server/content/catalog.ts';
import { paths } from '../../src/lib/editions.ts';
import { Client, startServer } from '../setup/server.ts';
import { getSchedule, nextSession } from '../../src/server/schedule/schedule.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS || 50);
const server = await startServer();
try {
  const c = new Client(server.url);
  await c.post('/dang-nhap', { phone: '0912000001', password: 'hoc-thu-2026', next: '/' });
  const course = getCatalog().courses[0]!;
  const ed = course.editions.citizen ? 'citizen' : 'member';
  const lesson = course.editions[ed]!.lessons[0]!;
  const quiz = paths.finalQuiz(course.slug, ed);
  await c.get(quiz);
  const attempt = /name="attempt" value="([^"]+)"/.exec(await (await c.get(quiz)).text())![1]!;
  const result = (await c.post(quiz, { attempt })).headers.get('location')!;

  const pages: [string, string][] = [
    ['home (signed in)', '/'],
    ['catalogue', '/khoa-hoc'],
    ['course (signed in)', paths.course(course.slug, ed)],
    ['lesson (static)', paths.lesson(course.slug, ed, lesson.id)],
    ['final quiz', quiz],
    ['quiz result', result],
    ['sign-up', '/dang-ky'],
    // The demo certificate: the public page, its PDF (rendered on every request) and preview image.
    ['certificate page', '/chung-nhan/HS4VN-2026D'],
    ['certificate PDF', '/chung-nhan/HS4VN-2026D.pdf'],
    ['certificate image', '/chung-nhan/HS4VN-2026D.png'],
    ['schedule (year)', '/lich'],
    ['topic (signed in)', `/lich/${nextSession(getSchedule())?.month ?? ''}`],
    ['calendar feed (.ics)', '/lich.ics'],
  ];

  const bytes = async (p: string) => {
    const r = await c.get(p, { 'accept-encoding': 'br' });
    const body = Buffer.from(await r.arrayBuffer());
    // fetch decodes; measure the encoded size the server sent via a raw re-request.
    const raw = await rawSize(p);
    const html = body.toString('utf8');
    let total = raw;
    for (const m of html.matchAll(/<(?:link[^>]+rel="?stylesheet"?[^>]+href|script[^>]+src)="?([^" >]+)/g)) total += await rawSize(m[1]!);
    return total;
  };
  const rawSize = async (p: string) => {
    const http = await import('node:http');
    return new Promise<number>((resolve, reject) => {
      const req = http.get(server.url + p, { headers: { 'accept-encoding': 'br', cookie: c.cookieHeader() } }, (res) => {
        let n = 0;
        res.on('data', (d: Buffer) => (n += d.length));
        res.on('end', () => resolve(n));
      });
      req.on('error', reject);
    });
  };

  console.log(`Học Số bench — database: ${process.env.DATABASE_URL ? 'Postgres' : 'PGlite'}, ${ROUNDS} sequential requests per page`);
  console.log('page type'.padEnd(22) + 'bytes (br)'.padStart(12) + 'p50 ms'.padStart(10) + 'p95 ms'.padStart(10));
  for (const [name, p] of pages) {
    const size = await bytes(p);
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      const r = await c.get(p, { 'accept-encoding': 'br' });
      await r.arrayBuffer();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const pct = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
    console.log(name.padEnd(22) + String(size).padStart(12) + pct(0.5).padStart(10) + pct(0.95).padStart(10));
  }
} finally {
  await server.stop();
}

// The certificate page with 200,000 certificates, under concurrent load.
await import('./certificates-bench.ts');

// Officials' dashboards at scale.
await import('./teams-bench.ts');

// Recounts without a global lock, at national scale (Postgres only).
await import('./recount-bench.ts');

// Household coverage dashboards at every level and recording a help visit, at scale.
await import('./households-bench.ts');

// Hostile uploads and request bodies.
await import('./uploads-bench.ts');

// Item analysis for authors: the page's read at scale and the write overhead per submission.
await import('./items-bench.ts');

// Offline use: saved course sizes and LCP of a cached lesson.
await import('./offline-bench.ts');
