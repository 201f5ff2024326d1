/**
 * Item analysis end to end on the real database (PGlite or Postgres): lesson checks and final quizzes
 * submitted through the learning rules, then the figures read back: attempts, shares, options, the
 * median from time buckets, flags, the edition filter, a question version change, and the CSV.
 */
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
process.env.FORM_SECRET = 'items-test-form-secret-0123456789abcdef-0123';
import type { Question } from '../../src/lib/content/schema.ts';
import { getCatalog, questionVersion, type Course } from '../../src/server/content/catalog.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { itemAnalysis, itemAnalysisTable, type ItemAnalysis, type ItemRow } from '../../src/server/items/analysis.ts';
import { recordItemAnswers } from '../../src/server/items/record.ts';
import { bucketOf } from '../../src/server/items/timing.ts';
import { openLessonCheck, startFinalQuiz, submitFinalQuiz, submitLessonCheck } from '../../src/server/learning/learning.ts';
import { fieldName, type AskedQuestion } from '../../src/server/learning/quiz.ts';
import { csvResponse } from '../../src/server/teams/export.ts';
import { askedByToken, correctFields, formOf } from '../setup/answers.ts';
import { createTestDb } from '../setup/db.ts';

let db: Kysely<Database>;
beforeAll(async () => {
  db = (await createTestDb()).db;
});

const SLUG = 'khoa-thu-nghiem';
const course = () => getCatalog().bySlug.get(SLUG)!;
const lesson = (id: string) => course().editions.member!.lessons.find((l) => l.id === id)!;
const row = (a: ItemAnalysis, id: string) => a.rows.find((r) => r.question.id === id)!;
const option = (r: ItemRow, id: string) => r.options.find((o) => o.id === id)!;
let n = 0;
const unique = () => `${process.pid}-${++n}`;

type Answerer = (a: AskedQuestion, index: number) => [string, string][];

/** Opens a check at `opened`, answers it with `answer` and posts it at `opened + elapsedMs`, as a fresh guest. */
async function submitCheck(lessonId: string, edition: 'citizen' | 'member', answer: Answerer, elapsedMs: number, opened = new Date('2026-12-07T08:00:00Z')) {
  const ref = { course: SLUG, edition, lessonId };
  const { token } = await openLessonCheck(ref, opened);
  const asked = await askedByToken(lesson(lessonId).check, token);
  const pairs = asked.flatMap((a, i) => answer(a, i));
  const guest = `g${unique()}`.padEnd(64, '0');
  return submitLessonCheck(db, { guestTokenHash: guest }, ref, token, formOf(pairs), `client-${unique()}`, new Date(opened.getTime() + elapsedMs));
}

/** The ordering question answered with its first step right and the other two swapped (wrong). */
function firstStepRight(a: AskedQuestion, i: number): [string, string][] {
  if (a.q.type !== 'order') throw new Error('not an ordering question');
  const want = [a.q.steps[0]!.id, a.q.steps[2]!.id, a.q.steps[1]!.id];
  return a.order.map((id, k) => [`${fieldName(i)}-${k}`, String(want.indexOf(id) + 1)]);
}

describe('lesson checks', () => {
  // 32 guests: c1-single right 31 times and blank once; c1-order always with only its first step right.
  // 30 of them ran the timing script (5 s on c1-single, 0 = nothing measured on c1-order and on the blank
  // answer), 2 did not (all fields blank: 40 s split evenly over the two questions).
  beforeAll(async () => {
    await Promise.all(
      Array.from({ length: 32 }, (_, k) =>
        submitCheck(
          'bai-chung-mot',
          'citizen',
          (a, i) => {
            const time = (ms: string): [string, string][] => (k < 30 ? [[`t${i + 1}`, ms]] : [[`t${i + 1}`, '']]);
            if (a.q.id === 'c1-single') return k === 0 ? time('0') : [...correctFields(a.q, a.order, i), ...time('5000')];
            return [...firstStepRight(a, i), ...time('0')];
          },
          40_000,
        ),
      ),
    );
  });

  it('counts attempts, right and blank answers and each option, for the current version', async () => {
    const a = await itemAnalysis(db, SLUG, 'citizen');
    const s = row(a, 'c1-single');
    expect(s.source).toBe('check');
    expect(s.lesson?.id).toBe('bai-chung-mot');
    expect(s.version).toBe(questionVersion(course().questions.get('c1-single')!));
    expect(s.figures).toMatchObject({ attempts: 32, correct: 31, answered: 31 });
    expect(s.figures.correctShare).toBeCloseTo(31 / 32);
    expect(s.figures.blankShare).toBeCloseTo(1 / 32);
    expect(option(s, 'mkleakoptb')).toMatchObject({ chosen: 31, correct: true });
    expect(option(s, 'mkleakopta')).toMatchObject({ chosen: 0, correct: false, share: 0 });
    const o = row(a, 'c1-order');
    expect(o.figures).toMatchObject({ attempts: 32, correct: 0, answered: 32 });
    expect(o.options.map((x) => [x.id, x.chosen])).toEqual([
      ['mkleakstepa', 32],
      ['mkleakstepb', 0],
      ['mkleakstepc', 0],
    ]);
  });

  it('reads the median time from the buckets: measured times, or the elapsed time split when no script ran', async () => {
    const a = await itemAnalysis(db, SLUG, 'citizen');
    const s = row(a, 'c1-single');
    // 29 answers measured at 5 s (the blank one has no time) and 2 at 20 s (40 s over two questions).
    expect(s.figures.timed).toBe(31);
    expect(bucketOf(s.figures.median!.ms)).toBe(bucketOf(5000));
    const o = row(a, 'c1-order');
    // The script measured nothing for it in 30 submissions: only the two without a script count.
    expect(o.figures.timed).toBe(2);
    expect(bucketOf(o.figures.median!.ms)).toBe(bucketOf(20_000));
  });

  it('never records more time than passed since the check was opened', async () => {
    await submitCheck('bai-thanh-vien', 'member', (a, i) => [...correctFields(a.q, a.order, i), [`t${i + 1}`, '99999999']], 20_000);
    const r = row(await itemAnalysis(db, SLUG, 'member'), 'c3-single');
    expect(r.figures.attempts).toBe(1);
    expect(bucketOf(r.figures.median!.ms)).toBe(bucketOf(20_000));
  });

  it('flags too easy, too hard and unchosen options only past the minimum number of attempts', async () => {
    const a = await itemAnalysis(db, SLUG, 'citizen');
    expect(row(a, 'c1-single').flags).toEqual(['easy', 'unchosen']);
    expect(row(a, 'c1-order').flags).toEqual(['hard']);
    expect(row(a, 'c2-multi').flags).toEqual([]); // never answered
    expect(row(await itemAnalysis(db, SLUG, 'member'), 'c3-single').flags).toEqual([]); // one attempt
    expect(a.flagged).toBe(2);
  });

  it('filters by edition and sums editions when none is chosen', async () => {
    expect(row(await itemAnalysis(db, SLUG, 'member'), 'c1-single').figures.attempts).toBe(0);
    const all = await itemAnalysis(db, SLUG, undefined);
    expect(row(all, 'c1-single').figures.attempts).toBe(32);
    expect(row(all, 'c3-single').figures.attempts).toBe(1);
    // The member-only lesson and final question are not listed for citizens.
    const citizen = await itemAnalysis(db, SLUG, 'citizen');
    expect(citizen.rows.map((r) => r.question.id)).not.toContain('c3-single');
    expect(citizen.rows.map((r) => r.question.id)).not.toContain('f5');
    expect(all.rows.map((r) => r.question.id)).toEqual(expect.arrayContaining(['c3-single', 'f5']));
  });

  it('refuses an unknown course or an edition the course does not have with a 404', async () => {
    await expect(itemAnalysis(db, 'khong-co-khoa-nay', undefined)).rejects.toMatchObject({ status: 404 });
    await expect(itemAnalysis(db, SLUG, 'official')).rejects.toMatchObject({ status: 404 });
  });
});

describe('final quizzes', () => {
  it('count each drawn question under the final pool, timed from the attempt’s start', async () => {
    const before = await itemAnalysis(db, SLUG, 'citizen');
    const finalAttempts = (a: ItemAnalysis) => a.rows.filter((r) => r.source === 'final').reduce((s, r) => s + r.figures.attempts, 0);
    expect(finalAttempts(before)).toBe(0);
    for (let k = 0; k < 2; k++) {
      const user = await db.insertInto('user').values({ phone: `09130${String(k).padStart(5, '0')}`, display_name: `Người học ${k}`, password_hash: null }).returning('id').executeTakeFirstOrThrow();
      const quiz = await startFinalQuiz(db, user.id, SLUG, 'citizen');
      await db.updateTable('quiz_attempt').set({ started_at: sql<Date>`now() - interval '2 minutes'` }).where('id', '=', quiz.attemptId).execute();
      const attempt = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
      const pairs = attempt.questions.flatMap((d, i) => [...correctFields(course().questions.get(d.id)!, d.order, i), [`t${i + 1}`, '1500'] as [string, string]]);
      await submitFinalQuiz(db, user.id, quiz.attemptId, formOf(pairs), `client-${unique()}`);
      // A repeated submission of the same attempt counts nothing more.
      await submitFinalQuiz(db, user.id, quiz.attemptId, formOf(pairs), `client-${unique()}`);
    }
    const after = await itemAnalysis(db, SLUG, 'citizen');
    expect(finalAttempts(after)).toBe(6); // two attempts of three questions
    for (const r of after.rows.filter((x) => x.source === 'final' && x.figures.attempts > 0)) {
      expect(r.figures.correct).toBe(r.figures.attempts);
      expect(r.figures.timed).toBe(r.figures.attempts);
      expect(bucketOf(r.figures.median!.ms)).toBe(bucketOf(1500));
    }
    // The check figures of the same course are untouched.
    expect(row(after, 'c1-single').figures.attempts).toBe(32);
  });
});

describe('question versions', () => {
  it('start fresh figures when a question is rewritten, keeping earlier versions as totals', async () => {
    const c = course();
    const old = c.questions.get('c2-tf-mkleak-that')!;
    const edited = { ...old, prompt: `${old.prompt} (đã sửa)` } as Question;
    expect(questionVersion(edited)).not.toBe(questionVersion(old));
    // Three answers to the version in the content now, then one to the rewritten one.
    for (const answer of [false, false, true]) {
      await db.transaction().execute((trx) =>
        recordItemAnswers(trx, { course: SLUG, edition: 'citizen', source: 'check', asked: [old], answers: new Map([[old.id, answer]]), entries: new Map(), elapsedMs: 10_000 }),
      );
    }
    await db.transaction().execute((trx) =>
      recordItemAnswers(trx, { course: SLUG, edition: 'citizen', source: 'check', asked: [edited], answers: new Map([[old.id, true]]), entries: new Map(), elapsedMs: 10_000 }),
    );
    const now = row(await itemAnalysis(db, SLUG, 'citizen'), old.id);
    expect(now.figures.attempts).toBe(3);
    expect(now.older).toMatchObject({ versions: 1, attempts: 1 });

    // The catalogue as it will be once the rewrite is published.
    const swap = (q: Question) => (q.id === old.id ? edited : q);
    const lessons = new Map(c.editions.citizen!.lessons.map((l) => [l.id, { ...l, check: l.check.map(swap) }]));
    const rewritten: Course = {
      ...c,
      questions: new Map([...c.questions].map(([id, q]) => [id, swap(q)])),
      editions: Object.fromEntries(Object.entries(c.editions).map(([e, ed]) => [e, { ...ed, lessons: ed.lessons.map((l) => lessons.get(l.id) ?? l) }])),
    };
    const r = row(await itemAnalysis(db, SLUG, 'citizen', rewritten), old.id);
    expect(r.version).toBe(questionVersion(edited));
    expect(r.figures).toMatchObject({ attempts: 1, correct: 1 });
    expect(option(r, 'true')).toMatchObject({ chosen: 1, correct: true });
    expect(option(r, 'false').chosen).toBe(0);
    expect(r.older).toMatchObject({ versions: 1, attempts: 3, correct: 1 });
  });
});

describe('CSV export', () => {
  it('is UTF-8 with a BOM, one row per option, and carries the same figures', async () => {
    const a = await itemAnalysis(db, SLUG, 'citizen');
    const res = csvResponse(itemAnalysisTable(a));
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/filename="phan-tich-cau-hoi-khoa-thu-nghiem-citizen-\d{4}-\d{2}-\d{2}\.csv"/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse(bytes.subarray(3).toString('utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    expect(records).toHaveLength(a.rows.reduce((s, r) => s + r.options.length, 0));
    const right = records.find((x) => x['Mã câu hỏi'] === 'c1-single' && x['Là đáp án đúng'] === 'Có')!;
    expect(right).toMatchObject({
      'Nguồn': 'Kiểm tra bài học',
      'Bài học': 'Bài chung thứ nhất',
      'Lượt trả lời': '32',
      'Tỉ lệ đúng (%)': '96.9',
      'Tỉ lệ bỏ trống (%)': '3.1',
      'Tỉ lệ chọn (%)': '96.9',
      'Cờ': 'Quá dễ; Phương án không ai chọn',
      'Phương án': 'Phương án thứ hai',
    });
    expect(Number(right['Thời gian trung vị (giây)'])).toBeGreaterThanOrEqual(4);
    expect(Number(right['Thời gian trung vị (giây)'])).toBeLessThanOrEqual(6);
    const never = records.find((x) => x['Mã câu hỏi'] === 'c1-single' && x['Là đáp án đúng'] === 'Không')!;
    expect(never['Tỉ lệ chọn (%)']).toBe('0.0');
    const step = records.find((x) => x['Mã câu hỏi'] === 'c1-order' && x['Phương án'] === 'Bước đầu')!;
    expect(step).toMatchObject({ 'Là đáp án đúng': 'Đặt đúng vị trí', 'Tỉ lệ chọn (%)': '100.0', 'Cờ': 'Quá khó' });
  });
});
