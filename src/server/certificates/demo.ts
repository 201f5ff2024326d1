/**
 * Demo data for certificates: a learner who completed the citizen edition of a course (every lesson,
 * a passed final quiz, the completion) and holds its certificate under a fixed code, plus an admin
 * account. Idempotent: nothing is added when the accounts exist.
 */
import type { Kysely } from 'kysely';
import type { Course } from '../content/catalog.ts';
import type { Database } from '../db/schema.ts';
import { randomOrder } from '../learning/quiz.ts';

/** The demo certificate's code (stored form); its page is /chung-nhan/HS4VN-2026D. */
export const DEMO_CERTIFICATE_CODE = 'HS4VN2026D';

/** The demo graduate and the demo admin (password: the demo password). */
export const DEMO_GRADUATE = { phone: '+84912000004', name: 'Phạm Thị Thu Hằng' } as const;
export const DEMO_ADMIN = { phone: '+84912000009', name: 'Quản trị viên Học Số' } as const;

/** Seeds the graduate with a completed citizen edition and certificate, and the admin. Returns accounts created. */
export async function seedDemoGraduate(db: Kysely<Database>, course: Course, passwordHash: string): Promise<number> {
  let created = 0;
  const admin = await db
    .insertInto('user')
    .values({ phone: DEMO_ADMIN.phone, display_name: DEMO_ADMIN.name, password_hash: passwordHash, role: 'admin' })
    .onConflict((oc) => oc.column('phone').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (admin) created++;
  const ed = course.editions.citizen;
  if (!ed) return created;
  await db.transaction().execute(async (trx) => {
    const user = await trx
      .insertInto('user')
      .values({ phone: DEMO_GRADUATE.phone, display_name: DEMO_GRADUATE.name, password_hash: passwordHash, role: 'learner' })
      .onConflict((oc) => oc.column('phone').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!user) return;
    created++;
    for (const l of ed.lessons) {
      await trx.insertInto('lesson_progress').values({ user_id: user.id, course_slug: course.slug, lesson_id: l.id, edition: 'citizen', via: 'check' }).execute();
    }
    const questions = ed.finalPool.slice(0, ed.draw).map((q) => ({ id: q.id, order: randomOrder(q) }));
    const results = questions.map((q) => ({ questionId: q.id, correct: true, answered: true }));
    const attempt = await trx
      .insertInto('quiz_attempt')
      .values({
        user_id: user.id,
        course_slug: course.slug,
        edition: 'citizen',
        content_version: course.version,
        questions: JSON.stringify(questions),
        answers: JSON.stringify({}),
        results: JSON.stringify(results),
        score: questions.length,
        total: questions.length,
        pass_mark: ed.passMark,
        passed: true,
        submitted_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('course_completion').values({ user_id: user.id, course_slug: course.slug, edition: 'citizen', attempt_id: attempt.id }).execute();
    await trx
      .insertInto('certificate')
      .values({
        code: DEMO_CERTIFICATE_CODE,
        user_id: user.id,
        course_slug: course.slug,
        edition: 'citizen',
        learner_name: DEMO_GRADUATE.name,
        course_title: course.title,
        content_version: course.version,
      })
      // The demo graduate may have deleted their account: the certificate outlived it.
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
  });
  return created;
}
