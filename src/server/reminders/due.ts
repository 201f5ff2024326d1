/** What a member sees about one course page: its due date countdown and any open reminders. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { myRequiredCourses } from '../teams/dashboard.ts';
import { myReminders } from './reminders.ts';

export async function requiredCourseStatus(db: Kysely<Database>, userId: string, course: string, edition: string, now = new Date()) {
  const required = await myRequiredCourses(db, userId, now);
  return {
    course: required.find((r) => r.course === course && r.edition === edition),
    reminders: required.some((r) => r.overdue) ? await myReminders(db, userId, now) : [],
  };
}
