/**
 * Demo data: a few accounts with progress, so a newcomer sees a living site. Idempotent.
 * Seeded only into the embedded database, or when SEED_DEMO=1; never in production.
 */
import type { Kysely } from 'kysely';
import { hashPassword } from '../auth/password.ts';
import type { Database } from '../db/schema.ts';
import { getCatalog } from '../content/catalog.ts';
import { seedDemoGraduate } from '../certificates/demo.ts';
import { getSchedule } from '../schedule/schedule.ts';
import { seedTeamsDemo } from '../teams/seed.ts';
import { seedHouseholdsDemo } from '../households/seed.ts';

/** Password of every demo account (documented in the README). */
export const DEMO_PASSWORD = 'hoc-thu-2026';

/** Demo accounts: phone (normal form), name, and lessons of the safe-browsing course already done. */
export const DEMO_ACCOUNTS = [
  { phone: '+84912000001', name: 'Nguyễn Thị Hoa', role: 'learner', lessonsDone: 2, edition: 'citizen' },
  { phone: '+84912000002', name: 'Trần Văn Bình', role: 'member', lessonsDone: 3, edition: 'member' },
  { phone: '+84912000003', name: 'Lê Thị Mai', role: 'learner', lessonsDone: 0, edition: 'citizen' },
  { phone: '+84912000005', name: 'Phạm Văn Dũng', role: 'moderator', lessonsDone: 0, edition: 'citizen' },
] as const;

/** Demo questions on the safe-browsing topic: one answered by the moderator, one awaiting review. */
export const DEMO_QUESTIONS = [
  {
    phone: '+84912000001',
    text: 'Tôi lỡ bấm vào một đường link lạ trong tin nhắn rồi thì phải làm gì ngay?',
    answer:
      'Đóng trang đó lại và đừng nhập gì thêm. Nếu đã lỡ nhập mật khẩu, hãy đổi mật khẩu ngay trong ứng dụng chính thức. Nếu đã lỡ nhập thông tin ngân hàng, gọi ngay tổng đài in trên thẻ hoặc trong ứng dụng ngân hàng để khóa tài khoản, rồi báo cho Tổ công nghệ số cộng đồng.',
  },
  { phone: '+84912000003', text: 'Làm sao biết trang web của ngân hàng mở trên điện thoại là trang thật?', answer: null },
] as const;

/** Whether demo data belongs in this database. */
export function shouldSeedDemo(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.SEED_DEMO === '1') return true;
  if (env.SEED_DEMO === '0' || env.NODE_ENV === 'production') return false;
  return !env.DATABASE_URL;
}

/** Inserts the demo accounts and their progress unless present. Returns how many accounts were new. */
export async function seedDemo(db: Kysely<Database>): Promise<number> {
  const course = getCatalog().bySlug.get('trinh-duyet-an-toan');
  const hash = await hashPassword(DEMO_PASSWORD);
  let created = 0;
  for (const a of DEMO_ACCOUNTS) {
    const row = await db
      .insertInto('user')
      .values({ phone: a.phone, display_name: a.name, password_hash: hash, role: a.role })
      .onConflict((oc) => oc.column('phone').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) continue;
    created++;
    const lessons = course?.editions[a.edition]?.lessons.slice(0, a.lessonsDone) ?? [];
    for (const l of lessons) {
      await db
        .insertInto('lesson_progress')
        .values({ user_id: row.id, course_slug: 'trinh-duyet-an-toan', lesson_id: l.id, edition: a.edition, via: 'manual' })
        .onConflict((oc) => oc.columns(['user_id', 'course_slug', 'lesson_id']).doNothing())
        .execute();
    }
  }
  if (course) created += await seedDemoGraduate(db, course, hash);
  await seedDemoQuestions(db);
  // Administrative units from the registry, and synthetic demo teams, officials and an admin.
  await seedTeamsDemo(db, DEMO_PASSWORD);
  // Households, help visits and one linked citizen in Phường Ba Đình, for the coverage dashboards.
  await seedHouseholdsDemo(db);
  return created;
}

/** Adds the demo questions to the first month featuring the safe-browsing course, unless present. */
async function seedDemoQuestions(db: Kysely<Database>): Promise<void> {
  const topic = getSchedule().topics.find((t) => t.course.slug === 'trinh-duyet-an-toan');
  if (!topic) return;
  const moderator = await db.selectFrom('user').select('id').where('phone', '=', '+84912000005').executeTakeFirst();
  for (const q of DEMO_QUESTIONS) {
    const asker = await db.selectFrom('user').select('id').where('phone', '=', q.phone).executeTakeFirst();
    if (!asker) continue;
    const exists = await db.selectFrom('topic_question').select('id').where('user_id', '=', asker.id).where('text', '=', q.text).executeTakeFirst();
    if (exists) continue;
    await db
      .insertInto('topic_question')
      .values({
        month: topic.month,
        course_slug: topic.course.slug,
        user_id: asker.id,
        text: q.text,
        status: q.answer ? 'answered' : 'pending',
        answer: q.answer,
        answered_by: q.answer ? (moderator?.id ?? null) : null,
        answered_at: q.answer ? new Date() : null,
      })
      .execute();
  }
}
