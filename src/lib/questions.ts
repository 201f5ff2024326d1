/**
 * Field schemas of the monthly topic Q&A: the question a learner asks and a moderator's answer.
 * Plain text only: stored as typed (NFC, trimmed, line breaks as \n) and always rendered escaped.
 */
import { visibleText } from './fields.ts';

/** Plain text of a topic Q&A field: the shared rules of `visibleText`, line breaks kept. */
function plainText(min: number, max: number, what: string) {
  return visibleText({ what, min, max, multiline: true });
}

/** Longest question, in characters. */
export const QUESTION_MAX = 500;
/** A question before the Q&A session: 10–500 characters of plain text. */
export const QuestionTextSchema = plainText(10, QUESTION_MAX, 'câu hỏi');
/** A moderator's answer: 5–3000 characters of plain text. */
export const AnswerTextSchema = plainText(5, 3000, 'câu trả lời');
