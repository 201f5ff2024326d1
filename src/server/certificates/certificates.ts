/**
 * Certificate rules: issued once, in the transaction that records a course completion; looked up
 * publicly by verification code (misses rate-limited per client); revoked or reissued by an admin.
 * A certificate freezes the learner's name, the course title and the content version at issue.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Edition } from '../../lib/content/schema.ts';
import { DisplayNameSchema } from '../../lib/fields.ts';
import { EDITION_LABELS, paths } from '../../lib/editions.ts';
import type { Course } from '../content/catalog.ts';
import { issuerName, siteUrl } from '../config.ts';
import type { CertificateRow, Database } from '../db/schema.ts';
import { takeWouldAllow, LIMITS, RateLimitError, take, waitText, type LimitCheck } from '../security/rate-limit.ts';
import { formatCode, generateCode, parseCode } from './code.ts';
import * as repo from './certificates.repository.ts';

/** A refused certificate request, with the HTTP status and a Vietnamese message. */
export class CertificateError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export type CertificateStatus = 'valid' | 'revoked' | 'replaced';

/** Everything a verification page, PDF or credential shows about one certificate. */
export interface CertificateView {
  id: string;
  /** The holder's account; null once they deleted it (the certificate stays valid). */
  userId: string | null;
  /** Stored form (XXXXXXXXXX). */
  code: string;
  /** Shown form (XXXXX-XXXXX). */
  displayCode: string;
  learnerName: string;
  courseSlug: string;
  courseTitle: string;
  edition: Edition;
  editionLabel: string;
  contentVersion: number;
  issuedAt: Date;
  status: CertificateStatus;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** Code of the certificate that replaced this one. */
  replacedByCode: string | null;
  /** Code of the certificate this one replaced (a reissue). */
  replacesCode: string | null;
  /** Position in the revocation status lists (see status-list.ts). */
  statusIndex: number;
  issuerName: string;
  /** Absolute address of the public verification page. */
  verifyUrl: string;
  /** Absolute address of the course edition. */
  courseUrl: string;
}

/** Path of the verification page (and, with a suffix, of its PDF, JSON, JWT and image). */
export function certificatePath(code: string, suffix: '' | '.pdf' | '.json' | '.jwt' | '.png' = ''): string {
  return `/chung-nhan/${formatCode(code)}${suffix}`;
}

function toView(row: repo.CertificateViewRow): CertificateView {
  const edition = row.edition as Edition;
  const site = siteUrl();
  return {
    id: row.id,
    userId: row.user_id,
    code: row.code,
    displayCode: formatCode(row.code),
    learnerName: row.learner_name,
    courseSlug: row.course_slug,
    courseTitle: row.course_title,
    edition,
    editionLabel: EDITION_LABELS[edition] ?? row.edition,
    contentVersion: row.content_version,
    issuedAt: new Date(row.issued_at),
    status: row.replaced_at ? 'replaced' : row.revoked_at ? 'revoked' : 'valid',
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
    revokedReason: row.revoked_reason,
    replacedByCode: row.replaced_by_code,
    replacesCode: row.replaces_code,
    statusIndex: row.status_index,
    issuerName: issuerName(),
    verifyUrl: site + certificatePath(row.code),
    courseUrl: site + paths.course(row.course_slug, edition),
  };
}

/**
 * Issues the certificate of a course completion. Call it inside the transaction that recorded the
 * completion; the partial unique index makes a second call for the same edition a no-op.
 */
export async function issueCertificate(
  trx: Transaction<Database>,
  c: { userId: string; course: Course; edition: Edition },
): Promise<CertificateRow | undefined> {
  return repo.insertCertificate(trx, {
    // 50 random bits: among even a million certificates a collision has odds below 1 in 10^9,
    // and the unique constraint would refuse it rather than mix two learners up.
    code: generateCode(),
    userId: c.userId,
    course: c.course.slug,
    edition: c.edition,
    learnerName: await repo.learnerName(trx, c.userId),
    courseTitle: c.course.title,
    contentVersion: c.course.version,
  });
}

/** The answer to a code that matches no certificate (also used by the web edge for malformed codes). */
export const CERTIFICATE_NOT_FOUND = 'Không tìm thấy chứng nhận có mã này. Hãy kiểm tra lại mã in trên giấy chứng nhận (10 ký tự, ví dụ HS4VN-2026D).';

/**
 * Public lookup by a typed or scanned code. Unknown codes count against the client, so guessing is
 * cut off after a few tries; a blocked client is refused even for real codes until the window ends.
 * A found code costs two indexed queries (the client's rate-limit row, then the certificate view);
 * a miss is counted and checked in one statement, so of N parallel guesses at most the limit get an answer.
 */
export async function verifyCertificate(db: Kysely<Database>, rawCode: string, clientKey: string): Promise<CertificateView> {
  const code = parseCode(rawCode);
  const check: LimitCheck = { key: `cert:miss:${clientKey}`, limit: LIMITS.certificateMissPerClient };
  // Refusal only: the guard against guessing is the atomic count of misses below. `take` stops
  // counting at the limit, so `blocked` (hits <= max) would let a cut-off guesser look codes up.
  const state = await takeWouldAllow(db, check.key, check.limit);
  if (!state.allowed) throw tooMany(state.retryAfter);
  const row = code ? await repo.findViewByCode(db, code) : undefined;
  if (row) return toView(row);
  const taken = await take(db, [check]);
  if (!taken.allowed) throw tooMany(taken.retryAfter);
  throw new CertificateError(404, CERTIFICATE_NOT_FOUND);
}

function tooMany(seconds: number): RateLimitError {
  return new RateLimitError(`Bạn đã tra quá nhiều mã không đúng. Vui lòng đợi ${waitText(seconds)} rồi thử lại.`, seconds);
}

/** Lookup for admins (no rate limit); undefined when unknown. */
export async function findCertificate(db: Kysely<Database>, rawCode: string): Promise<CertificateView | undefined> {
  const code = parseCode(rawCode);
  const row = code ? await repo.findViewByCode(db, code) : undefined;
  return row ? toView(row) : undefined;
}

/** The learner's own current certificates (replaced ones are left out). */
export async function certificatesOfUser(db: Kysely<Database>, userId: string): Promise<CertificateView[]> {
  return (await repo.currentOfUser(db, userId)).map(toView);
}

/** Revokes a current certificate; the reason is shown publicly. */
export async function revokeCertificate(db: Kysely<Database>, adminId: string, rawCode: string, rawReason: string): Promise<CertificateView> {
  const reason = rawReason.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (reason.length < 5) throw new CertificateError(400, 'Vui lòng ghi lý do thu hồi (ít nhất 5 ký tự).');
  if (reason.length > 300) throw new CertificateError(400, 'Lý do thu hồi tối đa 300 ký tự.');
  if (/[\p{Cc}<>]/u.test(reason)) throw new CertificateError(400, 'Lý do thu hồi có ký tự không hợp lệ.');
  const code = parseCode(rawCode);
  if (!code) throw new CertificateError(404, CERTIFICATE_NOT_FOUND);
  return db.transaction().execute(async (trx) => {
    const row = await repo.lockByCode(trx, code);
    if (!row) throw new CertificateError(404, CERTIFICATE_NOT_FOUND);
    if (row.replaced_at) throw new CertificateError(409, 'Chứng nhận này đã được cấp lại bằng mã khác; hãy thu hồi chứng nhận mới.');
    if (row.revoked_at) throw new CertificateError(409, 'Chứng nhận này đã bị thu hồi từ trước.');
    // The certificate's bit in its status list is set from now on: lists are built from these rows.
    await repo.markRevoked(trx, row.id, { reason, by: adminId });
    return toView((await repo.findViewById(trx, row.id))!);
  });
}

/**
 * Where the name on a reissued certificate comes from: typed by the admin (a correction, which also
 * corrects the account's name), or the holder's current account name (after they corrected it
 * themselves). Either way it is an explicit admin action: a person's own name change never alters a
 * certificate already issued.
 */
export type ReissueName = { kind: 'corrected'; name: string } | { kind: 'account' };

/** The holder's current account name when it differs from the certificate's frozen one (for the admin page). */
export async function accountNameIfChanged(db: Kysely<Database>, c: CertificateView): Promise<string | undefined> {
  if (!c.userId) return undefined;
  const name = await repo.learnerName(db, c.userId);
  return name !== c.learnerName ? name : undefined;
}

/**
 * Reissues a certificate: a new certificate (new code) with the chosen name, the old one pointing to
 * it, and an audit-log entry naming the admin, all in one transaction.
 */
export async function reissueCertificate(db: Kysely<Database>, adminId: string, rawCode: string, source: ReissueName): Promise<CertificateView> {
  let typed: string | undefined;
  if (source.kind === 'corrected') {
    const name = DisplayNameSchema.safeParse(source.name);
    if (!name.success) throw new CertificateError(400, name.error.issues[0]?.message ?? 'Họ và tên không hợp lệ.');
    typed = name.data;
  }
  const code = parseCode(rawCode);
  if (!code) throw new CertificateError(404, CERTIFICATE_NOT_FOUND);
  return db.transaction().execute(async (trx) => {
    const old = await repo.lockByCode(trx, code);
    if (!old) throw new CertificateError(404, CERTIFICATE_NOT_FOUND);
    if (old.replaced_at) throw new CertificateError(409, 'Chứng nhận này đã được cấp lại từ trước; hãy mở chứng nhận mới.');
    let name: string;
    if (typed !== undefined) {
      name = typed;
      if (old.user_id) await repo.updateLearnerName(trx, old.user_id, name);
    } else {
      if (!old.user_id) throw new CertificateError(409, 'Người này đã xóa tài khoản, nên không có họ tên trong tài khoản để dùng. Hãy nhập họ tên đúng.');
      name = await repo.learnerName(trx, old.user_id);
      if (name === old.learner_name) throw new CertificateError(409, 'Họ tên trong tài khoản giống họ tên trên chứng nhận; không cần cấp lại.');
    }
    await repo.markReplacing(trx, old.id);
    const fresh = await repo.insertCertificate(trx, {
      code: generateCode(),
      userId: old.user_id,
      course: old.course_slug,
      edition: old.edition,
      learnerName: name,
      courseTitle: old.course_title,
      contentVersion: old.content_version,
    });
    if (!fresh) throw new Error('replacement certificate was not inserted');
    // replaced_at set above also sets the old certificate's bit in its status list.
    await repo.setReplacedBy(trx, old.id, fresh.id);
    await repo.insertAudit(trx, {
      actorId: adminId,
      action: 'certificate.reissue',
      detail: { certificate: old.code, replacement: fresh.code, source: source.kind, user: old.user_id },
    });
    return toView((await repo.findViewById(trx, fresh.id))!);
  });
}
