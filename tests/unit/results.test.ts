/** Result pages in words (the learner's choice, the key, explanations) and the one next step a page offers. */
import { describe, expect, it } from 'vitest';
import { QuestionSchema, type Question } from '../../src/lib/content/schema.ts';
import { getCatalog } from '../../src/server/content/catalog.ts';
import { nextCourse, nextStep } from '../../src/server/learning/next-step.ts';
import { chosenWords, correctWords, explanationBody } from '../../src/server/learning/quiz.ts';
import { progressLabel } from '../../src/lib/progress.ts';

const q = <T extends Question['type']>(data: { type: T } & Record<string, unknown>) => QuestionSchema.parse(data) as Extract<Question, { type: T }>;
const tf = q({ id: 't1', type: 'truefalse', prompt: 'P', explanation: 'Sai. Ổ khóa chỉ cho biết dữ liệu được mã hóa.', answer: false });
const tfTrue = q({ id: 't2', type: 'truefalse', prompt: 'P', explanation: 'Đúng, vì trang thật dùng tên miền .gov.vn.', answer: true });
const scam = q({ id: 's1', type: 'single', prompt: 'Lừa hay thật?', explanation: '«Lừa». Quà bất ngờ và thúc giục là dấu hiệu lừa đảo.', options: [{ id: 'a', text: 'Lừa' }, { id: 'b', text: 'Thật' }], answer: 'a' });
const plain = q({ id: 's2', type: 'single', prompt: 'P', explanation: 'Sai lầm hay gặp là bấm vào link.', options: [{ id: 'a', text: 'Sai' }, { id: 'b', text: 'B' }], answer: 'b' });
const multi = q({ id: 'm1', type: 'multiple', prompt: 'P', explanation: 'E', options: [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }, { id: 'c', text: 'C' }], answer: ['a', 'c'] });
const order = q({ id: 'o1', type: 'order', prompt: 'P', explanation: 'E', steps: [{ id: 'x1', text: 'Một' }, { id: 'x2', text: 'Hai' }, { id: 'x3', text: 'Ba' }] });

describe('answers in words', () => {
  it('says true/false as statements, never a bare "Sai" that reads like a verdict', () => {
    expect(correctWords(tf)).toEqual({ kind: 'statement', text: 'Nhận định này sai.' });
    expect(chosenWords(tf, true)).toEqual({ kind: 'statement', text: 'Nhận định này đúng.' });
    expect(chosenWords(tf, null)).toEqual({ kind: 'blank' });
  });

  it('gives the learner’s options, steps in their order, or says the ordering was incomplete', () => {
    expect(chosenWords(multi, ['c', 'b'])).toEqual({ kind: 'options', texts: ['B', 'C'] });
    expect(correctWords(multi)).toEqual({ kind: 'options', texts: ['A', 'C'] });
    expect(chosenWords(order, ['x3', 'x1', 'x2'])).toEqual({ kind: 'steps', texts: ['Ba', 'Một', 'Hai'] });
    expect(chosenWords(order, [])).toEqual({ kind: 'incomplete' });
    expect(correctWords(order)).toEqual({ kind: 'steps', texts: ['Một', 'Hai', 'Ba'] });
  });

  it('drops a leading verdict that only repeats the key, and nothing else', () => {
    expect(explanationBody(tf)).toBe('Ổ khóa chỉ cho biết dữ liệu được mã hóa.');
    expect(explanationBody(tfTrue)).toBe('Vì trang thật dùng tên miền .gov.vn.');
    expect(explanationBody(scam)).toBe('Quà bất ngờ và thúc giục là dấu hiệu lừa đảo.');
    // "Sai" is an option here but not the key, and "Sai lầm" is not a verdict.
    expect(explanationBody(plain)).toBe('Sai lầm hay gặp là bấm vào link.');
    expect(explanationBody(multi)).toBe('E');
  });

  it('never leaves a course’s explanation empty or starting with its own key', () => {
    for (const course of getCatalog().courses) {
      for (const question of course.questions.values()) {
        const body = explanationBody(question);
        expect(body.length, question.id).toBeGreaterThan(10);
        if (question.type === 'truefalse') expect(body, question.id).not.toMatch(new RegExp(`^${question.answer ? 'Đúng' : 'Sai'}[.,:!]`));
      }
    }
  });
});

describe('progress in words', () => {
  it('shows lessons and the final quiz apart, with no percentage next to "6/6"', () => {
    expect(progressLabel({ done: 6, total: 6, finalPassed: false })).toBe('Bài học: đã xong 6/6 · Kiểm tra cuối khóa: chưa qua');
    expect(progressLabel({ done: 6, total: 6, finalPassed: true })).toMatch(/Kiểm tra cuối khóa: đã qua$/);
  });
});

describe('the next step', () => {
  const catalog = getCatalog();
  const course = catalog.bySlug.get('trinh-duyet-an-toan')!;
  const lessons = course.editions.citizen!.lessons;
  const progress = (done: number, extra: { finalPassed?: boolean; completed?: boolean } = {}) => ({
    completedLessons: new Set(lessons.slice(0, done).map((l) => l.id)),
    finalPassed: extra.finalPassed ?? false,
    completed: extra.completed ?? false,
  });

  it('starts at lesson 1, goes on at the first lesson not done, then the final quiz', () => {
    expect(nextStep(course, 'citizen', undefined)).toMatchObject({ kind: 'lesson', number: 1, start: true });
    expect(nextStep(course, 'citizen', progress(0))).toMatchObject({ kind: 'lesson', number: 1, start: true });
    expect(nextStep(course, 'citizen', progress(2))).toMatchObject({ kind: 'lesson', number: 3, start: false, lesson: { id: lessons[2]!.id } });
    expect(nextStep(course, 'citizen', progress(lessons.length))).toMatchObject({ kind: 'final' });
    // Passed the final quiz early: the lessons left come next.
    expect(nextStep(course, 'citizen', progress(1, { finalPassed: true }))).toMatchObject({ kind: 'lesson', number: 2 });
  });

  it('after a lesson, offers the one that follows it; after the last, the final quiz (or a lesson skipped)', () => {
    expect(nextStep(course, 'citizen', undefined, { after: lessons[0]!.id })).toMatchObject({ kind: 'lesson', number: 2 });
    expect(nextStep(course, 'citizen', undefined, { after: lessons.at(-1)!.id })).toMatchObject({ kind: 'final' });
    expect(nextStep(course, 'citizen', progress(lessons.length), { after: lessons.at(-1)!.id })).toMatchObject({ kind: 'final' });
    const skipped = { ...progress(0), completedLessons: new Set(lessons.slice(1).map((l) => l.id)) };
    expect(nextStep(course, 'citizen', skipped, { after: lessons.at(-1)!.id })).toMatchObject({ kind: 'lesson', number: 1 });
  });

  it('after completion, offers the next course of the same edition that is not completed yet', () => {
    const withCitizen = catalog.courses.filter((c) => c.editions.citizen);
    const at = withCitizen.findIndex((c) => c.slug === course.slug);
    const following = withCitizen[(at + 1) % withCitizen.length]!;
    expect(nextStep(course, 'citizen', progress(lessons.length, { finalPassed: true, completed: true }))).toMatchObject({ kind: 'course', course: { slug: following.slug }, edition: 'citizen' });
    const skipping = withCitizen[(at + 2) % withCitizen.length]!;
    expect(nextCourse(course, 'citizen', new Set([following.slug]))).toMatchObject({ kind: 'course', course: { slug: skipping.slug } });
    expect(nextCourse(course, 'citizen', new Set(withCitizen.map((c) => c.slug)))).toEqual({ kind: 'catalogue' });
  });
});
