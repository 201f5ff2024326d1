/**
 * Certificate lookups and revocation status lists on a real database: the public lookup is two
 * indexed queries (counted with a Kysely plugin, each one EXPLAINed with sequential scans disabled),
 * every foreign key of the whole schema has an index, and status lists built from the rows decode
 * (with the library) to the right bits across list boundaries.
 */
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import { CompiledQuery, sql, type Kysely, type KyselyPlugin, type Transaction } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
process.env.SITE_URL = 'https://hocso.example.vn';
import type { Database } from '../../src/server/db/schema.ts';
import { findCertificate, reissueCertificate, revokeCertificate, verifyCertificate } from '../../src/server/certificates/certificates.ts';
import { openBadgeCredential, statusListCredential } from '../../src/server/certificates/openbadge.ts';
import { buildStatusList, credentialStatusEntry, STATUS_LIST_SIZE } from '../../src/server/certificates/status-list.ts';
import { generateCode } from '../../src/server/certificates/code.ts';
import { createTestDb } from '../setup/db.ts';

const SITE = 'https://hocso.example.vn';
let db: Kysely<Database>;
let n = 0;
beforeAll(async () => {
  db = (await createTestDb()).db;
});

/** A learner holding a fresh certificate (inserted as issuing does, so status_index comes from the sequence). */
async function certificate(): Promise<{ userId: string; code: string; statusIndex: number }> {
  n++;
  const user = await db
    .insertInto('user')
    .values({ phone: `+8491500${String(n).padStart(4, '0')}`, display_name: `Người học ${n}`, password_hash: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const row = await db
    .insertInto('certificate')
    .values({ code: generateCode(), user_id: user.id, course_slug: 'khoa-thu-nghiem', edition: 'citizen', learner_name: `Người học ${n}`, course_title: 'Khóa thử', content_version: 1 })
    .returning(['code', 'status_index'])
    .executeTakeFirstOrThrow();
  return { userId: user.id, code: row.code, statusIndex: row.status_index };
}

async function admin(): Promise<string> {
  n++;
  const row = await db.insertInto('user').values({ phone: `+8491600${String(n).padStart(4, '0')}`, display_name: 'Quản trị', password_hash: null, role: 'admin' }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Runs `f` on a db that records every query it executes (compiled SQL and parameters). */
async function recorded<T>(f: (db: Kysely<Database>) => Promise<T>): Promise<{ value: T; queries: CompiledQuery[] }> {
  const queries: CompiledQuery[] = [];
  const nodes = new WeakMap<object, CompiledQuery>();
  let counting: Kysely<Database>;
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      nodes.set(args.queryId, counting.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    // Called once per executed query (compiling alone never reaches it).
    async transformResult(args) {
      queries.push(nodes.get(args.queryId)!);
      return args.result;
    },
  };
  counting = db.withPlugin(plugin);
  return { value: await f(counting), queries };
}

/** EXPLAIN of a query with sequential scans priced out: any Seq Scan left means no index can serve it. */
async function plan(q: CompiledQuery): Promise<string> {
  return db.transaction().execute(async (trx: Transaction<Database>) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const r = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
    return r.rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

describe('public lookup', () => {
  it('costs two indexed queries — the rate-limit row and one certificate query with both reissue neighbours', async () => {
    const a = await certificate();
    const adminId = await admin();
    const fresh = await reissueCertificate(db, adminId, a.code, { kind: 'corrected', name: 'Người Học Đã Sửa Tên' });
    const third = await reissueCertificate(db, adminId, fresh.code, { kind: 'corrected', name: 'Người Học Sửa Lần Hai' });
    // The middle one has both a predecessor and a successor: the widest view.
    const { value: middle, queries } = await recorded((d) => verifyCertificate(d, fresh.code, 'client-count'));
    expect(middle).toMatchObject({ code: fresh.code, status: 'replaced', replacesCode: a.code, replacedByCode: third.code });
    expect(queries).toHaveLength(2);
    expect(queries[0]!.sql).toMatch(/from "rate_limit"/);
    expect(queries[1]!.sql).toMatch(/from "certificate" as "c" left join "certificate" as "next" .* left join "certificate" as "prev"/);
    for (const q of queries) {
      const p = await plan(q);
      expect(p, q.sql).not.toMatch(/Seq Scan/);
      expect(p, q.sql).toMatch(/Index (Only )?Scan|Bitmap Index Scan/);
    }
    // The certificate query reaches both neighbours through indexes: the primary key and replaced_by's.
    const certPlan = await plan(queries[1]!);
    expect(certPlan).toMatch(/certificate_code_key/);
    expect(certPlan).toMatch(/certificate_pkey/);
    expect(certPlan).toMatch(/certificate_replaced_by_uq/);

    // Also for a revoked certificate; admins' lookups are one query (no rate limit).
    await revokeCertificate(db, adminId, third.code, 'Cấp nhầm người');
    const revoked = await recorded((d) => verifyCertificate(d, third.code, 'client-count'));
    expect(revoked.value).toMatchObject({ status: 'revoked', replacesCode: fresh.code, replacedByCode: null });
    expect(revoked.queries).toHaveLength(2);
    expect((await recorded((d) => findCertificate(d, a.code))).queries).toHaveLength(1);
  });

  it('refuses a second certificate claiming to replace the same one (unique replaced_by)', async () => {
    const a = await certificate();
    const b = await certificate();
    const c = await certificate();
    const id = async (code: string) => (await db.selectFrom('certificate').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
    await db.updateTable('certificate').set({ replaced_by: await id(c.code), replaced_at: new Date() }).where('code', '=', a.code).execute();
    await expect(db.updateTable('certificate').set({ replaced_by: await id(c.code), replaced_at: new Date() }).where('code', '=', b.code).execute()).rejects.toThrow(/certificate_replaced_by_uq|duplicate|unique/i);
  });
});

describe('schema', () => {
  it('gives every foreign key, in every table, a full index led by its columns', async () => {
    // For each foreign key: is there a non-partial index whose first columns are exactly the key's?
    const r = await sql<{ fk: string; missing: boolean }>`
      select c.conrelid::regclass::text || '(' || (
               select string_agg(a.attname, ', ' order by k.ord)
               from unnest(c.conkey) with ordinality as k(attnum, ord)
               join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
             ) || ')' as fk,
             not exists (
               select 1 from pg_index i
               where i.indrelid = c.conrelid and i.indpred is null
                 and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] @> c.conkey
                 and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] <@ c.conkey
             ) as missing
      from pg_constraint c
      where c.contype = 'f' and c.connamespace = 'public'::regnamespace
      order by 1`.execute(db);
    expect(r.rows.length).toBeGreaterThan(20);
    expect(r.rows.filter((row) => row.missing).map((row) => row.fk)).toEqual([]);
    // The check can fail: a foreign key without an index is reported.
    await db.transaction().execute(async (trx) => {
      await sql`create table fk_probe (id int primary key, user_id uuid references "user"(id))`.execute(trx);
      const probe = await sql<{ n: number }>`
        select count(*)::int as n from pg_constraint c
        where c.conrelid = 'fk_probe'::regclass and c.contype = 'f' and not exists (
          select 1 from pg_index i where i.indrelid = c.conrelid and i.indpred is null
            and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] @> c.conkey)`.execute(trx);
      expect(probe.rows[0]!.n).toBe(1);
      await sql`drop table fk_probe`.execute(trx);
    });
  });
});

describe('revocation status lists', () => {
  const bitOf = async (statusIndex: number) => {
    const entry = credentialStatusEntry(statusIndex);
    const list = Number(/\/(\d+)$/.exec(entry.statusListCredential)![1]);
    const built = (await buildStatusList(db, list))!;
    const decoded = await decodeList({ encodedList: statusListCredential(built).credentialSubject.encodedList });
    expect(decoded.length).toBe(STATUS_LIST_SIZE);
    return decoded.getStatus(Number(entry.statusListIndex));
  };

  it('puts a BitstringStatusListEntry in every credential, and sets the bit on revocation and on reissue', async () => {
    const adminId = await admin();
    const valid = await certificate();
    const revoked = await certificate();
    const reissued = await certificate();
    const view = (await findCertificate(db, valid.code))!;
    const credential = openBadgeCredential(view);
    expect(credential.credentialStatus).toEqual({
      id: `${SITE}/chung-nhan/trang-thai/1#${valid.statusIndex}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(valid.statusIndex),
      statusListCredential: `${SITE}/chung-nhan/trang-thai/1`,
    });
    for (const c of [valid, revoked, reissued]) expect(await bitOf(c.statusIndex)).toBe(false);

    await revokeCertificate(db, adminId, revoked.code, 'Nhờ người khác làm bài');
    const fresh = await reissueCertificate(db, adminId, reissued.code, { kind: 'corrected', name: 'Tên Đã Sửa' });
    expect(await bitOf(valid.statusIndex)).toBe(false);
    expect(await bitOf(revoked.statusIndex)).toBe(true);
    expect(await bitOf(reissued.statusIndex)).toBe(true);
    // The replacement has a position of its own, and it is not set.
    expect(fresh.statusIndex).not.toBe(reissued.statusIndex);
    expect(await bitOf(fresh.statusIndex)).toBe(false);

    const built = (await buildStatusList(db, 1))!;
    expect(statusListCredential(built)).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: `${SITE}/chung-nhan/trang-thai/1`,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: `${SITE}/chung-nhan/to-chuc-cap.json`,
      credentialSubject: { id: `${SITE}/chung-nhan/trang-thai/1#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', ttl: 300_000 },
    });
  });

  it('spreads positions over lists of 131,072 and builds each from an index over the set positions', async () => {
    // Jump the sequence to the end of list 1 instead of inserting 131,072 rows.
    await sql`select setval('certificate_status_index_seq', ${STATUS_LIST_SIZE - 2})`.execute(db);
    const last = await certificate();
    const first = await certificate();
    expect(last.statusIndex).toBe(STATUS_LIST_SIZE - 1);
    expect(first.statusIndex).toBe(STATUS_LIST_SIZE);
    expect(credentialStatusEntry(last.statusIndex)).toMatchObject({ statusListIndex: String(STATUS_LIST_SIZE - 1), statusListCredential: `${SITE}/chung-nhan/trang-thai/1` });
    expect(credentialStatusEntry(first.statusIndex)).toMatchObject({ statusListIndex: '0', statusListCredential: `${SITE}/chung-nhan/trang-thai/2` });
    const adminId = await admin();
    await revokeCertificate(db, adminId, last.code, 'Thu hồi để thử');
    await revokeCertificate(db, adminId, first.code, 'Thu hồi để thử');
    expect(await bitOf(last.statusIndex)).toBe(true);
    expect(await bitOf(first.statusIndex)).toBe(true);
    const list2 = await decodeList({ encodedList: (await buildStatusList(db, 2))!.base.credentialSubject.encodedList });
    expect([0, 1, 2].map((i) => list2.getStatus(i))).toEqual([true, false, false]);

    // Lists nobody is in yet, or past the int4 range, do not exist.
    expect(await buildStatusList(db, 3)).toBeUndefined();
    expect(await buildStatusList(db, 2_147_483_647)).toBeUndefined();

    // Two indexed queries, the set positions read through the partial index.
    const { queries } = await recorded((d) => buildStatusList(d, 2));
    expect(queries).toHaveLength(2);
    expect(await plan(queries[0]!)).toMatch(/certificate_status_index_uq/);
    expect(await plan(queries[1]!)).toMatch(/certificate_status_set_idx/);
  });
});
