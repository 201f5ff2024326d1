/**
 * Issue 13 over HTTP on the built server, without JavaScript: results that teach (the learner's
 * choice next to the key, true/false as statements, a next step at the end), course pages that lead
 * (a filled first button, lessons and final quiz apart, "done" goes on to the next lesson), the
 * account page's in-progress and completed editions, the quiz markup the tap-to-order script and
 * the draft keeping build on, lesson tables in scrollable regions, and certificate sharing markup.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/lib/editions.ts';
import { getCatalog } from '../../src/server/content/catalog.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';
import { askedByToken, correctFields, correctFieldsFromHtml } from '../setup/answers.ts';

// Shared with the server, so the test can read the layout a check token carries.
process.env.FORM_SECRET = 'learner-path-form-secret-0123456789abcdef';
let server: TestServer;

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer({ FORM_SECRET: process.env.FORM_SECRET! });
});
afterAll(() => server?.stop());

const COURSE = 'trinh-duyet-an-toan';
const course = () => getCatalog().bySlug.get(COURSE)!;
const lessons = () => course().editions.citizen!.lessons;
const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, '&');
/** The visible text of an HTML fragment, roughly (tags dropped, entities decoded, spaces folded). */
const text = (html: string) => decode(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
/** The part of a page between its <main> tags. */
const main = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));
/** The href and text of every link in some HTML. */
const links = (html: string) => [...html.matchAll(/<a\b[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({ href: decode(m[1]!), text: text(m[2]!), tag: m[0] }));

let phones = 0;
async function signedUp(): Promise<Client> {
  const c = new Client(server.url);
  const phone = `0916${String(process.pid % 1000).padStart(3, '0')}${String(phones++).padStart(3, '0')}`;
  const r = await c.post('/dang-ky', { displayName: 'Trần Thị Thử', phone, password: 'vườn nhà có ba cây bưởi', next: '/' });
  expect(r.status).toBe(303);
  return c;
}

async function openCheck(c: Client, lessonId: string): Promise<{ html: string; token: string }> {
  const r = await c.get(paths.check(COURSE, 'citizen', lessonId));
  expect(r.status).toBe(200);
  const html = await r.text();
  return { html, token: /name="token" value="([^"]+)"/.exec(html)![1]! };
}

describe('lesson-check results', () => {
  it('show the learner’s choice next to the key, true/false as statements, and end with the next lesson', async () => {
    const all = lessons();
    const at = all.findIndex((l, i) => i < all.length - 1 && l.check.some((q) => q.type === 'truefalse'));
    expect(at).toBeGreaterThanOrEqual(0);
    const lesson = all[at]!;
    const c = new Client(server.url);
    const { token } = await openCheck(c, lesson.id);
    const asked = await askedByToken(lesson.check, token);
    // Everything right except the true/false question, answered the wrong way.
    const fields = asked.flatMap((a, i) => {
      if (a.q.type !== 'truefalse') return correctFields(a.q, a.order, i);
      return [[`q${i + 1}`, String(a.order.indexOf(String(!a.q.answer)))] as [string, string]];
    });
    const posted = await c.post(paths.check(COURSE, 'citizen', lesson.id), [['token', token], ...fields]);
    expect(posted.status).toBe(303);
    const page = await (await c.get(posted.headers.get('location')!)).text();
    const tf = lesson.check.find((q) => q.type === 'truefalse')!;
    if (tf.type !== 'truefalse') throw new Error('unreachable');
    const card = [...page.matchAll(/<section class="card result[^"]*"[\s\S]*?<\/section>/g)].map((m) => m[0]).find((s) => text(s).includes(tf.prompt))!;
    expect(card).toBeTruthy();
    const words = text(card);
    expect(words).toContain(`Bạn chọn Nhận định này ${tf.answer ? 'sai' : 'đúng'}.`);
    expect(words).toContain(`Đáp án đúng Nhận định này ${tf.answer ? 'đúng' : 'sai'}.`);
    expect(words).not.toMatch(/Giải thích (Đúng|Sai)\b/);
    // No bare verdict as a key anywhere on the page.
    expect(text(page)).not.toMatch(/Đáp án đúng (Đúng|Sai)\b/);
    // The answers the learner got right show their choice too, without a key.
    expect((page.match(/<dt>Bạn chọn<\/dt>/g) ?? []).length).toBe(lesson.check.length);
    expect((page.match(/<dt>Đáp án đúng<\/dt>/g) ?? []).length).toBe(1);
    // The page ends with the next step: the following lesson.
    const tail = page.slice(page.lastIndexOf('class="card result'));
    const next = links(tail).find((l) => l.text.startsWith('Bài tiếp theo'));
    expect(next).toMatchObject({ href: paths.lesson(COURSE, 'citizen', all[at + 1]!.id), text: `Bài tiếp theo: ${all[at + 1]!.title}` });
    expect(tail.indexOf('Bước tiếp theo')).toBeGreaterThan(0);
  });

  it('after the last lesson lead a guest to the final quiz', async () => {
    const last = lessons().at(-1)!;
    const c = new Client(server.url);
    const { token } = await openCheck(c, last.id);
    const posted = await c.post(paths.check(COURSE, 'citizen', last.id), [['token', token]]);
    const page = await (await c.get(posted.headers.get('location')!)).text();
    // Failed (blank): trying again comes first, the next step second.
    const tail = links(page.slice(page.indexOf('Bước tiếp theo')));
    expect(tail[0]).toMatchObject({ text: 'Làm lại bài kiểm tra', href: paths.check(COURSE, 'citizen', last.id) });
    expect(tail[1]).toMatchObject({ text: 'Làm bài kiểm tra cuối khóa', href: paths.finalQuiz(COURSE, 'citizen') });
    expect(tail[1]!.tag).toContain('btn secondary');
    // Every blank answer says so, and no "Bạn chọn" is invented for it.
    expect(page).not.toContain('<dt>Bạn chọn</dt>');
    expect((page.match(/Bạn chưa trả lời câu này/g) ?? []).length).toBe(last.check.length);
  });
});

describe('a learner’s way through a course', () => {
  it('leads from lesson 1 to the final quiz, then to the next course, and the account page keeps editions apart', async () => {
    const all = lessons();
    const guestPage = main(await (await new Client(server.url).get(paths.course(COURSE, 'citizen'))).text());
    expect(links(guestPage).find((l) => l.text === 'Bắt đầu bài 1')).toMatchObject({ href: paths.lesson(COURSE, 'citizen', all[0]!.id) });
    expect(links(guestPage).find((l) => l.text === 'Bắt đầu bài 1')!.tag).toMatch(/class="btn"/);

    const c = await signedUp();
    let coursePage = main(await (await c.get(paths.course(COURSE, 'citizen'))).text());
    expect(links(coursePage).some((l) => l.text === 'Bắt đầu bài 1')).toBe(true);
    expect(text(coursePage)).toContain(`Bài học: đã xong 0/${all.length} · Kiểm tra cuối khóa: chưa qua`);

    // "Tôi đã học xong bài này" goes on to the next lesson, whose page shows the saved note as its target.
    const done = await c.post(paths.markDone(COURSE, 'citizen', all[0]!.id), {});
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${paths.lesson(COURSE, 'citizen', all[1]!.id)}#da-luu`);
    const second = await (await c.get(paths.lesson(COURSE, 'citizen', all[1]!.id))).text();
    expect(second).toMatch(new RegExp(`<p id="da-luu" class="notice ok saved" role="status">Đã lưu: bạn đã học xong bài «${all[0]!.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/"/g, '&quot;')}».</p>`));
    coursePage = main(await (await c.get(paths.course(COURSE, 'citizen'))).text());
    expect(links(coursePage).find((l) => l.text.startsWith('Học tiếp:'))).toMatchObject({ text: `Học tiếp: ${all[1]!.title}`, href: paths.lesson(COURSE, 'citizen', all[1]!.id) });

    for (const [i, l] of all.entries()) {
      if (i === 0) continue;
      const r = await c.post(paths.markDone(COURSE, 'citizen', l.id), {});
      const want = i + 1 < all.length ? `${paths.lesson(COURSE, 'citizen', all[i + 1]!.id)}#da-luu` : `${paths.course(COURSE, 'citizen')}?da-xong=${l.id}`;
      expect(r.headers.get('location')).toBe(want);
    }
    coursePage = main(await (await c.get(paths.course(COURSE, 'citizen'))).text());
    // Every lesson done, the final quiz left: lessons and quiz apart, no percentage beside "N/N".
    expect(text(coursePage)).toContain(`Bài học: đã xong ${all.length}/${all.length} · Kiểm tra cuối khóa: chưa qua`);
    expect(text(coursePage)).not.toMatch(/\(\d+%\)/);
    const finalLinks = links(coursePage).filter((l) => l.href === paths.finalQuiz(COURSE, 'citizen'));
    expect(finalLinks).toHaveLength(1);
    expect(finalLinks[0]!.tag).toMatch(/class="btn"/);

    let account = main(await (await c.get('/tai-khoan')).text());
    let learning = account.slice(account.indexOf('>Đang học<'), account.indexOf('>Đã hoàn thành<'));
    let completed = account.slice(account.indexOf('>Đã hoàn thành<'));
    expect(text(learning)).toContain(`${course().title} (Người dân) Đã học ${all.length}/${all.length} bài`);
    expect(text(learning)).not.toContain('Thành viên Tổ');
    expect((text(learning).match(new RegExp(course().title, 'g')) ?? []).length).toBe(1);
    expect(text(completed)).toContain('Bạn chưa hoàn thành khóa học nào.');

    // The final quiz: the form says which attempt its kept choices belong to, and stays plain without JavaScript.
    const quizHtml = await (await c.get(paths.finalQuiz(COURSE, 'citizen'))).text();
    const attempt = /name="attempt" value="([^"]+)"/.exec(quizHtml)![1]!;
    expect(quizHtml).toContain(`<form method="post" class="quiz" data-luu="${attempt}">`);
    expect(quizHtml).toMatch(/<p class="quizbar" hidden aria-live="polite">Đã trả lời <span data-dem>0<\/span>\/10 câu<\/p>/);
    const pool = course().editions.citizen!.finalPool;
    const fields = correctFieldsFromHtml(quizHtml, pool);
    // One question with radio buttons answered wrongly: still a pass (9/10), and the result shows that choice only.
    const radio = [...quizHtml.matchAll(/<input type="radio" name="(q\d+)" value="(\d+)"/g)].map((m) => ({ name: m[1]!, value: m[2]! }));
    const target = radio[0]!.name;
    const right = fields.find(([n]) => n === target)![1];
    const wrongValue = radio.find((r) => r.name === target && r.value !== right)!.value;
    const submitted = await c.post(paths.finalQuiz(COURSE, 'citizen'), [['attempt', attempt], ...fields.map(([n, v]) => [n, n === target ? wrongValue : v] as [string, string])]);
    expect(submitted.status).toBe(303);
    const result = main(await (await c.get(submitted.headers.get('location')!)).text());
    expect(text(result)).toContain('9/10 câu đúng');
    expect(result).toContain('<dt>Bạn chọn</dt>');
    expect(result).not.toContain('Đáp án đúng');
    const nextCourse = links(result.slice(result.indexOf('Bước tiếp theo'))).find((l) => l.text.startsWith('Khóa học tiếp theo: '));
    expect(nextCourse).toBeTruthy();
    expect(nextCourse!.href).toMatch(/^\/khoa-hoc\/[a-z0-9-]+\/nguoi-dan$/);
    expect(nextCourse!.href).not.toBe(paths.course(COURSE, 'citizen'));

    account = main(await (await c.get('/tai-khoan')).text());
    learning = account.slice(account.indexOf('>Đang học<'), account.indexOf('>Đã hoàn thành<'));
    completed = account.slice(account.indexOf('>Đã hoàn thành<'));
    expect(text(learning)).not.toContain(course().title);
    expect(text(completed)).toContain(`${course().title} (Người dân) — hoàn thành ngày`);
    expect((text(completed).match(new RegExp(course().title, 'g')) ?? []).length).toBe(1);
  });
});

describe('lesson layout markup', () => {
  it('wraps every lesson table in a focusable, labelled scroll region and marks message times', () => {
    const root = 'dist/client/khoa-hoc';
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : d.name === 'index.html' ? [path.join(dir, d.name)] : []));
    let tables = 0;
    let times = 0;
    for (const file of walk(root)) {
      const html = fs.readFileSync(file, 'utf8');
      for (const m of html.matchAll(/<table/g)) {
        const before = html.slice(Math.max(0, m.index - 200), m.index);
        expect(before, file).toMatch(/<div class="tablewrap" tabindex="0" role="region" aria-label="[^"]+">$/);
        tables++;
      }
      for (const m of html.matchAll(/<div class="meta">[\s\S]*?<\/div>/g)) if (/<span class="time">/.test(m[0])) times++;
    }
    expect(tables).toBeGreaterThan(10);
    expect(times).toBeGreaterThan(10);
  });
});

describe('certificate sharing', () => {
  it('speaks plainly on the public page and keeps machine formats in “Dành cho hệ thống kiểm tra”', async () => {
    const page = main(await (await new Client(server.url).get('/chung-nhan/HS4VN-2026D')).text());
    const details = /<details class="machine">\s*<summary>Dành cho hệ thống kiểm tra<\/summary>[\s\S]*?<\/details>/.exec(page)?.[0];
    expect(details).toBeTruthy();
    for (const href of ['/chung-nhan/HS4VN-2026D.json', '/chung-nhan/HS4VN-2026D.jwt', '/.well-known/jwks.json']) expect(details).toContain(`href="${href}"`);
    const outside = page.replace(details!, '');
    expect(outside).not.toMatch(/\.json"|\.jwt"|Open Badges|VC-JWT|JWKS/);
    expect(text(outside)).toContain('không phải ảnh chụp');
    expect(outside).toContain('<span class="nowrap">HS4VN-2026D</span>');
    expect(links(outside).find((l) => l.text === 'Tải bản PDF')).toBeTruthy();
  });

  it('offers “Sao chép liên kết” (shown by its script) beside a read-only link on “Chứng nhận của tôi”', async () => {
    const c = new Client(server.url);
    await c.post('/dang-nhap', { phone: '0912000004', password: 'hoc-thu-2026', next: '/' });
    const page = main(await (await c.get('/chung-nhan-cua-toi')).text());
    const id = /<input class="text" id="(link-[^"]+)" type="text" inputmode="url" readonly value="[^"]+\/chung-nhan\/HS4VN-2026D">/.exec(page)?.[1];
    expect(id).toBeTruthy();
    expect(page).toContain(`<p class="hint" id="${id}-tb" role="status"></p>`);
    expect(page).toContain(`<button type="button" class="btn" data-copy="${id}" hidden>Sao chép liên kết</button>`);
    expect(page).toContain('<span class="nowrap">HS4VN-2026D</span>');
  });
});
