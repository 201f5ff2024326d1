import { LearningError } from '../learning/learning.ts';
import { HttpError } from './request.ts';
import { TeamsError } from '../teams/teams.ts';

/** A failure safe to show to the user. */
export interface ShownError {
  status: number;
  message: string;
}

/** Turns an expected failure into a status and message; rethrows anything unexpected (→ 500 page). */
export function shownError(err: unknown): ShownError {
  if (err instanceof LearningError || err instanceof HttpError || err instanceof TeamsError) return { status: err.status, message: err.message };
  throw err;
}
