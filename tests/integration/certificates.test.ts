/** Certificates on a real database: issued once with the completion, frozen, revoked, reissued, rate-limited, printed. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
process.env.SITE_URL = 'https://hocso.example.vn';
import { getCatalog } from '../../src/server/content/catalog.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { markLessonDone, startFinalQuiz, submitFinalQuiz } from '../../src/server/learning/learning.ts';
import type { FormEntries } from '../../src/server/learning/quiz.ts';
import {
  certificatesOfUser,
  reissueCertificate,
  revokeCertificate,
  verifyCertificate,
} from '../../src/server/certificates/certificates.ts';
import { renderCertificateImage } from '../../src/server/certificates/image.ts';
import { renderCertificatePdf } from '../../src/server/certificates/pdf.ts';
import { DEFAULT_ISSUER_NAME } from '../../src/server/config.ts';
import { createTestDb } from '../setup/db.ts';
import { correctFields } from '../setup/answers.ts';
import { pdfInfo, pdfLines, pdfQrText, pngSize } from '../setup/pdf.ts';

let db: Kysely<Database>;
let n = 0;
beforeAll(async () => {
  db = (await createTestDb()).db;
});

async function newUser(name?: string): Promise<string> {
  n++;
  const row = await db
    .insertInto('user')
    .values({ phone: `+8491400${String(n).padStart(4, '0')}`, display_name: name ?? `Người học ${n}`, password_hash: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const COURSE = 'khoa-thu-nghiem';
const course = () => getCatalog().bySlug.get(COURSE)!;


async function passingAttempt(userId: string, edition: 'citizen' | 'member') {
  const quiz = await startFinalQuiz(db, userId, COURSE, edition);
  const attempt = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
  const entries: FormEntries = new Map();
  for (const [k, v] of attempt.questions.flatMap((d, i) => correctFields(course().questions.get(d.id)!, d.order, i))) entries.set(k, [...(entries.get(k) ?? []), v]);
  return { attemptId: quiz.attemptId, entries };
}

/** Completes the citizen edition through the learning services; returns the certificate. */
async function complete(userId: string) {
  for (const l of course().editions.citizen!.lessons) await markLessonDone(db, { userId }, { course: COURSE, edition: 'citizen', lessonId: l.id }, 'test-client');
  const ok = await passingAttempt(userId, 'citizen');
  await submitFinalQuiz(db, userId, ok.attemptId, ok.entries, 'test-client');
  const [c] = await certificatesOfUser(db, userId);
  return c!;
}

const certRows = (userId: string) => db.selectFrom('certificate').selectAll().where('user_id', '=', userId).execute();

describe('issuing', () => {
  it('issues nothing before completion and one certificate at completion, with what it certifies frozen', async () => {
    const u = await newUser('Trần Thị Lan');
    await markLessonDone(db, { userId: u }, { course: COURSE, edition: 'citizen', lessonId: 'bai-chung-mot' }, 'test-client');
    expect(await certRows(u)).toHaveLength(0);
    const before = Date.now();
    const c = await complete(u);
    expect(c).toMatchObject({
      learnerName: 'Trần Thị Lan',
      courseSlug: COURSE,
      courseTitle: course().title,
      edition: 'citizen',
      editionLabel: 'Người dân',
      contentVersion: course().version,
      status: 'valid',
      issuerName: DEFAULT_ISSUER_NAME,
      verifyUrl: `https://hocso.example.vn/chung-nhan/${c.displayCode}`,
    });
    expect(c.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(Math.abs(c.issuedAt.getTime() - before)).toBeLessThan(60_000);
    // The completion and the certificate come from the same transaction.
    const completion = await db.selectFrom('course_completion').selectAll().where('user_id', '=', u).executeTakeFirstOrThrow();
    expect(completion.edition).toBe('citizen');
    // A later change of the account name does not change the certificate.
    await db.updateTable('user').set({ display_name: 'Tên Khác' }).where('id', '=', u).execute();
    expect((await verifyCertificate(db, c.code, 'client-a')).learnerName).toBe('Trần Thị Lan');
  });

  it('issues exactly one certificate under parallel completions', async () => {
    const u = await newUser();
    const lessons = course().editions.member!.lessons.map((l) => l.id);
    const ok = await passingAttempt(u, 'member');
    await Promise.all([
      ...lessons.flatMap((l) => [1, 2, 3].map(() => markLessonDone(db, { userId: u }, { course: COURSE, edition: 'member', lessonId: l }, 'test-client'))),
      ...[1, 2, 3, 4].map(() => submitFinalQuiz(db, u, ok.attemptId, ok.entries, 'test-client')),
    ]);
    const rows = await certRows(u);
    expect(rows.map((r) => r.edition)).toEqual(['member']);
  });

  it('lets the database refuse a second current certificate for one edition', async () => {
    const u = await newUser();
    const c = await complete(u);
    await expect(
      db
        .insertInto('certificate')
        .values({ code: 'ABCDE12345', user_id: u, course_slug: COURSE, edition: 'citizen', learner_name: 'X', course_title: 'Y', content_version: 1 })
        .execute(),
    ).rejects.toThrow(/certificate_current_uq|duplicate|unique/i);
    expect(await certRows(u)).toHaveLength(1);
    expect((await certRows(u))[0]!.code).toBe(c.code);
  });
});

describe('revoking and reissuing', () => {
  it('revokes with a public reason; bad reasons and repeats are refused', async () => {
    const u = await newUser();
    const admin = await newUser('Quản trị');
    const c = await complete(u);
    await expect(revokeCertificate(db, admin, c.code, 'ngắn')).rejects.toMatchObject({ status: 400 });
    await expect(revokeCertificate(db, admin, c.code, 'x'.repeat(301))).rejects.toMatchObject({ status: 400 });
    await expect(revokeCertificate(db, admin, 'ZZZZZZZZZZ', 'Không có mã này')).rejects.toMatchObject({ status: 404 });
    expect((await verifyCertificate(db, c.code, 'client-b')).status).toBe('valid');
    const r = await revokeCertificate(db, admin, c.displayCode.toLowerCase(), '  Nhờ người khác làm bài  ');
    expect(r).toMatchObject({ status: 'revoked', revokedReason: 'Nhờ người khác làm bài' });
    await expect(revokeCertificate(db, admin, c.code, 'Thu hồi lần nữa')).rejects.toMatchObject({ status: 409 });
    const row = (await certRows(u))[0]!;
    expect(row.revoked_by).toBe(admin);
  });

  it('reissues with a corrected name: new code, old one shows as replaced, account name corrected', async () => {
    const u = await newUser('Nguyen Van Sai');
    const admin = await newUser('Quản trị');
    const old = await complete(u);
    await expect(reissueCertificate(db, admin, old.code, { kind: 'corrected', name: ' ' })).rejects.toMatchObject({ status: 400 });
    const fresh = await reissueCertificate(db, admin, old.code, { kind: 'corrected', name: 'Nguyễn Văn Đúng' });
    expect(fresh).toMatchObject({ status: 'valid', learnerName: 'Nguyễn Văn Đúng', replacesCode: old.code, courseTitle: old.courseTitle });
    expect(fresh.code).not.toBe(old.code);
    const oldNow = await verifyCertificate(db, old.code, 'client-c');
    expect(oldNow).toMatchObject({ status: 'replaced', replacedByCode: fresh.code, learnerName: 'Nguyen Van Sai' });
    await expect(reissueCertificate(db, admin, old.code, { kind: 'corrected', name: 'Nguyễn Văn Đúng' })).rejects.toMatchObject({ status: 409 });
    expect((await db.selectFrom('user').select('display_name').where('id', '=', u).executeTakeFirstOrThrow()).display_name).toBe('Nguyễn Văn Đúng');
    // The learner's list shows only the current certificate.
    expect((await certificatesOfUser(db, u)).map((c) => c.code)).toEqual([fresh.code]);
  });
});

describe('public lookup', () => {
  it('answers unknown codes with 404 and cuts off a guessing client with 429, even for real codes', async () => {
    const u = await newUser();
    const c = await complete(u);
    for (let i = 0; i < 20; i++) await expect(verifyCertificate(db, `ZZZZZ${String(i).padStart(5, '0')}`, 'guesser')).rejects.toMatchObject({ status: 404 });
    await expect(verifyCertificate(db, 'ZZZZZ-99999', 'guesser')).rejects.toMatchObject({ status: 429, message: expect.stringMatching(/Vui lòng đợi \d+ phút/) });
    await expect(verifyCertificate(db, c.code, 'guesser')).rejects.toMatchObject({ status: 429 });
    expect((await verifyCertificate(db, c.code, 'someone-else')).code).toBe(c.code);
  });
});

describe('printing', () => {
  const NAME = 'Nguyễn Thị Hương Đặng Ưu Ơn Thiện Lễ';

  it('prints an A4 landscape PDF whose text (pdftotext) is exactly the certificate, diacritics included, with a QR code to the page', async () => {
    const u = await newUser(NAME);
    const c = await complete(u);
    const pdf = await renderCertificatePdf(c);
    expect(pdfInfo(pdf)['Page size']).toMatch(/^841\.89 x 595\.28 pts/);
    expect(pdfInfo(pdf)['Pages']).toBe('1');
    const d = c.issuedAt;
    const date = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
    expect(pdfLines(pdf)).toEqual([
      DEFAULT_ISSUER_NAME,
      'CHỨNG NHẬN HOÀN THÀNH KHÓA HỌC',
      'Chứng nhận',
      NAME,
      'đã hoàn thành khóa học',
      course().title,
      `Phiên bản: Người dân · Nội dung bản ${course().version}`,
      `Ngày cấp: ${date}`,
      `Mã xác minh: ${c.displayCode}`,
      'Kiểm tra chứng nhận tại:',
      `https://hocso.example.vn/chung-nhan/${c.displayCode}`,
      `Đơn vị cấp: ${DEFAULT_ISSUER_NAME}`,
      'Quét để kiểm tra',
    ]);
    expect(pdfQrText(pdf)).toBe(`https://hocso.example.vn/chung-nhan/${c.displayCode}`);
  });

  it('marks a revoked certificate across the PDF and the preview image', async () => {
    const u = await newUser();
    const admin = await newUser();
    const c = await complete(u);
    const revoked = await revokeCertificate(db, admin, c.code, 'Cấp nhầm người');
    const lines = pdfLines(await renderCertificatePdf(revoked));
    expect(lines).toContain('ĐÃ THU HỒI — KHÔNG CÒN GIÁ TRỊ');
    expect(lines).toContain('Lý do: Cấp nhầm người');
    const valid = renderCertificateImage(c);
    const marked = renderCertificateImage(revoked);
    expect(pngSize(valid)).toEqual({ width: 1200, height: 630 });
    expect(Buffer.from(marked).equals(Buffer.from(valid))).toBe(false);
  });
});
