/** Catalogue rules over the real content/ folder (issue: the full catalogue). */
import { describe, expect, it } from 'vitest';
import { EDITIONS, WORDS_PER_MINUTE, type Question } from '../../src/lib/content/schema.ts';
import { loadCatalog } from '../../src/server/content/catalog.ts';

const catalog = loadCatalog('content');
const SKILLS_COURSES = [
  'trinh-duyet-an-toan', 'nen-tang-so-cong-tac', 'tim-kiem-thong-tin', 'tai-khoan-du-lieu-ca-nhan', 'dich-vu-cong-truc-tuyen', 'thanh-toan-truc-tuyen',
  'mua-sam-truc-tuyen', 'hoc-tap-truc-tuyen', 'chan-loc-tin-rac', 'bao-ve-ban-than', 'bao-ve-gia-dinh', 'giai-tri-truc-tuyen',
];
const allQuestions = (slug: string): Question[] => [...catalog.bySlug.get(slug)!.questions.values()];

describe('the catalogue', () => {
  it('has the twelve skills courses in citizen and member editions, and the officials’ course', () => {
    for (const slug of SKILLS_COURSES) {
      expect(Object.keys(catalog.bySlug.get(slug)?.editions ?? {}).sort(), slug).toEqual(['citizen', 'member']);
    }
    expect(Object.keys(catalog.bySlug.get('phat-trien-to-cnscd')!.editions)).toEqual(['official']);
    expect(catalog.bySlug.get('phat-trien-to-cnscd')!.title).toBe('Phát triển Tổ công nghệ số cộng đồng');
    expect(catalog.courses).toHaveLength(13);
  });

  it('tags every course with the basic skills it serves', () => {
    for (const c of catalog.courses) expect(c.skills.length, c.slug).toBeGreaterThan(0);
  });

  for (const course of catalog.courses) {
    describe(course.slug, () => {
      for (const e of EDITIONS.filter((x) => course.editions[x])) {
        const ed = course.editions[e]!;
        it(`${e}: at least 4 lessons of 3–7 minutes, each with a check and a line to remember`, () => {
          expect(ed.lessons.length).toBeGreaterThanOrEqual(4);
          for (const l of ed.lessons) {
            const words = l.words[e]!;
            expect(words, `${l.file} (${e}): ${words} words = ${(words / WORDS_PER_MINUTE).toFixed(1)} min`).toBeGreaterThanOrEqual(3 * WORDS_PER_MINUTE);
            expect(words, `${l.file} (${e}): ${words} words`).toBeLessThanOrEqual(7 * WORDS_PER_MINUTE);
            expect(l.minutes[e]).toBeGreaterThanOrEqual(3);
            expect(l.minutes[e]).toBeLessThanOrEqual(7);
            expect(l.check.length, l.file).toBeGreaterThanOrEqual(2);
            expect(l.remember.trim().length, l.file).toBeGreaterThan(10);
          }
        });
        it(`${e}: a final pool of at least 15 questions, 10 per attempt, at least three types`, () => {
          expect(ed.finalPool.length).toBeGreaterThanOrEqual(15);
          expect(ed.draw).toBe(10);
          expect(new Set(ed.finalPool.map((q) => q.type)).size).toBeGreaterThanOrEqual(3);
        });
      }
      it('every question has an explanation and a unique id', () => {
        const qs = allQuestions(course.slug);
        for (const q of qs) expect(q.explanation.trim().length, q.id).toBeGreaterThan(10);
        expect(new Set(qs.map((q) => q.id)).size).toBe(qs.length);
      });
      if (course.editions.member) {
        it('the member edition carries a teaching kit: script, mistakes, safety rules, printable handout', () => {
          const memberOnly = course.editions.member!.lessons.filter((l) => !l.editions.includes('citizen')).map((l) => l.title.toLowerCase());
          expect(memberOnly.some((t) => t.includes('kịch bản')), `script in ${memberOnly.join(' | ')}`).toBe(true);
          expect(memberOnly.some((t) => t.includes('lỗi')), 'common mistakes').toBe(true);
          expect(memberOnly.some((t) => t.includes('an toàn') || t.includes('quy tắc')), 'safety rules').toBe(true);
          expect(course.handout, 'handout').toBeDefined();
          expect(course.editions.citizen!.lessons.some((l) => l.id === course.handout!.lesson)).toBe(true);
        });
      }
    });
  }

  it('ids are unique: lesson ids within a course, course slugs across the catalogue', () => {
    for (const c of catalog.courses) {
      const ids = [...new Set(Object.values(c.editions).flatMap((ed) => ed!.lessons.map((l) => l.file)))].length;
      const lessonIds = new Set(Object.values(c.editions).flatMap((ed) => ed!.lessons.map((l) => l.id)));
      expect(lessonIds.size, c.slug).toBe(ids);
    }
    expect(new Set(catalog.courses.map((c) => c.slug)).size).toBe(catalog.courses.length);
  });
});

describe('practice by doing', () => {
  const messages = (slug: string) => allQuestions(slug).filter((q) => q.message).length;
  const orders = (slug: string) => allQuestions(slug).filter((q) => q.type === 'order').length;
  it.each(['chan-loc-tin-rac', 'bao-ve-ban-than', 'bao-ve-gia-dinh', 'thanh-toan-truc-tuyen', 'mua-sam-truc-tuyen'])('%s has at least 6 “is this message a scam?” items', (slug) => {
    expect(messages(slug)).toBeGreaterThanOrEqual(6);
  });
  it.each(['dich-vu-cong-truc-tuyen', 'thanh-toan-truc-tuyen', 'tai-khoan-du-lieu-ca-nhan'])('%s has at least 2 “put the steps in order” items', (slug) => {
    expect(orders(slug)).toBeGreaterThanOrEqual(2);
  });
});
