/**
 * npm run db:backup / db:restore, round trip on the database the suite runs on (PGlite, or Postgres when
 * DATABASE_URL is set): seed learners, progress and a certificate; back up; change and delete data;
 * restore; every table comes back row for row. Also the refusals: a running server holding the PGlite
 * folder, a non-empty target without --force, a file of the wrong kind, a damaged file.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
import { getCatalog } from '../../src/server/content/catalog.ts';
import { openPglite, openPostgres, type DbHandle } from '../../src/server/db/connect.ts';
import { migrateToLatest } from '../../src/server/db/migrate.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { markLessonDone, startFinalQuiz, submitFinalQuiz } from '../../src/server/learning/learning.ts';
import { certificatesOfUser } from '../../src/server/certificates/certificates.ts';
import { correctFields, formOf } from '../setup/answers.ts';
import { createTestDb } from '../setup/db.ts';
import { createScratchDb, runTempDir, type ScratchDb } from '../setup/pg-admin.ts';

const run = promisify(execFile);
const onPostgres = Boolean(process.env.DATABASE_URL);
const COURSE = 'khoa-thu-nghiem';
// Each CLI run opens the database in a new process: seconds on a busy machine.
const SLOW = 300_000;

const scratch = runTempDir('backup');
const scratchDbs: ScratchDb[] = [];
afterAll(async () => {
  for (const d of scratchDbs) await d.drop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Where the database under test lives, as the CLIs see it (environment) and as the test opens it. */
interface Target {
  env: NodeJS.ProcessEnv;
  open: () => Promise<DbHandle>;
}
let main: Target;

function pgliteTarget(dir: string): Target {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir };
  delete env.DATABASE_URL;
  return { env, open: () => openPglite({ dataDir: path.join(dir, 'db') }) };
}

function postgresTarget(url: string): Target {
  return { env: { ...process.env, DATABASE_URL: url }, open: () => openPostgres(url, 2) };
}

beforeAll(async () => {
  if (onPostgres) {
    const t = await createTestDb();
    main = postgresTarget(t.url!);
  } else {
    main = pgliteTarget(path.join(scratch, 'main'));
  }
}, SLOW);

/** Opens, runs `f`, closes (PGlite must be closed again before a CLI can take the folder). */
async function withDb<T>(target: Target, f: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const h = await target.open();
  try {
    return await f(h.db);
  } finally {
    await h.close();
  }
}

async function cli(script: 'backup' | 'restore', target: Target, args: string[]) {
  return run(process.execPath, [`src/cli/${script}.ts`, ...args], { env: target.env }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

/** Every row of every table, as sorted JSON lines per table: equal snapshots mean equal data. */
async function snapshot(db: Kysely<Database>): Promise<Record<string, string[]>> {
  const tables = await sql<{ t: string }>`select table_name as t from information_schema.tables where table_schema = 'public' order by 1`.execute(db);
  const out: Record<string, string[]> = {};
  for (const { t } of tables.rows) {
    const rows = await sql<{ j: string }>`select (to_jsonb(x))::text as j from ${sql.table(t)} as x`.execute(db);
    out[t] = rows.rows.map((r) => r.j).sort();
  }
  return out;
}

let n = 0;
async function newUser(db: Kysely<Database>, name: string): Promise<string> {
  n++;
  const row = await db
    .insertInto('user')
    .values({ phone: `+8491500${String(n).padStart(4, '0')}`, display_name: name, password_hash: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Learners with progress, one of them with a certificate. */
async function seed(db: Kysely<Database>) {
  const course = getCatalog().bySlug.get(COURSE)!;
  const lessons = course.editions.citizen!.lessons;
  const graduate = await newUser(db, 'Trần Thị Lan');
  for (const l of lessons) await markLessonDone(db, { userId: graduate }, { course: COURSE, edition: 'citizen', lessonId: l.id }, 'test-client');
  const quiz = await startFinalQuiz(db, graduate, COURSE, 'citizen');
  const attempt = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
  await submitFinalQuiz(db, graduate, quiz.attemptId, formOf(attempt.questions.flatMap((d, i) => correctFields(course.questions.get(d.id)!, d.order, i))), 'test-client');
  const [certificate] = await certificatesOfUser(db, graduate);
  expect(certificate?.status).toBe('valid');
  for (const name of ['Nguyễn Văn Đức', 'Lê Thị Ánh Tuyết']) {
    const u = await newUser(db, name);
    await markLessonDone(db, { userId: u }, { course: COURSE, edition: 'citizen', lessonId: lessons[0]!.id }, 'test-client');
  }
  return { graduate, code: certificate!.code };
}

/** Changes and deletes data, as a mistake or an attack would. */
async function damage(db: Kysely<Database>, graduate: string) {
  await db.deleteFrom('certificate').execute();
  await db.deleteFrom('lesson_progress').where('user_id', '=', graduate).execute();
  await db.updateTable('user').set({ display_name: 'Tên bị sửa' }).execute();
  await newUser(db, 'Người đến sau');
}

describe('backup and restore', () => {
  let before: Record<string, string[]>;
  let seeded: { graduate: string; code: string };
  const file = path.join(scratch, onPostgres ? 'hocso.dump' : 'hocso.tar.gz');

  it('backs up a seeded database (and refuses to overwrite a backup file)', async () => {
    seeded = await withDb(main, async (db) => {
      await migrateToLatest(db);
      return seed(db);
    });
    before = await withDb(main, snapshot);
    expect(before.user!.length).toBe(3);
    expect(before.certificate!.length).toBe(1);
    expect(before.lesson_progress!.length).toBeGreaterThan(2);

    const r = await cli('backup', main, ['--file', file]);
    expect(r.out).toMatch(/Đã sao lưu/);
    expect(r.code).toBe(0);
    expect(fs.statSync(file).size).toBeGreaterThan(1000);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(scratch).filter((f) => f.includes('.partial-'))).toEqual([]);

    const again = await cli('backup', main, ['--file', file]);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/đã có: chọn tên khác/);
  }, SLOW);

  it('refuses to restore over data without --force, then restores everything with it', async () => {
    await withDb(main, (db) => damage(db, seeded.graduate));
    const damaged = await withDb(main, snapshot);
    expect(damaged.certificate).toEqual([]);

    const refused = await cli('restore', main, ['--file', file]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/đã có dữ liệu \(\d+ bảng\).*--force/);
    expect(await withDb(main, snapshot)).toEqual(damaged);

    const r = await cli('restore', main, ['--file', file, '--force']);
    expect(r.out).toMatch(/Đã khôi phục/);
    expect(r.code).toBe(0);
    const after = await withDb(main, snapshot);
    expect(after).toEqual(before);
    // A few values, spelled out.
    await withDb(main, async (db) => {
      const cert = await db.selectFrom('certificate').innerJoin('user', 'user.id', 'certificate.user_id').select(['code', 'display_name', 'learner_name']).executeTakeFirstOrThrow();
      expect(cert).toEqual({ code: seeded.code, display_name: 'Trần Thị Lan', learner_name: 'Trần Thị Lan' });
      expect((await db.selectFrom('user').select('display_name').orderBy('display_name').execute()).map((u) => u.display_name)).toEqual(['Lê Thị Ánh Tuyết', 'Nguyễn Văn Đức', 'Trần Thị Lan']);
    });
    if (!onPostgres) {
      // The replaced data is kept aside, not deleted.
      expect(r.out).toMatch(/Dữ liệu cũ được giữ ở/);
      expect(fs.readdirSync(path.join(scratch, 'main')).some((d) => d.startsWith('db.replaced-'))).toBe(true);
    }
  }, SLOW);

  it('restores into an empty target without --force', async () => {
    let empty: Target;
    if (onPostgres) {
      const d = await createScratchDb(process.env.DATABASE_URL!, 'restore');
      scratchDbs.push(d);
      empty = postgresTarget(d.url);
    } else {
      empty = pgliteTarget(path.join(scratch, 'empty'));
    }
    const r = await cli('restore', empty, ['--file', file]);
    expect(r.out).toMatch(/Đã khôi phục/);
    expect(r.code).toBe(0);
    expect(await withDb(empty, snapshot)).toEqual(before);
  }, SLOW);

  it('refuses files of the wrong kind, damaged files and missing files, leaving the data as it was', async () => {
    const wrongKind = path.join(scratch, onPostgres ? 'other.tar.gz' : 'other.dump');
    fs.writeFileSync(wrongKind, onPostgres ? Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]) : 'PGDMP\x01\x0e');
    const damaged = path.join(scratch, onPostgres ? 'damaged.dump' : 'damaged.tar.gz');
    const whole = fs.readFileSync(file);
    fs.writeFileSync(damaged, whole.subarray(0, Math.floor(whole.length / 3)));
    const text = path.join(scratch, 'notes.txt');
    fs.writeFileSync(text, 'không phải bản sao lưu');

    const cases: [string[], RegExp][] = [
      [['--file', wrongKind, '--force'], onPostgres ? /bản sao lưu PGlite.*Postgres/ : /bản sao lưu Postgres.*PGlite/],
      [['--file', damaged, '--force'], /hỏng/],
      [['--file', text, '--force'], /không phải bản sao lưu của Học Số/],
      [['--file', path.join(scratch, 'khong-co.dump')], /Không tìm thấy tệp sao lưu/],
      [[], /thiếu --file/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('restore', main, args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.out).toMatch(message);
      expect(r.out).not.toMatch(/\bat .+\(|node_modules/);
    }
    expect(await withDb(main, snapshot)).toEqual(before);
    if (!onPostgres) expect(fs.readdirSync(path.join(scratch, 'main')).some((d) => d.includes('.restoring-'))).toBe(false);
  }, SLOW);

  it.skipIf(onPostgres)('refuses to back up or restore a PGlite folder while the server holds it', async () => {
    const handle = await main.open();
    try {
      for (const [script, args] of [
        ['backup', ['--file', path.join(scratch, 'while-running.tar.gz')]],
        ['restore', ['--file', file, '--force']],
      ] as const) {
        const r = await cli(script, main, [...args]);
        expect(r.code).toBe(1);
        expect(r.out).toMatch(/Không (sao lưu|khôi phục) được lúc này\. .*đang được tiến trình \d+ sử dụng/);
      }
      expect(fs.existsSync(path.join(scratch, 'while-running.tar.gz'))).toBe(false);
    } finally {
      await handle.close();
    }
  }, SLOW);
});
