/**
 * Lesson checks answered offline and replayed (src/lib/offline/queue.ts → kiem-tra POST with `key`):
 * stored once whatever the number of replays, sequential or parallel; a replay returns the stored
 * result; keys are never shared between learners; answers stay bound to the account whose form it was.
 * Real database (PGlite, or Postgres with DATABASE_URL).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
process.env.FORM_SECRET = 'offline-test-form-secret-0123456789abcdef';
import type { Database } from '../../src/server/db/schema.ts';
import { lessonCheckFeedback, openLessonCheck, submitLessonCheck, WrongOwnerError } from '../../src/server/learning/learning.ts';
import { GUEST_OWNER, ownerKey } from '../../src/server/learning/owner-key.ts';
import { getCatalog } from '../../src/server/content/catalog.ts';
import { createTestDb } from '../setup/db.ts';
import { checkAnswers } from '../setup/answers.ts';

let db: Kysely<Database>;
let n = 0;
beforeAll(async () => {
  db = (await createTestDb()).db;
});

async function newUser(): Promise<string> {
  n++;
  const row = await db
    .insertInto('user')
    .values({ phone: `+8491400${String(n).padStart(4, '0')}`, display_name: `Người học ${n}`, password_hash: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const ref = { course: 'khoa-thu-nghiem', edition: 'citizen' as const, lessonId: 'bai-chung-mot' };
const lesson = () => getCatalog().bySlug.get('khoa-thu-nghiem')!.editions.citizen!.lessons.find((l) => l.id === ref.lessonId)!;
const rows = async (key: string) => db.selectFrom('lesson_submission').select(['id', 'user_id']).where('client_key', '=', key).execute();
const progressRows = async (userId: string) => (await db.selectFrom('lesson_progress').select('lesson_id').where('user_id', '=', userId).execute()).length;

async function answered(right = true) {
  const { token } = await openLessonCheck(ref);
  return { token, entries: await checkAnswers(lesson().check, token, right) };
}

describe('offline lesson checks', () => {
  it('stores a replayed check once: three sequential replays return the stored submission', async () => {
    const u = await newUser();
    const key = crypto.randomUUID();
    const { token, entries } = await answered();
    const send = { clientKey: key, owner: ownerKey(u) };
    const first = await submitLessonCheck(db, { userId: u }, ref, token, entries, 'c1', undefined, send);
    expect(first).toMatchObject({ passed: true, replay: false });
    for (let i = 0; i < 3; i++) {
      const again = await submitLessonCheck(db, { userId: u }, ref, token, entries, 'c1', undefined, send);
      expect(again).toEqual({ submissionId: first.submissionId, passed: true, replay: true });
    }
    expect(await rows(key)).toHaveLength(1);
    expect(await progressRows(u)).toBe(1);
  });

  it('stores parallel replays once', async () => {
    const u = await newUser();
    const key = crypto.randomUUID();
    const { token, entries } = await answered();
    const all = await Promise.all(Array.from({ length: 6 }, () => submitLessonCheck(db, { userId: u }, ref, token, entries, 'c2', undefined, { clientKey: key, owner: ownerKey(u) })));
    expect(new Set(all.map((r) => r.submissionId)).size).toBe(1);
    expect(all.filter((r) => !r.replay).length).toBe(1);
    expect(await rows(key)).toHaveLength(1);
  });

  it('never lets another learner reuse or read a key', async () => {
    const [a, b] = [await newUser(), await newUser()];
    const key = crypto.randomUUID();
    const { token, entries } = await answered();
    await submitLessonCheck(db, { userId: a }, ref, token, entries, 'c3', undefined, { clientKey: key });
    await expect(submitLessonCheck(db, { userId: b }, ref, token, entries, 'c3', undefined, { clientKey: key })).rejects.toMatchObject({ status: 409 });
    await expect(submitLessonCheck(db, { guestTokenHash: 'guest-x' }, ref, token, entries, 'c3', undefined, { clientKey: key })).rejects.toMatchObject({ status: 409 });
    const stored = await rows(key);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.user_id).toBe(a);
  });

  it('refuses answers made in a form opened for another account, and stores nothing', async () => {
    const [a, b] = [await newUser(), await newUser()];
    const key = crypto.randomUUID();
    const { token, entries } = await answered();
    await expect(submitLessonCheck(db, { userId: b }, ref, token, entries, 'c4', undefined, { clientKey: key, owner: ownerKey(a) })).rejects.toBeInstanceOf(WrongOwnerError);
    await expect(submitLessonCheck(db, { guestTokenHash: 'guest-y' }, ref, token, entries, 'c4', undefined, { clientKey: key, owner: ownerKey(a) })).rejects.toBeInstanceOf(WrongOwnerError);
    expect(await rows(key)).toHaveLength(0);
    // A guest's form may be sent after signing in on the same phone (guest work is claimed the same way).
    const ok = await submitLessonCheck(db, { userId: b }, ref, token, entries, 'c4', undefined, { clientKey: key, owner: GUEST_OWNER });
    expect(ok.replay).toBe(false);
  });

  it('says so when an answer arrives after the lesson was already complete', async () => {
    const u = await newUser();
    const first = await answered();
    const done = await submitLessonCheck(db, { userId: u }, ref, first.token, first.entries, 'c5');
    expect((await lessonCheckFeedback(db, { userId: u }, done.submissionId)).completedBefore).toBeNull();
    const late = await answered(false);
    const r = await submitLessonCheck(db, { userId: u }, ref, late.token, late.entries, 'c5', undefined, { clientKey: crypto.randomUUID(), owner: ownerKey(u) });
    const feedback = await lessonCheckFeedback(db, { userId: u }, r.submissionId);
    expect(feedback.passed).toBe(false);
    expect(feedback.completedBefore).toBeInstanceOf(Date);
    expect(await progressRows(u)).toBe(1);
  });
});
