/** "I finished this lesson": saves progress, or keeps the request until a guest signs in. */
import type { APIRoute } from 'astro';
import { editionFromSlug, paths } from '../../../../../lib/editions.ts';
import { LearningError, markLessonDone } from '../../../../../server/learning/learning.ts';
import { clientKey, db, guestTokenHash } from '../../../../../web/request.ts';
import { errorResponse } from '../../../../../web/errors.ts';

export const prerender = false;

export const POST: APIRoute = async ({ params, locals, cookies, redirect, request, clientAddress }) => {
  try {
    const edition = editionFromSlug(params.edition);
    const { course, lesson } = params;
    if (!edition || !course || !lesson) throw new LearningError(404, 'Không tìm thấy bài học này.');
    const ref = { course, edition, lessonId: lesson };
    const client = clientKey(request, clientAddress);
    if (locals.user) {
      await markLessonDone(await db(), { userId: locals.user.id }, ref, client);
      return redirect(`${paths.course(course, edition)}?da-xong=${encodeURIComponent(lesson)}`, 303);
    }
    await markLessonDone(await db(), { guestTokenHash: guestTokenHash(cookies, true)! }, ref, client);
    return redirect(paths.signIn(`${paths.course(course, edition)}?da-xong=${encodeURIComponent(lesson)}`), 303);
  } catch (err) {
    return errorResponse(err);
  }
};
