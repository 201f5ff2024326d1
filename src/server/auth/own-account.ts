/**
 * What a person can do with their own account: change the password, correct their name, download
 * their data and delete the account. Inputs are already shaped by the field schemas at the edge.
 *
 * Deletion removes the user row (see README "Accounts: deletion and what is kept"): personal rows go
 * with it, certificates stay verifiable under their frozen name with no link to anyone, and the
 * dashboard counters of the person's unit are recounted in the same transaction.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { guardAttempt, LIMITS, waitText, type LimitCheck } from '../security/rate-limit.ts';
import { recountMembersOf } from '../teams/counters.ts';
import { forgetLinksOf } from '../households/links.ts';
import type { AccountResult } from './account.ts';
import { hashPassword, isCommonPassword, verifyDummy, verifyPassword } from './password.ts';
import { deleteUserSessions } from './session.ts';
import * as repo from './own-account.repository.ts';

const COMMON =
  'Mật khẩu này quá phổ biến, kẻ gian dễ đoán ra. Hãy chọn mật khẩu khác, ví dụ một câu ngắn dễ nhớ.';

/**
 * Checks the password of a signed-in person. Like sign-in, the hits are taken before the check and
 * only failures count: 5 wrong tries per 15 minutes on this account, and the number's day-long budget
 * shared with sign-in, so a borrowed phone with an open session cannot be used to guess the password.
 */
async function checkPassword(
  db: Kysely<Database>,
  user: { id: string; phone: string; password_hash: string | null },
  password: string,
  field: string,
): Promise<AccountResult<void>> {
  const checks: LimitCheck[] = [
    { key: `account:password:${user.id}`, limit: LIMITS.loginPerPhoneClient, onSuccess: 'reset' },
    { key: `login:phone:${user.phone}`, limit: LIMITS.loginPerPhone, onSuccess: 'refund' },
  ];
  const hash = user.password_hash;
  const r = await guardAttempt(db, checks, async () => (hash ? verifyPassword(hash, password) : (await verifyDummy(password), false)), (ok) => ok);
  if (r.limited) {
    return { ok: false, status: 429, retryAfter: r.retryAfter, message: `Bạn đã nhập sai mật khẩu quá nhiều lần. Vui lòng đợi ${waitText(r.retryAfter)} rồi thử lại.` };
  }
  if (!r.result) return { ok: false, status: 400, field, message: 'Mật khẩu hiện tại không đúng.' };
  return { ok: true, value: undefined };
}

/**
 * Changes the password after checking the current one; every other session of the person is ended,
 * the one making the change (`sessionId`) stays signed in.
 */
export async function changePassword(
  db: Kysely<Database>,
  input: { userId: string; sessionId: string; currentPassword: string; newPassword: string },
): Promise<AccountResult<void>> {
  const user = await repo.findUser(db, input.userId);
  if (!user) return { ok: false, status: 404, message: 'Không tìm thấy tài khoản.' };
  const checked = await checkPassword(db, user, input.currentPassword, 'currentPassword');
  if (!checked.ok) return checked;
  if (input.newPassword.normalize('NFC') === input.currentPassword.normalize('NFC')) {
    return { ok: false, status: 400, field: 'newPassword', message: 'Mật khẩu mới cần khác mật khẩu hiện tại.' };
  }
  if (await isCommonPassword(input.newPassword)) return { ok: false, status: 400, field: 'newPassword', message: COMMON };
  const hash = await hashPassword(input.newPassword);
  await db.transaction().execute(async (trx) => {
    await repo.setPasswordHash(trx, input.userId, hash);
    await deleteUserSessions(trx, input.userId, input.sessionId);
  });
  return { ok: true, value: undefined };
}

/**
 * Corrects the person's name on their account. Certificates already issued keep the name printed on
 * them: changing a certificate is an admin's reissue, never a side effect of this.
 */
export async function changeDisplayName(db: Kysely<Database>, userId: string, name: string): Promise<void> {
  await repo.setDisplayName(db, userId, name);
}

/** Everything stored about the person, for the download offered before deletion. */
export interface AccountExport {
  format: 'hoc-so-du-lieu-ca-nhan';
  version: 1;
  exportedAt: string;
  note: string;
  account: { name: string; phone: string; role: string; createdAt: string; activated: boolean };
  sessions: { device: string | null; signedInAt: string; lastSeenAt: string }[];
  team: { team: string; unit: string; role: string; active: boolean; since: string; leftAt: string | null } | null;
  officialScopes: { unit: string; since: string }[];
  teamInvitations: { team: string; unit: string; nameInRoster: string; role: string; status: string; invitedAt: string; answeredAt: string | null }[];
  lessonProgress: { course: string; lesson: string; edition: string; via: string; completedAt: string }[];
  lessonAnswers: { kind: string; course: string; edition: string; lesson: string; answers: unknown; results: unknown; passed: boolean; at: string }[];
  finalQuizAttempts: {
    course: string;
    edition: string;
    startedAt: string;
    submittedAt: string | null;
    score: number | null;
    total: number;
    passMark: number;
    passed: boolean | null;
    answers: unknown;
    results: unknown;
  }[];
  completions: { course: string; edition: string; completedAt: string }[];
  certificates: { code: string; name: string; course: string; edition: string; issuedAt: string; status: string; revokedReason: string | null }[];
  questions: { month: string; course: string; text: string; status: string; answer: string | null; askedAt: string; answeredAt: string | null }[];
  attendance: { month: string; checkedInAt: string }[];
  privateCalendar: { createdAt: string } | null;
  /** Links of this account to households (through the help visit the person confirmed). */
  householdLinks: { household: string; team: string; person: string | null; visitDate: string | null; linkedAt: string; undoneAt: string | null }[];
}

const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null) => (d ? iso(d) : null);

/** Collects the person's data (and only theirs) into one JSON-ready object. */
export async function exportAccountData(db: Kysely<Database>, userId: string): Promise<AccountExport | undefined> {
  const user = await repo.findUser(db, userId);
  if (!user) return undefined;
  const [sessions, team, scopes, progress, submissions, attempts, completions, certificates, questions, attendance, calendar, invitations, links] = await Promise.all([
    repo.sessions(db, userId),
    repo.membership(db, userId),
    repo.officialScopes(db, userId),
    repo.lessonProgress(db, userId),
    repo.lessonSubmissions(db, userId),
    repo.quizAttempts(db, userId),
    repo.completions(db, userId),
    repo.certificates(db, userId),
    repo.questions(db, userId),
    repo.attendance(db, userId),
    repo.calendarToken(db, userId),
    repo.invitations(db, userId),
    repo.householdLinks(db, userId),
  ]);
  return {
    format: 'hoc-so-du-lieu-ca-nhan',
    version: 1,
    exportedAt: new Date().toISOString(),
    note:
      'Dữ liệu Học Số lưu về bạn, tải về lúc exportedAt. Mật khẩu chỉ được lưu dưới dạng mã băm nên không có ở đây. ' +
      'Chứng nhận có thể kiểm tra tại /chung-nhan/<mã>.',
    account: { name: user.display_name, phone: user.phone, role: user.role, createdAt: iso(user.created_at), activated: user.password_hash !== null },
    sessions: sessions.map((s) => ({ device: s.device, signedInAt: iso(s.created_at), lastSeenAt: iso(s.last_seen_at) })),
    team: team
      ? { team: team.team_name, unit: team.unit_name, role: team.role, active: team.active, since: iso(team.since), leftAt: isoOrNull(team.deactivated_at) }
      : null,
    officialScopes: scopes.map((s) => ({ unit: s.unit_name, since: iso(s.created_at) })),
    teamInvitations: invitations.map((i) => ({ team: i.team_name, unit: i.unit_name, nameInRoster: i.name_in_file, role: i.role, status: i.status, invitedAt: iso(i.created_at), answeredAt: isoOrNull(i.responded_at) })),
    lessonProgress: progress.map((p) => ({ course: p.course_slug, lesson: p.lesson_id, edition: p.edition, via: p.via, completedAt: iso(p.completed_at) })),
    lessonAnswers: submissions.map((s) => ({
      kind: s.kind,
      course: s.course_slug,
      edition: s.edition,
      lesson: s.lesson_id,
      answers: s.answers,
      results: s.results,
      passed: s.passed,
      at: iso(s.created_at),
    })),
    // An open attempt's drawn questions are not shown: only what was handed in is the person's answer.
    finalQuizAttempts: attempts.map((a) => ({
      course: a.course_slug,
      edition: a.edition,
      startedAt: iso(a.started_at),
      submittedAt: isoOrNull(a.submitted_at),
      score: a.score,
      total: a.total,
      passMark: a.pass_mark,
      passed: a.passed,
      answers: a.submitted_at ? a.answers : null,
      results: a.submitted_at ? a.results : null,
    })),
    completions: completions.map((c) => ({ course: c.course_slug, edition: c.edition, completedAt: iso(c.completed_at) })),
    certificates: certificates.map((c) => ({
      code: c.code,
      name: c.learner_name,
      course: c.course_title,
      edition: c.edition,
      issuedAt: iso(c.issued_at),
      status: c.replaced_at ? 'replaced' : c.revoked_at ? 'revoked' : 'valid',
      revokedReason: c.revoked_reason,
    })),
    questions: questions.map((q) => ({
      month: q.month,
      course: q.course_slug,
      text: q.text,
      status: q.status,
      answer: q.answer,
      askedAt: iso(q.created_at),
      answeredAt: isoOrNull(q.answered_at),
    })),
    attendance: attendance.map((a) => ({ month: a.month, checkedInAt: iso(a.checked_in_at) })),
    privateCalendar: calendar ? { createdAt: iso(calendar.created_at) } : null,
    householdLinks: links.map((l) => ({
      household: l.label,
      team: l.team_name,
      person: l.person,
      visitDate: l.visit_date,
      linkedAt: iso(l.created_at),
      undoneAt: isoOrNull(l.undone_at),
    })),
  };
}

/**
 * Deletes the account after checking the password. Admins cannot delete themselves here (the site
 * must never be left without one): another admin first takes the role away.
 */
export async function deleteAccount(db: Kysely<Database>, input: { userId: string; password: string }): Promise<AccountResult<void>> {
  const user = await repo.findUser(db, input.userId);
  if (!user) return { ok: false, status: 404, message: 'Không tìm thấy tài khoản.' };
  if (user.role === 'admin') {
    return { ok: false, status: 403, message: 'Tài khoản quản trị không tự xóa được. Hãy nhờ một quản trị viên khác bỏ quyền quản trị trước.' };
  }
  const checked = await checkPassword(db, user, input.password, 'password');
  if (!checked.ok) return checked;
  await db.transaction().execute(async (trx) => {
    const m = await repo.membership(trx, user.id);
    await repo.scrubAuditSubject(trx, user.id);
    await repo.scrubRosterRows(trx, user.phone);
    await repo.deleteOwnLimits(trx, user.phone, user.id);
    // Household links go with the account; the households and help counters are recounted first.
    await forgetLinksOf(trx, user.id);
    if (!(await repo.deleteUser(trx, user.id))) throw new Error('account vanished during deletion');
    // The membership row went with the account: recount its unit so dashboards stay exact.
    if (m) {
      await recountMembersOf(trx, [m.unit_id]);
      await repo.insertAudit(trx, { unitId: m.unit_id, action: 'account.delete', detail: { team: m.team_id } });
    }
  });
  return { ok: true, value: undefined };
}
