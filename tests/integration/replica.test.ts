/**
 * The read replica: officials' report pages read DATABASE_READ_URL, pages after the person's own
 * write read the primary, and a lagging replica shows how fresh its numbers are.
 *
 * The end-to-end part starts its own primary and streaming replica (tests/setup/replica.ts), so
 * pausing replay there disturbs no other test file. It needs the PostgreSQL server binaries and
 * runs when HOCSO_REPLICA_TESTS=1 (CI's replica step, `npm run test:replica`).
 */
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/server/db/connect.ts';
import { measureReplicaLag, replicaStaleness } from '../../src/server/db/replica.ts';
import { stalenessNote } from '../../src/lib/format.ts';
import { createTestDb } from '../setup/db.ts';
import { databaseUrl } from '../setup/pg-admin.ts';
import { postgresBin, startReplicaPair, waitForReplay, type ReplicaPair } from '../setup/replica.ts';
import { Client, freePort, startServer, type TestServer } from '../setup/server.ts';

const NOTE = /Số liệu cập nhật đến (\d{2}:\d{2}) \(chậm khoảng (\d+) (giây|phút)\)/;

describe('freshness note and lag measurement', () => {
  it('words the note in seconds, then minutes', () => {
    const at = new Date('2026-12-07T03:04:00Z'); // 10:04 in Vietnam
    expect(stalenessNote(at, 7.4)).toBe('Số liệu cập nhật đến 10:04 (chậm khoảng 7 giây)');
    expect(stalenessNote(at, 119)).toBe('Số liệu cập nhật đến 10:04 (chậm khoảng 119 giây)');
    expect(stalenessNote(at, 600)).toBe('Số liệu cập nhật đến 10:04 (chậm khoảng 10 phút)');
  });

  it('a database that is not a replica has no lag and no note', async () => {
    const h = await createTestDb();
    // Without DATABASE_READ_URL `read` is the primary; with it, a replica whose lag is measured.
    const lag = await measureReplicaLag(h.read);
    if (h.replica) expect(lag?.seconds).toBeGreaterThanOrEqual(0);
    else expect(lag).toBeNull();
    expect(await replicaStaleness(h.db)).toBeUndefined();
  });
});

describe.skipIf(!process.env.DATABASE_URL || process.env.HOCSO_REPLICA_TESTS === '1')('a replica that does not answer (Postgres)', () => {
  let server: TestServer;
  beforeAll(async () => {
    if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
    // A port nobody listens on: the replica is down from the start.
    server = await startServer({ DATABASE_READ_URL: `postgres://postgres@127.0.0.1:${await freePort()}/postgres` });
  }, 180_000);
  afterAll(() => server?.stop());

  it('leaves the server healthy and the dashboards reading the primary', async () => {
    const health = await (await fetch(`${server.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', database: 'postgres', replica: 'unreachable' });
    const official = new Client(server.url);
    expect((await official.post('/dang-nhap', { phone: '0912000010', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
    const unit = (await (await official.get('/quan-ly')).text()).match(/\/quan-ly\/don-vi\/(\d+)/)![1]!;
    const r = await official.get(`/quan-ly/don-vi/${unit}`);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('Thành viên đang hoạt động');
    expect(html).not.toContain('data-freshness');
    const csv = await official.get(`/quan-ly/don-vi/${unit}/xuat?bang=thanh-vien&dinh-dang=csv`);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('Họ và tên');
    expect(server.output()).toContain('DATABASE_READ_URL');
  });
});

const enabled = process.env.HOCSO_REPLICA_TESTS === '1';
if (enabled && !postgresBin()) throw new Error('HOCSO_REPLICA_TESTS=1 needs the PostgreSQL server binaries (set PG_BIN).');

describe.skipIf(!enabled)('a real streaming replica (HOCSO_REPLICA_TESTS=1)', () => {
  let pair: ReplicaPair;
  let server: TestServer;
  let primary: string;
  let replica: string;

  async function onReplica(text: string): Promise<unknown[]> {
    const c = new pg.Client({ connectionString: replica });
    await c.connect();
    try {
      return (await c.query(text)).rows;
    } finally {
      await c.end();
    }
  }

  /** Fetches `path` until `done(html)` holds (replication and its pause take effect at their own pace). */
  async function pollUntil(c: Client, path: string, done: (html: string) => boolean, what: string): Promise<string> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const r = await c.get(path);
      const html = await r.text();
      if (r.status === 200 && done(html)) return html;
      if (Date.now() > deadline) throw new Error(`${what}: still not true for ${path} (status ${r.status})`);
      await new Promise((res) => setTimeout(res, 500));
    }
  }

  beforeAll(async () => {
    if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
    pair = await startReplicaPair();
    const c = new pg.Client({ connectionString: pair.primaryUrl });
    await c.connect();
    await c.query('create database hocso');
    await c.end();
    await waitForReplay(pair.primaryUrl, pair.replicaUrl);
    primary = databaseUrl(pair.primaryUrl, 'hocso');
    replica = databaseUrl(pair.replicaUrl, 'hocso');
    server = await startServer({ DATABASE_URL: primary, DATABASE_READ_URL: replica });
  }, 240_000);

  afterAll(async () => {
    try {
      await server?.stop();
    } finally {
      await pair?.stop();
    }
  }, 120_000);

  it('reads reports from the replica, own writes from the primary, and says how stale a paused replica is', async () => {
    const official = new Client(server.url);
    expect((await official.post('/dang-nhap', { phone: '0912000010', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
    const unit = (await (await official.get('/quan-ly')).text()).match(/\/quan-ly\/don-vi\/(\d+)/)![1]!;
    const page = `/quan-ly/don-vi/${unit}`;
    // Seeding is replayed by now or soon: the replica page carries no note once it has caught up.
    await pollUntil(official, page, (h) => !h.includes('data-freshness'), 'replica caught up after seeding');

    await onReplica('select pg_wal_replay_pause()');
    const paused = async () => (((await onReplica('select pg_get_wal_replay_pause_state()::text as s')) as { s: string }[])[0]!.s === 'paused');
    for (let i = 0; !(await paused()); i++) {
      if (i > 240) throw new Error('replay did not pause');
      await new Promise((res) => setTimeout(res, 500));
    }

    // The official's own write: the redirect (with its notice) reads the primary and shows it.
    const name = 'Tổ kiểm tra bản sao số 7 (mẫu)';
    const created = await official.post(`${page}/tao-to`, { ten: name });
    expect(created.status).toBe(303);
    const after = created.headers.get('location')!;
    expect(after).toMatch(/\?tb=/);
    const own = await (await official.get(after)).text();
    expect(own).toContain(name);
    expect(own).not.toContain('data-freshness');
    const ownUnit = await (await official.get(`${page}?tb=da-tao-to`)).text();
    expect(ownUnit).toContain(name);
    expect(ownUnit).not.toContain('data-freshness');

    // The plain dashboard reads the paused replica: without the new team, and, once the lag passes
    // a few seconds, with the note saying how old its numbers are.
    const stale = await pollUntil(official, page, (h) => h.includes('data-freshness'), 'freshness note on a paused replica');
    expect(stale).not.toContain(name);
    const m = stale.match(NOTE);
    expect(m, 'the note reads “Số liệu cập nhật đến HH:MM (chậm khoảng N giây)”').not.toBeNull();
    if (m![3] === 'giây') expect(Number(m![2])).toBeGreaterThanOrEqual(5); // more than 5 s, rounded
    // Exports and the audit log read the replica too; the primary has the new team.
    const csv = await (await official.get(`${page}/xuat?bang=don-vi&dinh-dang=csv`)).text();
    expect(csv).toContain('Đơn vị hoặc tổ');
    expect(csv).not.toContain(name);
    expect(await (await official.get(`${page}/nhat-ky`)).text()).toContain('data-freshness');
    // Household coverage, the scorecard and the team's household list read the replica too, except
    // right after the official's own write (a notice in the address).
    const team = ownUnit.match(/\/quan-ly\/to\/(\d+)/)![1]!;
    for (const p of [`${page}/ho-gia-dinh`, `${page}/hieu-qua`, `/quan-ly/to/${team}/ho-gia-dinh`, `/quan-ly/to/${team}/hieu-qua`]) {
      const r = await official.get(p);
      expect(r.status, p).toBe(200);
      expect(await r.text(), p).toContain('data-freshness');
      expect(await (await official.get(`${p}?tb=da-luu`)).text(), p).not.toContain('data-freshness');
    }
    expect((await official.get(`${page}/ho-gia-dinh/xuat?dinh-dang=csv`)).status).toBe(200);
    expect((await official.get(`${page}/bao-cao-thang?dinh-dang=xlsx`)).status).toBe(200);

    await onReplica('select pg_wal_replay_resume()');
    const fresh = await pollUntil(official, page, (h) => h.includes(name) && !h.includes('data-freshness'), 'replica caught up after resume');
    expect(fresh).not.toMatch(NOTE);
    expect(await (await official.get(`${page}/xuat?bang=don-vi&dinh-dang=csv`)).text()).toContain(name);
  }, 300_000);

  it('measures the lag on the replica itself', async () => {
    const h = await openPostgres(replica, 1);
    try {
      const lag = await measureReplicaLag(h.db);
      expect(lag).not.toBeNull();
      expect(lag!.seconds).toBeGreaterThanOrEqual(0);
    } finally {
      await h.close();
    }
    const p = await openPostgres(primary, 1);
    try {
      expect(await measureReplicaLag(p.db)).toBeNull();
    } finally {
      await p.close();
    }
  });
});
