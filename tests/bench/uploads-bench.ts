/**
 * Hostile uploads and bodies against the built server (npm run bench; `npm run build` first): for
 * each, the time until the refusal arrives, the body bytes the client got to send, and /healthz
 * latency (max and p95, polled every 20 ms) while it was handled. Then, for each hostile roster
 * file, the reader alone in a fresh child process: time and memory growth (peak RSS and heap over a
 * warmed-up baseline). Targets: refused in under 2 s, /healthz under 100 ms meanwhile, memory growth
 * under 50 MB. Printed, never asserted (tests assert the refusals and memory, not times).
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { postEndless } from '../setup/endless-body.ts';
import { PROBES, type ProbeResult } from '../setup/roster-memory-probe.ts';
import { Client, startServer } from '../setup/server.ts';
import { rosterXlsx, rowBomb } from '../setup/xlsx-files.ts';

const MB = 1024 * 1024;
const server = await startServer();
try {
  const official = new Client(server.url);
  await official.post('/dang-nhap', { phone: '0912000010', password: 'hoc-thu-2026', next: '/' });
  const unit = /\/quan-ly\/don-vi\/(\d+)/.exec(await (await official.get('/quan-ly')).text())![1]!;
  const upload = (bytes: Uint8Array) => async () => {
    const form = new FormData();
    form.set('tep', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'ds.xlsx');
    const t = performance.now();
    const r = await official.request(`/quan-ly/don-vi/${unit}/nhap-danh-sach`, { method: 'POST', body: form, headers: { origin: server.url } });
    await r.arrayBuffer();
    return { status: r.status, ms: performance.now() - t, sent: bytes.byteLength };
  };
  const endless = (path: string, options: Parameters<typeof postEndless>[1] = {}) => async () => {
    const r = await postEndless(server.url + path, { headers: { origin: server.url }, ...options });
    return { status: r.status, ms: r.ms, sent: r.sentBeforeResponse };
  };

  /** Runs `work` while polling /healthz; returns the work's result and the health latencies. */
  const withHealth = async (work: () => Promise<{ status: number; ms: number; sent: number }>) => {
    const latencies: number[] = [];
    let going = true;
    const poll = (async () => {
      while (going) {
        const t = performance.now();
        await (await fetch(`${server.url}/healthz`)).arrayBuffer();
        latencies.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const result = await work();
    going = false;
    await poll;
    latencies.sort((a, b) => a - b);
    return { ...result, healthMax: latencies.at(-1) ?? 0, healthP95: latencies[Math.floor(0.95 * (latencies.length - 1))] ?? 0, polls: latencies.length };
  };

  const idle = async () => {
    await new Promise((r) => setTimeout(r, 1000));
    return { status: 0, ms: 0, sent: 0 };
  };
  const cases: [string, () => Promise<{ status: number; ms: number; sent: number }>][] = [
    ['(nothing: /healthz baseline, 1 s)', idle],
    ['xlsx, 10M rows (1.6 MB)', upload(rowBomb(10_000_000))],
    ['xlsx, 3M rows, lying size', upload(rowBomb(3_000_000, { lie: true }))],
    ['xlsx, 5,001 rows', upload(await rosterXlsx(5001))],
    ['chunked 200 MB → /dang-nhap', endless('/dang-nhap')],
    ['declared 200 MB → /dang-nhap', endless('/dang-nhap', { declareLength: true })],
    ['chunked 200 MB → / (ignored)', endless('/')],
  ];
  console.log('\nUploads and bodies (targets: refused < 2000 ms, /healthz < 100 ms meanwhile)');
  console.log('case'.padEnd(32) + 'status'.padStart(7) + 'refused ms'.padStart(12) + 'sent MB'.padStart(9) + 'healthz max'.padStart(13) + 'p95'.padStart(7) + 'polls'.padStart(7));
  for (const [name, work] of cases) {
    await withHealth(work); // once to warm up the route
    const r = await withHealth(work);
    console.log(
      name.padEnd(32) +
        String(r.status).padStart(7) +
        r.ms.toFixed(0).padStart(12) +
        (r.sent / MB).toFixed(1).padStart(9) +
        r.healthMax.toFixed(0).padStart(13) +
        r.healthP95.toFixed(0).padStart(7) +
        String(r.polls).padStart(7),
    );
  }
} finally {
  await server.stop();
}

console.log('\nRoster reader alone on hostile files (fresh child process each; target: growth < 50 MB)');
console.log('file'.padEnd(24) + 'status'.padStart(7) + 'ms'.padStart(8) + 'RSS peak +MB'.padStart(14) + 'heap peak +MB'.padStart(15) + 'inflated KB'.padStart(13) + 'rows'.padStart(8));
for (const kind of Object.keys(PROBES)) {
  const p = spawnSync(process.execPath, ['--expose-gc', 'tests/setup/roster-memory-probe.ts', kind], { encoding: 'utf8' });
  if (p.status !== 0) {
    console.log(kind.padEnd(24) + '  failed: ' + p.stderr.slice(-300));
    continue;
  }
  const r = JSON.parse(p.stdout.trim().split('\n').at(-1)!) as ProbeResult;
  console.log(
    kind.padEnd(24) +
      String(r.status).padStart(7) +
      r.ms.toFixed(0).padStart(8) +
      (Math.max(r.rssGrowth, r.maxRssGrowth) / MB).toFixed(1).padStart(14) +
      (r.heapGrowth / MB).toFixed(1).padStart(15) +
      (r.progress.inflatedBytes / 1024).toFixed(0).padStart(13) +
      String(r.progress.rows).padStart(8),
  );
}
