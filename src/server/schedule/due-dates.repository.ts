import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** A required course with its deadline, for the learner's private calendar feed. */
export interface DueDate {
  courseSlug: string;
  /** The last day, YYYY-MM-DD (Vietnam). */
  dueOn: string;
}

/**
 * The learner's required-course due dates. Assignments of required courses (made by officials) do
 * not exist on this branch yet, so there is nothing to read and this returns an empty list. When
 * the assignments table lands, this is the one function to wire to it: the private feed already
 * turns each DueDate into an all-day event.
 */
export async function listDueDates(_db: Kysely<Database>, _userId: string): Promise<DueDate[]> {
  return [];
}
