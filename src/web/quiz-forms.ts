/**
 * The quiz forms at the web edge: a lesson check (its sealed token plus answers) and a final quiz
 * (its attempt id plus answers). Answer fields are opaque (`q1`, `q1-0`, values are display
 * positions); their meaning is checked by the grader, which knows what was asked. Here only their
 * shape and size are checked, so nothing malformed reaches the domain or the database.
 */
import { z } from 'astro/zod';
import type { FormEntries } from '../server/learning/quiz.ts';
import { FormError, readValidForm } from './form.ts';
import { HttpError } from './request.ts';
import { UuidSchema } from './params.ts';

/** Largest quiz form: ten questions of a few short fields each plus the token fit in well under 16 KB. */
export const QUIZ_FORM_BYTES = 16 * 1024;

const BAD_ANSWER = 'Có câu trả lời không hợp lệ.';
/** One answer value: a display position, a step number or blank. */
const AnswerValue = z.string({ error: BAD_ANSWER }).max(3, BAD_ANSWER);
const AnswerField = z.union([AnswerValue, z.array(AnswerValue).max(10, BAD_ANSWER)], { error: BAD_ANSWER });

/**
 * Time spent on the question at position i, measured by the browser (`t<i>`, whole milliseconds).
 * Only a measurement: a malformed value is dropped (the server then splits the elapsed time), never a
 * reason to refuse the learner's answers. The grader clips it to the time that really passed.
 */
const TimeField = z.string().regex(/^[0-9]{0,9}$/).optional().catch(undefined);
/** Time fields of up to 50 questions (a check has at most 5, a final quiz draws at most 50). */
const TIME_FIELDS = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i + 1}`, TimeField]));

/** A sealed check token (compact JWE: five base64url parts). */
export const CheckTokenSchema = z
  .string({ error: 'Thiếu phiếu bài kiểm tra.' })
  .max(2000, 'Phiếu bài kiểm tra không hợp lệ.')
  .regex(/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){4}$/, 'Phiếu bài kiểm tra không hợp lệ.');

/** The idempotency key a device adds to a lesson check it may replay (sent by the service worker). */
const ClientKeySchema = z
  .string()
  .refine((v) => UuidSchema.safeParse(v).success, 'Mã gửi bài không hợp lệ.')
  .transform((v) => UuidSchema.parse(v));
/** The account a check form was opened for (`ownerKey`, or "khach"). */
const OwnerSchema = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'Phiếu bài kiểm tra không hợp lệ.');

/** The lesson-check form. */
export const LessonCheckFormSchema = z.object({ token: CheckTokenSchema, key: ClientKeySchema.optional(), owner: OwnerSchema.optional(), ...TIME_FIELDS }).catchall(AnswerField);
/** Fields of the lesson-check form that are not answers. */
export const LESSON_CHECK_FIELDS = ['token', 'key', 'owner'] as const;

/** An attempt id from the final-quiz form: a uuid (UuidSchema), with a message of our own. */
const AttemptIdSchema = z
  .string({ error: 'Thiếu mã bài làm.' })
  .refine((v) => UuidSchema.safeParse(v).success, 'Mã bài làm không hợp lệ.')
  .transform((v) => UuidSchema.parse(v));

/** The final-quiz form. */
export const FinalQuizFormSchema = z.object({ attempt: AttemptIdSchema, ...TIME_FIELDS }).catchall(AnswerField);

/** Answer fields of a validated quiz form as the grader reads them (every value of every name). */
export function answerEntries(data: Record<string, unknown>, except: readonly string[]): FormEntries {
  const out: FormEntries = new Map();
  for (const [name, value] of Object.entries(data)) {
    if (except.includes(name) || value === undefined) continue;
    out.set(name, Array.isArray(value) ? (value as string[]) : [value as string]);
  }
  return out;
}

/**
 * Reads a quiz form through the form convention; a shape error is a 400 whose message names the
 * problem, since a quiz form has no field a learner types into and could correct.
 */
export async function readQuizForm<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  try {
    return await readValidForm(request, schema, { maxBytes: QUIZ_FORM_BYTES });
  } catch (err) {
    if (err instanceof FormError) {
      const first = Object.values(err.errors)[0] ?? 'Biểu mẫu không đúng dạng.';
      throw new HttpError(400, `Bài làm không hợp lệ: ${first} Vui lòng tải lại trang và làm lại.`);
    }
    throw err;
  }
}
