/** Browser-safe edition names and URL segments. */
import type { Edition } from './content/schema.ts';

/** URL segment of each edition (Vietnamese without diacritics). */
export const EDITION_SLUGS: Record<Edition, string> = { citizen: 'nguoi-dan', member: 'thanh-vien', official: 'can-bo' };

/** Display name of each edition. */
export const EDITION_LABELS: Record<Edition, string> = {
  citizen: 'Người dân',
  member: 'Thành viên Tổ công nghệ số cộng đồng',
  official: 'Cán bộ xã, phường',
};

/** Edition from a URL segment, or undefined. */
export function editionFromSlug(slug: string | undefined): Edition | undefined {
  return (Object.entries(EDITION_SLUGS) as [Edition, string][]).find(([, s]) => s === slug)?.[0];
}

/** Path helpers, so every link is built one way. */
export const paths = {
  course: (course: string, e: Edition) => `/khoa-hoc/${course}/${EDITION_SLUGS[e]}`,
  lesson: (course: string, e: Edition, lesson: string) => `/khoa-hoc/${course}/${EDITION_SLUGS[e]}/${lesson}`,
  check: (course: string, e: Edition, lesson: string) => `/khoa-hoc/${course}/${EDITION_SLUGS[e]}/${lesson}/kiem-tra`,
  markDone: (course: string, e: Edition, lesson: string) => `/khoa-hoc/${course}/${EDITION_SLUGS[e]}/${lesson}/hoan-thanh`,
  finalQuiz: (course: string, e: Edition) => `/khoa-hoc/${course}/${EDITION_SLUGS[e]}/kiem-tra-cuoi`,
  result: (attemptId: string) => `/ket-qua/${attemptId}`,
  signIn: (next?: string) => (next ? `/dang-nhap?tiep=${encodeURIComponent(next)}` : '/dang-nhap'),
};
