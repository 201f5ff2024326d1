/**
 * "I finished this lesson": saves progress and goes on to the next lesson (the course page after the
 * last one), or keeps the request until a guest signs in.
 */
import { z } from 'astro/zod';
import { editionFromSlug, paths } from '../../../../../lib/editions.ts';
import { LearningError, markLessonDone, requireLesson } from '../../../../../server/learning/learning.ts';
import { clientKey, db, guestTokenHash } from '../../../../../web/request.ts';
import { formEndpoint } from '../../../../../web/form.ts';
import { param, SlugSchema } from '../../../../../web/params.ts';
import { seeOther } from '../../../../../web/redirect.ts';

export const prerender = false;

const NOT_FOUND = 'Không tìm thấy bài học này.';

/** The form is a single button: no fields. */
export const POST = formEndpoint(z.object({}), { maxBytes: 1024 }, async (_, { params, locals, cookies, request, clientAddress }) => {
  const course = param(params.course, SlugSchema, NOT_FOUND);
  const lesson = param(params.lesson, SlugSchema, NOT_FOUND);
  const edition = editionFromSlug(params.edition);
  if (!edition) throw new LearningError(404, NOT_FOUND);
  const ref = { course, edition, lessonId: lesson };
  const client = clientKey(request, clientAddress);
  const back = `${paths.course(course, edition)}?da-xong=${encodeURIComponent(lesson)}`;
  if (locals.user) {
    await markLessonDone(await db(), { userId: locals.user.id }, ref, client);
    const { ed } = requireLesson(course, edition, lesson);
    const next = ed.lessons[ed.lessons.findIndex((l) => l.id === lesson) + 1];
    // The next lesson is prerendered: its "saved" note shows as the fragment's :target.
    return next ? seeOther(paths.lesson(course, edition, next.id), undefined, 'da-luu') : seeOther(back);
  }
  await markLessonDone(await db(), { guestTokenHash: guestTokenHash(cookies, true)! }, ref, client);
  return seeOther(paths.signIn(back));
});
