import { CertificateError } from '../certificates/certificates.ts';
import { LearningError } from '../learning/learning.ts';
import { TopicError } from '../topics/errors.ts';
import { HttpError } from './request.ts';
import { TeamsError } from '../teams/teams.ts';

/** A failure safe to show to the user. */
export interface ShownError {
  status: number;
  message: string;
}

/** Turns an expected failure into a status and message; rethrows anything unexpected (→ 500 page). */
export function shownError(err: unknown): ShownError {
  if (err instanceof LearningError || err instanceof CertificateError || err instanceof HttpError || err instanceof TopicError || err instanceof TeamsError) return { status: err.status, message: err.message };
  throw err;
}
