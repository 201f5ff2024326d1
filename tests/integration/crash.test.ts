/**
 * Crash safety of the built server: signed-in learners post lesson checks without pause; once enough
 * have been acknowledged (their 303 received) while others are still in flight, the server is killed
 * with SIGKILL. Restarted on the same database, it has every acknowledged submission, each readable by
 * its learner. Deterministic: the kill is triggered by a count of responses, never by a clock.
 * Runs on PGlite (the data folder, its stale lock left by the killed process) and on Postgres.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getCatalog } from '../../src/server/content/catalog.ts';
import { openPglite, openPostgres, type DbHandle } from '../../src/server/db/connect.ts';
import { paths } from '../../src/lib/editions.ts';
import { openLessonCheck } from '../../src/server/learning/learning.ts';
import { checkAnswers } from '../setup/answers.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';

const COURSE = 'trinh-duyet-an-toan';
const LEARNERS = 3;
const IN_FLIGHT_PER_LEARNER = 2;
/** Acknowledged submissions before the kill. */
const KILL_AFTER = 40;
/** Bound on the load, so a server that stops acknowledging fails the test instead of hanging it. */
const MAX_SENDS = 400;

// Shared with the server, so the test can answer the checks it hands out (their layout is sealed).
process.env.FORM_SECRET = 'crash-test-form-secret-0123456789abcdefgh';

let server: TestServer;
beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer({ FORM_SECRET: process.env.FORM_SECRET! });
}, 180_000);
afterAll(() => server?.stop());

interface Ack {
  learner: number;
  path: string;
  submissionId: string;
}

it('keeps every acknowledged lesson-check submission across a SIGKILL mid-load', async () => {
  const lessons = getCatalog().bySlug.get(COURSE)!.editions.citizen!.lessons;
  const clients: Client[] = [];
  for (let i = 0; i < LEARNERS; i++) {
    const c = new Client(server.url);
    const r = await c.post('/dang-ky', { displayName: `Người học ${i + 1}`, phone: `09170000${String(i).padStart(2, '0')}`, password: 'vườn nhà có ba cây bưởi', next: '/' });
    expect(r.status).toBe(303);
    clients.push(c);
  }

  // One sealed layout per lesson and its right answers, as a learner's browser would post them.
  const forms = await Promise.all(
    lessons.map(async (lesson) => {
      const { token } = await openLessonCheck({ course: COURSE, edition: 'citizen', lessonId: lesson.id });
      const right = [...(await checkAnswers(lesson.check, token))].flatMap(([k, vs]) => vs.map((v): [string, string] => [k, v]));
      return { token, right };
    }),
  );

  const acked: Ack[] = [];
  let sent = 0;
  let failed = 0;
  const refused: number[] = [];
  let inFlight = 0;
  let inFlightAtKill = -1;
  let killing: Promise<void> | undefined;

  /** One learner's stream of submissions, one at a time, until the server is gone. */
  const stream = async (learner: number, offset: number) => {
    for (let k = offset; !killing && sent < MAX_SENDS; k++) {
      const lesson = lessons[k % lessons.length]!;
      const form = forms[k % lessons.length]!;
      // Alternate right and wrong (blank) answers: right ones also write lesson progress.
      const fields: [string, string][] = [['token', form.token], ...(k % 2 ? form.right : [])];
      const p = paths.lesson(COURSE, 'citizen', lesson.id);
      sent++;
      inFlight++;
      try {
        const r = await clients[learner]!.post(`${p}/kiem-tra`, fields);
        if (r.status !== 303) {
          // Not acknowledged (on a starved machine the pool may time out getting a connection: 500).
          // Nothing is claimed about it; the property is about acknowledged submissions only.
          refused.push(r.status);
          await r.body?.cancel();
          continue;
        }
        const id = /\?ket-qua=([0-9a-f-]{36})$/.exec(r.headers.get('location') ?? '')?.[1];
        if (!id) throw new Error(`no submission id in ${r.headers.get('location')}`);
        // Also when the kill is already under way: an answered request is acknowledged, so it must be kept.
        acked.push({ learner, path: p, submissionId: id });
      } catch (err) {
        // Only a refused or reset connection after the kill is expected.
        if (!killing) throw err;
        failed++;
        return;
      } finally {
        inFlight--;
      }
      if (!killing && acked.length >= KILL_AFTER && inFlight > 0) {
        inFlightAtKill = inFlight;
        killing = server.kill('SIGKILL');
      }
    }
  };
  const streams: Promise<void>[] = [];
  for (let i = 0; i < LEARNERS; i++) for (let j = 0; j < IN_FLIGHT_PER_LEARNER; j++) streams.push(stream(i, j * 3));
  await Promise.all(streams);
  await killing;
  expect(killing, `the server acknowledged only ${acked.length} of ${sent} submissions (others: ${refused.join(', ')}); server said:\n${server.output().slice(-2000)}`).toBeDefined();
  expect(inFlightAtKill).toBeGreaterThan(0);
  expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER);

  await server.restart();
  // Each acknowledged submission is there, and its learner (whose session survived too) can read it.
  for (const a of acked) {
    const r = await clients[a.learner]!.get(`${a.path}/kiem-tra?ket-qua=${a.submissionId}`);
    expect(r.status, a.submissionId).toBe(200);
    expect(await r.text()).toMatch(/Kết quả kiểm tra: \d+\/\d+ câu đúng/);
  }

  // And in the tables: count them with the server stopped (PGlite admits one process per folder).
  await server.kill('SIGTERM');
  const db: DbHandle = server.database.url ? await openPostgres(server.database.url, 1) : await openPglite({ dataDir: path.join(server.database.dataDir!, 'db') });
  try {
    const ids = acked.map((a) => a.submissionId);
    const stored = await db.db.selectFrom('lesson_submission').select('id').where('id', 'in', ids).execute();
    const total = await sql<{ n: number }>`select count(*)::int as n from lesson_submission where user_id is not null`.execute(db.db);
    expect(stored.length).toBe(acked.length);
    console.log(
      `crash test (${db.kind}): ${sent} sent, ${acked.length} acknowledged, ${inFlightAtKill} in flight at SIGKILL, ` +
        `${failed} cut off, ${refused.length} refused before the kill; after restart ${stored.length}/${acked.length} acknowledged found, ${total.rows[0]!.n} stored in all`,
    );
  } finally {
    await db.close();
  }
}, 300_000);
