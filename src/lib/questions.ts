/**
 * Field schemas of the monthly topic Q&A: the question a learner asks and a moderator's answer.
 * Plain text only: stored as typed (NFC, trimmed, line breaks as \n) and always rendered escaped.
 */
import { z } from 'astro/zod';

/** Control characters and bidirectional overrides (text that displays differently than it reads). */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

function plainText(min: number, max: number, what: string) {
  return z
    .string({ error: `Hãy nhập ${what}.` })
    .transform((s) => s.normalize('NFC').replace(/\r\n?/g, '\n').trim())
    .superRefine((s, ctx) => {
      const length = [...s].length;
      if (FORBIDDEN.test(s)) ctx.addIssue({ code: 'custom', message: `${what[0]!.toUpperCase()}${what.slice(1)} có ký tự điều khiển không được phép.` });
      else if (length < min) ctx.addIssue({ code: 'custom', message: `${what[0]!.toUpperCase()}${what.slice(1)} cần ít nhất ${min} ký tự.` });
      else if (length > max) ctx.addIssue({ code: 'custom', message: `${what[0]!.toUpperCase()}${what.slice(1)} dài tối đa ${max} ký tự (bạn đã nhập ${length}).` });
    });
}

/** Longest question, in characters. */
export const QUESTION_MAX = 500;
/** A question before the Q&A session: 10–500 characters of plain text. */
export const QuestionTextSchema = plainText(10, QUESTION_MAX, 'câu hỏi');
/** A moderator's answer: 5–3000 characters of plain text. */
export const AnswerTextSchema = plainText(5, 3000, 'câu trả lời');
