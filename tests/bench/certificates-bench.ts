/**
 * The public certificate page at scale: 200,000 certificates (BENCH_CERTIFICATES) inserted with
 * set-based SQL into a fresh database (PGlite, or the Postgres server in DATABASE_URL), 1% of them
 * reissued and 2% revoked, then the built server under concurrent load (autocannon, BENCH_CONNECTIONS
 * connections for BENCH_SECONDS seconds, codes spread over the whole table). Prints req/s and
 * p50/p99 latency for the verification page, the signed credential and the status list.
 *
 * Run alone: `npm run build && npx node tests/bench/certificates-bench.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { sql, type Kysely } from 'kysely';
import { verifyCertificate } from '../../src/server/certificates/certificates.ts';
import { CODE_ALPHABET, formatCode } from '../../src/server/certificates/code.ts';
import { openPglite, openPostgres, type DbHandle } from '../../src/server/db/connect.ts';
import { migrateToLatest } from '../../src/server/db/migrate.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { adminUrl, databaseUrl, randomName } from '../setup/pg-admin.ts';
import { startServer } from '../setup/server.ts';

const COUNT = Number(process.env.BENCH_CERTIFICATES || 200_000);
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 10);
/** Certificates per learner (one per course): the unique "current certificate" index allows that. */
const PER_USER = 20;
const pg = Boolean(process.env.DATABASE_URL);

/** SQL for the code of certificate number i: 'B' and i in 9 base-32 digits, so codes are unique. */
function codeSql(i: string): string {
  const digits = Array.from({ length: 9 }, (_, k) => `substr('${CODE_ALPHABET}', (((${i})::bigint >> ${5 * (8 - k)}) & 31)::int + 1, 1)`);
  return ["'B'", ...digits].join(' || ');
}
/** The same code in JavaScript. */
function code(i: number): string {
  let s = 'B';
  for (let k = 8; k >= 0; k--) s += CODE_ALPHABET[Math.floor(i / 2 ** (5 * k)) % 32];
  return s;
}

/** Learners, certificates, reissues and revocations, each one statement. */
async function seed(db: Kysely<Database>): Promise<void> {
  const users = Math.ceil(COUNT / PER_USER);
  await sql`insert into "user" (phone, display_name)
    select '+8497' || lpad(u::text, 7, '0'), 'Người học số ' || u from generate_series(0, ${users - 1}) u`.execute(db);
  await sql
    .raw(
      `insert into certificate (code, user_id, course_slug, edition, learner_name, course_title, content_version, issued_at)
       select ${codeSql('g.i')}, u.id, 'khoa-' || (g.i % ${PER_USER}), 'citizen', u.display_name,
              'Khóa học số ' || (g.i % ${PER_USER}), 1, now() - (g.i % 700) * interval '1 day'
       from generate_series(0, ${COUNT - 1}) g(i)
       join "user" u on u.phone = '+8497' || lpad((g.i / ${PER_USER})::text, 7, '0')
       order by g.i`,
    )
    .execute(db);
  // 1%: certificate i was reissued as certificate i+1 (so pages show both neighbours).
  await sql
    .raw(
      `update certificate c set replaced_at = now(), replaced_by = n.id
       from generate_series(1, ${COUNT - 2}, 100) g(i) join certificate n on n.code = ${codeSql('(g.i + 1)')}
       where c.code = ${codeSql('g.i')}`,
    )
    .execute(db);
  // 2% revoked.
  await sql
    .raw(
      `update certificate set revoked_at = now(), revoked_reason = 'Thu hồi để đo tải'
       where replaced_at is null and code in (select ${codeSql('g.i')} from generate_series(3, ${COUNT - 1}, 50) g(i))`,
    )
    .execute(db);
  await sql`vacuum analyze`.execute(db);
}

let serverEnv: Record<string, string>;
let open: () => Promise<DbHandle>;
let cleanup = async () => {};
if (pg) {
  const name = randomName('hocso_bench_cert');
  const admin = await openPostgres(adminUrl(process.env.DATABASE_URL!), 1);
  await sql.raw(`create database ${name}`).execute(admin.db);
  const url = databaseUrl(process.env.DATABASE_URL!, name);
  cleanup = async () => {
    await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
    await admin.close();
  };
  open = () => openPostgres(url, 4);
  serverEnv = { DATABASE_URL: url };
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-bench-cert-'));
  cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  open = () => openPglite({ dataDir: path.resolve(dir, 'db') });
  serverEnv = { DATA_DIR: dir };
}

try {
  const handle = await open();
  await migrateToLatest(handle.db);
  const t = performance.now();
  await seed(handle.db);
  const seconds = (performance.now() - t) / 1000;
  const total = Number((await sql<{ n: number }>`select count(*)::int as n from certificate`.execute(handle.db)).rows[0]!.n);
  // Database time of the page's lookup (rate-limit row + certificate view), in process, sequential.
  const lookups: number[] = [];
  for (let k = 0; k < 1000; k++) {
    const i = Math.floor((k * 7919) % COUNT);
    const t0 = performance.now();
    await verifyCertificate(handle.db, code(i), 'bench');
    lookups.push(performance.now() - t0);
  }
  lookups.sort((a, b) => a - b);
  const dbLine = `lookup in process (db only, 1,000)`.padEnd(34) + '—'.padStart(8) + lookups[500]!.toFixed(2).padStart(8) + lookups[990]!.toFixed(2).padStart(8);
  // PGlite: one process per folder, so the seeding handle closes before the server opens it.
  await handle.close();

  const server = await startServer({ ...serverEnv, SEED_DEMO: '0' });
  try {
    // 1,000 codes spread over the table, in their canonical (displayed) form so pages answer 200.
    const numbers = Array.from({ length: 1000 }, (_, k) => Math.floor((k * (COUNT - 1)) / 999));
    const sample = numbers.map((i) => formatCode(code(i)));
    // The .jwt of a revoked or replaced certificate is a 410: the credential load uses valid ones.
    const valid = numbers.filter((i) => i % 100 !== 1 && i % 50 !== 3).map((i) => formatCode(code(i)));
    const load = async (name: string, pathOf: (k: number) => string) => {
      let k = 0;
      const warm = await fetch(server.url + pathOf(0));
      if (warm.status !== 200) throw new Error(`${pathOf(0)} → ${warm.status}`);
      await warm.arrayBuffer();
      const r = await autocannon({
        url: server.url,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: pathOf(k++) }) }],
      });
      if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx responses (${JSON.stringify(r.statusCodeStats)}), ${r.errors} errors`);
      console.log(name.padEnd(34) + Math.round(r.requests.average).toLocaleString('en').padStart(8) + r.latency.p50.toFixed(0).padStart(8) + r.latency.p99.toFixed(0).padStart(8));
    };
    console.log(
      `\nCertificates at scale — ${pg ? 'Postgres' : 'PGlite'}, ${total.toLocaleString('en')} certificates (seeded in ${seconds.toFixed(1)} s), ` +
        `${CONNECTIONS} connections × ${SECONDS} s, 1,000 codes round-robin`,
    );
    console.log('request'.padEnd(34) + 'req/s'.padStart(8) + 'p50 ms'.padStart(8) + 'p99 ms'.padStart(8));
    console.log(dbLine);
    await load('certificate page', (k) => `/chung-nhan/${sample[k % sample.length]}`);
    await load('certificate credential (VC-JWT)', (k) => `/chung-nhan/${valid[k % valid.length]}.jwt`);
    await load('status list 1 (VC-JWT)', () => '/chung-nhan/trang-thai/1');
  } finally {
    await server.stop();
  }
} finally {
  await cleanup();
}
