/** The member teaching kit's one-page handout: content from course.md, QR code to the citizen lesson. */
import QRCode from 'qrcode';
import { paths } from '../../lib/editions.ts';
import { siteUrl } from '../config.ts';
import { getCatalog } from '../content/catalog.ts';

/** The handout of a course, with the absolute lesson URL and its QR code as inline SVG. */
export async function handoutFor(courseSlug: string) {
  const course = getCatalog().bySlug.get(courseSlug);
  if (!course?.handout || !course.editions.member) return undefined;
  const lesson = course.editions.citizen?.lessons.find((l) => l.id === course.handout!.lesson);
  if (!lesson) return undefined;
  const url = siteUrl() + paths.lesson(course.slug, 'citizen', lesson.id);
  const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return { course, handout: course.handout, lesson, url, qrSvg };
}
