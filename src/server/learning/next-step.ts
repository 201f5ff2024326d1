/**
 * The one next step a page offers a learner: the first lesson not yet done (or the lesson after the
 * one just finished), the final quiz once every lesson is done, or the next course once this one is
 * complete. Pure: pages pass the learner's progress (none for guests).
 */
import type { Edition } from '../../lib/content/schema.ts';
import { getCatalog, type Course, type Lesson } from '../content/catalog.ts';

export type NextStep =
  /** `start`: nothing done yet, so this is lesson 1. */
  | { kind: 'lesson'; course: Course; edition: Edition; lesson: Lesson; number: number; start: boolean }
  | { kind: 'final'; course: Course; edition: Edition }
  | { kind: 'course'; course: Course; edition: Edition }
  /** Every course of this edition is complete. */
  | { kind: 'catalogue' };

/** What is known of a learner's progress in the edition (undefined: a guest, nothing saved). */
export interface StepProgress {
  completedLessons: ReadonlySet<string>;
  finalPassed: boolean;
  completed: boolean;
}

/** The next course of the catalogue in the same edition, skipping courses already completed. */
export function nextCourse(course: Course, edition: Edition, completedCourses: ReadonlySet<string> = new Set()): NextStep {
  const courses = getCatalog().courses.filter((c) => c.editions[edition]);
  const at = courses.findIndex((c) => c.slug === course.slug);
  // After this course first, then from the start of the catalogue.
  const rest = [...courses.slice(at + 1), ...courses.slice(0, Math.max(at, 0))];
  const next = rest.find((c) => !completedCourses.has(c.slug));
  return next ? { kind: 'course', course: next, edition } : { kind: 'catalogue' };
}

/**
 * The next step in a course edition. `after`: the lesson just finished (its check or "done" mark),
 * so the step is the lesson that follows it even if earlier ones were skipped.
 */
export function nextStep(
  course: Course,
  edition: Edition,
  progress: StepProgress | undefined,
  opts: { after?: string; completedCourses?: ReadonlySet<string> } = {},
): NextStep {
  const lessons = course.editions[edition]?.lessons ?? [];
  if (progress?.completed) return nextCourse(course, edition, opts.completedCourses);
  const done = progress?.completedLessons ?? new Set<string>();
  const lessonStep = (i: number): NextStep => ({ kind: 'lesson', course, edition, lesson: lessons[i]!, number: i + 1, start: done.size === 0 && i === 0 });
  if (opts.after !== undefined) {
    const at = lessons.findIndex((l) => l.id === opts.after);
    if (at >= 0 && at + 1 < lessons.length) return lessonStep(at + 1);
  }
  const first = lessons.findIndex((l) => !done.has(l.id));
  // A guest finishing the last lesson, or a learner who has done every lesson: the final quiz.
  if (first < 0 || (opts.after !== undefined && !progress)) return { kind: 'final', course, edition };
  return lessonStep(first);
}
