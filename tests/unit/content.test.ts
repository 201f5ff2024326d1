import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CourseSchema, LessonSchema, QuestionSchema } from '../../src/lib/content/schema.ts';
import { ContentError, countWords, loadCatalog } from '../../src/server/content/catalog.ts';

const run = promisify(execFile);
const FIXTURE = path.resolve('tests/fixtures/content');

describe('content schemas', () => {
  it('refuses an answer that is not an option', () => {
    const r = QuestionSchema.safeParse({ id: 'a', type: 'single', prompt: 'p', explanation: 'e', options: [{ id: 'x', text: 'X' }, { id: 'y', text: 'Y' }], answer: 'z' });
    expect(r.success).toBe(false);
  });
  it('requires an explanation on every question', () => {
    expect(QuestionSchema.safeParse({ id: 'a', type: 'truefalse', prompt: 'p', answer: true }).success).toBe(false);
  });
  it('refuses unstable-looking ids and reserved ones', () => {
    const base = { title: 't', description: 'd', editions: ['citizen'], remember: 'r', check: [{ id: 'a', type: 'truefalse', prompt: 'p', explanation: 'e', answer: true }] };
    expect(LessonSchema.safeParse({ ...base, id: 'Bài 1' }).success).toBe(false);
    expect(LessonSchema.safeParse({ ...base, id: 'kiem-tra-cuoi' }).success).toBe(false);
    expect(LessonSchema.safeParse({ ...base, id: 'bai-mot' }).success).toBe(true);
  });
  it('requires at least one edition', () => {
    expect(CourseSchema.safeParse({ title: 't', summary: 's', order: 1, editions: {} }).success).toBe(false);
  });
  it('counts member-only words only in the member edition', () => {
    const body = 'một hai ba\n<MemberOnly>bốn năm</MemberOnly>\n## sáu';
    expect(countWords(body, 'citizen')).toBe(4);
    expect(countWords(body, 'member')).toBe(6);
  });
});

describe('catalogue loader', () => {
  it('loads the fixture course with shared and member-only lessons', () => {
    const c = loadCatalog(FIXTURE).bySlug.get('khoa-thu-nghiem')!;
    expect(c.editions.citizen!.lessons.map((l) => l.id)).toEqual(['bai-chung-mot', 'bai-chung-hai']);
    expect(c.editions.member!.lessons.map((l) => l.id)).toEqual(['bai-chung-mot', 'bai-chung-hai', 'bai-thanh-vien']);
  });

  it('names the file when content is invalid', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-content-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    const f = path.join(dir, 'courses/khoa-thu-nghiem/02-bai-chung-hai.mdx');
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/explanation: .*/, 'explanation: ""'));
    expect(() => loadCatalog(dir)).toThrow(ContentError);
    expect(() => loadCatalog(dir)).toThrow(/courses\/khoa-thu-nghiem\/02-bai-chung-hai\.mdx/);
  });
});

describe('content:check', () => {
  const cli = (env: Record<string, string>) =>
    run('npm', ['run', '--silent', 'content:check', '--', '--json'], { env: { ...process.env, ...env } }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );

  it('prints one JSON object describing every course', async () => {
    const { code, stdout } = await cli({});
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    const course = out.courses.find((c: { slug: string }) => c.slug === 'trinh-duyet-an-toan');
    expect(course.title).toBe('Sử dụng trình duyệt an toàn');
    expect(Object.keys(course.editions).sort()).toEqual(['citizen', 'member']);
    expect(course.editions.citizen.lessons).toBeGreaterThanOrEqual(4);
    expect(course.editions.citizen.finalQuestions).toBeGreaterThanOrEqual(12);
    expect(out.courses).toHaveLength(13);
    // Test-taking cues are held to their targets over the whole catalogue (issue 13).
    expect(out.quizzes.met).toEqual({ longestCorrect: true, positions: true, trueShare: true, noRepeats: true });
    expect(out.quizzes.longestCorrectShare).toBeLessThanOrEqual(0.35);
    expect(out.quizzes.positionMaxShare).toBeLessThanOrEqual(0.45);
    expect(out.quizzes.trueShare).toBeGreaterThanOrEqual(0.35);
    expect(out.quizzes.trueShare).toBeLessThanOrEqual(0.65);
    expect(out.error).toBeUndefined();
  });

  it('fails, naming the target, when the true/false answers lean one way', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-content-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    // Every true/false answer of the fixture becomes "false".
    for (const f of fs.readdirSync(path.join(dir, 'courses/khoa-thu-nghiem'))) {
      const file = path.join(dir, 'courses/khoa-thu-nghiem', f);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/answer: true\b/g, 'answer: false'));
    }
    const { code, stdout } = await cli({ CONTENT_DIR: dir });
    expect(code).not.toBe(0);
    const out = JSON.parse(stdout);
    expect(out.quizzes.trueShare).toBe(0);
    expect(out.error).toMatch(/đúng\/sai.*0%/);
    // Measuring a subset reports the figures without failing.
    const subset = await run('npm', ['run', '--silent', 'content:check', '--', '--json', '--courses', 'khoa-thu-nghiem'], { env: { ...process.env, CONTENT_DIR: dir } });
    expect(JSON.parse(subset.stdout).error).toBeUndefined();
  });

  it('exits non-zero with a JSON error naming the file on invalid content', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-content-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'courses/khoa-thu-nghiem/final.yaml'), 'questions: [ { id: x } ]');
    const { code, stdout } = await cli({ CONTENT_DIR: dir });
    expect(code).not.toBe(0);
    const out = JSON.parse(stdout);
    expect(out.file).toBe('courses/khoa-thu-nghiem/final.yaml');
  });

  it('validates content/scorecard.yaml: known metrics only, no repeats, percent targets ≤ 100', async () => {
    const { stdout } = await cli({});
    expect(JSON.parse(stdout).scorecard).toEqual(['required-courses-done', 'visits-per-active-member', 'households-meeting-target', 'session-attendance', 'questions-asked']);
    for (const bad of [
      'criteria:\n  - metric: diem-tong\n    label: Điểm tổng hợp\n    explanation: Một con số duy nhất không ai hiểu được cách tính.\n',
      'criteria:\n  - metric: session-attendance\n    label: Dự sinh hoạt\n    target: 150\n    explanation: Thành viên dự buổi sinh hoạt chuyên đề hằng tháng.\n',
    ]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-content-'));
      fs.cpSync(FIXTURE, dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'scorecard.yaml'), bad);
      const { code, stdout: out } = await cli({ CONTENT_DIR: dir });
      expect(code).not.toBe(0);
      expect(JSON.parse(out).file).toBe('scorecard.yaml');
    }
  });
});
