/**
 * Getting back into an account without SMS. Four ways, from the most to the least self-reliant:
 *  1. the person's own personal recovery code (shown once, written on paper), typed at /kich-hoat;
 *  2. a leader or official issues a code to a member inside their own scope;
 *  3. anyone else (a citizen, a member of another team, an unknown number): the helper starts a
 *     request that the owner must confirm on their own signed-in phone; the helper sees the same page
 *     whatever the number, and the code (with the name) only after the owner confirms;
 *  4. in person at the commune: an official checks the ID card and types the name on it; the printed
 *     code works only after 24 hours, and the owner can cancel it meanwhile.
 * Every reset signs out all sessions and leaves a security event the owner sees at the next sign-in.
 * Time comes from a `Clock`, so tests move it instead of sleeping.
 */
import type { Kysely } from 'kysely';
import type { Database, Role } from '../db/schema.ts';
import { formatDateTime } from '../../lib/format.ts';
import { hashPassword, isCommonPassword, verifyDummy, verifyPassword } from '../auth/password.ts';
import { deleteUserSessions } from '../auth/session.ts';
import { recountUnits } from '../teams/counters.ts';
import { canManage, isOfficial, requireMemberAccess, scopeUnits, type Viewer } from '../teams/access.ts';
import { CODE_DAYS, generateCode, hashCode } from '../teams/codes.ts';
import { findMembership, insertAudit } from '../teams/teams.repository.ts';
import { guardAttempt, LIMITS, waitText, type LimitCheck } from '../security/rate-limit.ts';
import * as repo from './recovery.repository.ts';

/** Where "now" comes from; tests pass their own. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** A refusal with an HTTP status and a Vietnamese message. */
export class RecoveryError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A helper's request waits this long for the owner's answer (and as long again to collect the code). */
export const REQUEST_MINUTES = 15;
/** In-person resets: the cooling-off period before the code works, and how long it works after that. */
export const IN_PERSON_WAIT_HOURS = 24;
export const IN_PERSON_VALID_DAYS = 7;
/** Personal codes: 12 characters of the slip alphabet, about 59 bits. */
export const PERSONAL_CODE_LENGTH = 12;

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** Roles that can be recovered by helpers; officials, moderators and admins go through an admin. */
const HELPABLE: readonly Role[] = ['learner', 'member', 'leader'];

/** A random personal code, without modulo bias (rejection sampling). */
export function generatePersonalCode(): string {
  let out = '';
  while (out.length < PERSONAL_CODE_LENGTH) {
    for (const b of crypto.getRandomValues(new Uint8Array(16))) {
      if (b < 248 && out.length < PERSONAL_CODE_LENGTH) out += CODE_ALPHABET[b % 31];
    }
  }
  return out;
}

/** ABCD-EFGH-JKMN: easier to copy onto paper and read back. */
export function formatPersonalCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}

/** The code as typed: upper-case, without spaces, hyphens or dots. */
export function normaliseCode(code: string): string {
  return code.toUpperCase().replace(/[\s.-]/g, '');
}

/** Names compared without case, spacing, tone marks or đ, since a name may have been typed without them. */
export function foldName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

async function auditUnitOf(db: Kysely<Database>, v: Viewer): Promise<number | null> {
  const own = await findMembership(db, v.id);
  if (own) return own.unit_id;
  return (await scopeUnits(db, v))[0]?.id ?? null;
}

function sixDigits(): string {
  const [n] = crypto.getRandomValues(new Uint32Array(1));
  return String(n! % 1_000_000).padStart(6, '0');
}

// ─── Helpers: scoped codes and confirmation requests ───

/** What the helper sees: a code for a member in scope, or a request that looks the same for every number. */
export type HelperStart =
  | { kind: 'issued'; code: string; expiresAt: Date; name: string }
  | { kind: 'requested'; requestId: string; matchCode: string };

/**
 * A leader (own team) or official (members of teams below their units) gets a code for a member in
 * scope at once. For any other number a confirmation request is made instead, whether or not an
 * account exists, so the helper learns nothing until the owner confirms on their own phone.
 */
export async function startHelperRecovery(db: Kysely<Database>, v: Viewer, phone: string, clock: Clock = systemClock): Promise<HelperStart> {
  if (!(await canManage(db, v))) throw new RecoveryError(403, 'Chỉ tổ trưởng và cán bộ quản lý mới hỗ trợ khôi phục tài khoản.');
  const now = clock();
  const user = await repo.findAccountByPhone(db, phone);
  const helpable = user && HELPABLE.includes(user.role) && user.id !== v.id ? user : undefined;
  let scopedUnit: number | undefined;
  if (helpable) {
    const m = await findMembership(db, helpable.id);
    if (m?.active) {
      const access = await requireMemberAccess(db, v, helpable.id).catch(() => undefined);
      if (access) scopedUnit = m.unit_id;
    }
  }
  if (helpable && scopedUnit !== undefined) {
    const unitId = scopedUnit;
    return db.transaction().execute(async (trx) => {
      const code = generateCode();
      const expiresAt = new Date(now.getTime() + CODE_DAYS.recovery * DAY);
      await repo.insertAccessCode(trx, { userId: helpable.id, kind: 'recovery', hash: hashCode(code), expiresAt, notBefore: null, unitId, issuedBy: v.id, now });
      await insertAudit(trx, { actorId: v.id, unitId, action: 'code.recovery', detail: { user: helpable.id, phone: helpable.phone } });
      return { kind: 'issued' as const, code, expiresAt, name: helpable.display_name };
    });
  }
  const matchCode = sixDigits();
  const unitId = await auditUnitOf(db, v);
  return db.transaction().execute(async (trx) => {
    const requestId = await repo.insertRequest(trx, { helperId: v.id, userId: helpable?.id ?? null, matchCode, now, expiresAt: new Date(now.getTime() + REQUEST_MINUTES * MINUTE) });
    // The typed number is logged (the helper knows it); whether it has an account is not.
    await insertAudit(trx, { actorId: v.id, unitId, action: 'recovery.request', detail: { request: requestId, phone } });
    return { kind: 'requested' as const, requestId, matchCode };
  });
}

/** A request as its helper sees it: the same states for every number until the owner confirms. */
export type RequestStatus = { state: 'pending'; matchCode: string } | { state: 'confirmed' } | { state: 'closed' } | { state: 'shown' };

async function helperRequest(db: Kysely<Database>, v: Viewer, requestId: string) {
  const r = await repo.findRequest(db, requestId);
  if (!r || r.helper_id !== v.id) throw new RecoveryError(404, 'Không tìm thấy yêu cầu này.');
  return r;
}

function collectable(r: { confirmed_at: Date | null; user_id: string | null; expires_at: Date }, now: Date): boolean {
  return Boolean(r.confirmed_at && r.user_id) && new Date(r.expires_at).getTime() + REQUEST_MINUTES * MINUTE > now.getTime();
}

/** The state of one of the helper's own requests (others' requests are "not found"). */
export async function helperRequestStatus(db: Kysely<Database>, v: Viewer, requestId: string, clock: Clock = systemClock): Promise<RequestStatus> {
  const now = clock();
  const r = await helperRequest(db, v, requestId);
  if (r.code_issued_at) return { state: 'shown' };
  if (collectable(r, now)) return { state: 'confirmed' };
  if (r.declined_at || r.confirmed_at || new Date(r.expires_at) <= now) return { state: 'closed' };
  return { state: 'pending', matchCode: r.match_code };
}

/** After the owner confirmed: issues the recovery code, shown once to the helper with the name. */
export async function collectConfirmedCode(db: Kysely<Database>, v: Viewer, requestId: string, clock: Clock = systemClock) {
  const now = clock();
  const r = await helperRequest(db, v, requestId);
  if (!collectable(r, now) || r.code_issued_at) throw new RecoveryError(409, 'Yêu cầu này chưa được xác nhận, đã hết hạn hoặc mã đã được hiển thị. Hãy tạo yêu cầu mới.');
  const user = (await repo.findAccount(db, r.user_id!))!;
  const unitId = await auditUnitOf(db, v);
  return db.transaction().execute(async (trx) => {
    if (!(await repo.markRequestIssued(trx, r.id, now))) throw new RecoveryError(409, 'Mã của yêu cầu này đã được hiển thị. Hãy tạo yêu cầu mới.');
    const code = generateCode();
    const expiresAt = new Date(now.getTime() + CODE_DAYS.recovery * DAY);
    await repo.insertAccessCode(trx, { userId: user.id, kind: 'recovery', hash: hashCode(code), expiresAt, notBefore: null, unitId, issuedBy: v.id, now });
    await insertAudit(trx, { actorId: v.id, unitId, action: 'code.recovery', detail: { user: user.id, request: r.id, confirmedByOwner: true } });
    return { code, expiresAt, name: user.display_name, phone: user.phone };
  });
}

/** Requests waiting for the owner's answer, newest first. */
export async function pendingRequests(db: Kysely<Database>, userId: string, clock: Clock = systemClock) {
  const rows = await repo.pendingRequestsFor(db, userId, clock());
  return rows.map((r) => ({ id: r.id, matchCode: r.match_code, createdAt: new Date(r.created_at), helper: actorLabel(r.helper_name, r.helper_role) }));
}

/** The owner confirms (on their own signed-in phone) or declines a helper's request. */
export async function answerRequest(db: Kysely<Database>, userId: string, requestId: string, accept: boolean, clock: Clock = systemClock): Promise<void> {
  const now = clock();
  await db.transaction().execute(async (trx) => {
    const r = await repo.answerRequest(trx, requestId, userId, accept, now);
    if (!r) throw new RecoveryError(404, 'Yêu cầu này không còn hiệu lực.');
    const m = await findMembership(trx, userId);
    await insertAudit(trx, { actorId: userId, unitId: m?.unit_id ?? null, action: accept ? 'recovery.confirm' : 'recovery.decline', detail: { request: requestId, helper: r.helper_id } });
  });
}

// ─── In person at the commune ───

const IN_PERSON_REFUSED =
  'Không tạo được yêu cầu: số điện thoại và họ tên trên giấy tờ không khớp với một tài khoản bạn được phép đặt lại. Hãy kiểm tra lại, hoặc hướng dẫn người dân đến UBND nơi họ sinh hoạt tổ.';

/**
 * An official who checked the person's ID card in person records it (only that it was checked, never
 * the number) and types the name on the card. The printed code works after the waiting period; the
 * owner is told at their next sign-in and can cancel it. Members: only officials over their team's
 * unit; citizens (no team): any official. Unknown numbers, other roles and mismatched names all get
 * the same refusal.
 */
export async function startInPersonReset(
  db: Kysely<Database>,
  v: Viewer,
  input: { phone: string; nameOnCard: string },
  clock: Clock = systemClock,
): Promise<{ code: string; notBefore: Date; expiresAt: Date }> {
  if (!isOfficial(v)) throw new RecoveryError(403, 'Chỉ cán bộ xã, phường mới ghi nhận đặt lại mật khẩu tại chỗ.');
  const scopes = await scopeUnits(db, v);
  if (!scopes.length) throw new RecoveryError(403, 'Tài khoản cán bộ của bạn chưa được giao đơn vị nào.');
  const now = clock();
  const refused = new RecoveryError(404, IN_PERSON_REFUSED);
  const user = await repo.findAccountByPhone(db, input.phone);
  // Not activated yet: the person needs an activation slip, not a reset.
  if (!user || !HELPABLE.includes(user.role) || user.id === v.id || !user.password_hash) throw refused;
  if (foldName(user.display_name) !== foldName(input.nameOnCard)) throw refused;
  const m = await findMembership(db, user.id);
  let unitId: number;
  if (m) {
    const access = await requireMemberAccess(db, v, user.id).catch(() => undefined);
    if (!access?.team.manage) throw refused;
    unitId = m.unit_id;
  } else {
    unitId = scopes[0]!.id;
  }
  const code = generateCode();
  const notBefore = new Date(now.getTime() + IN_PERSON_WAIT_HOURS * HOUR);
  const expiresAt = new Date(notBefore.getTime() + IN_PERSON_VALID_DAYS * DAY);
  await db.transaction().execute(async (trx) => {
    await repo.insertAccessCode(trx, { userId: user.id, kind: 'in_person', hash: hashCode(code), expiresAt, notBefore, unitId, issuedBy: v.id, now });
    await repo.insertEvent(trx, { userId: user.id, kind: 'in_person.requested', actorId: v.id, unitId, now, seen: false });
    await insertAudit(trx, { actorId: v.id, unitId, action: 'recovery.in_person', detail: { user: user.id, idChecked: true, citizen: !m } });
  });
  return { code, notBefore, expiresAt };
}

/** In-person resets of the owner that have not been used or cancelled. */
export async function pendingInPersonResets(db: Kysely<Database>, userId: string, clock: Clock = systemClock) {
  const rows = await repo.pendingInPerson(db, userId, clock());
  return rows.map((r) => ({ id: r.id, createdAt: new Date(r.created_at), notBefore: new Date(r.not_before!), official: r.official_name ?? 'Cán bộ', unit: r.unit_name ?? '' }));
}

/** The owner (signed in, so holding the current password or a session) cancels an in-person reset. */
export async function cancelInPersonReset(db: Kysely<Database>, userId: string, codeId: number, clock: Clock = systemClock): Promise<void> {
  const now = clock();
  await db.transaction().execute(async (trx) => {
    const row = await repo.cancelInPerson(trx, userId, codeId, now);
    if (!row) throw new RecoveryError(404, 'Yêu cầu này không còn hiệu lực.');
    await repo.insertEvent(trx, { userId, kind: 'in_person.cancelled', actorId: userId, unitId: row.unit_id, now, seen: true });
    await insertAudit(trx, { actorId: userId, unitId: row.unit_id, action: 'recovery.in_person.cancel', detail: { user: userId, code: row.id, official: row.issued_by } });
  });
}

// ─── Personal codes ───

/** When the person's personal code was made, if they have one. */
export async function personalCodeInfo(db: Kysely<Database>, userId: string): Promise<{ createdAt: Date } | undefined> {
  const row = await repo.findPersonalCode(db, userId);
  return row ? { createdAt: new Date(row.created_at) } : undefined;
}

/**
 * Makes (or replaces) the person's personal code after checking their current password, so a stolen
 * session alone cannot make one. Returns the code formatted, to show once.
 */
export async function createPersonalCode(
  db: Kysely<Database>,
  userId: string,
  currentPassword: string,
  clock: Clock = systemClock,
): Promise<{ ok: true; code: string } | { ok: false; status: number; field: string; message: string }> {
  const user = await repo.findAccount(db, userId);
  if (!user?.password_hash || !(await verifyPassword(user.password_hash, currentPassword))) {
    return { ok: false, status: 400, field: 'password', message: 'Mật khẩu hiện tại không đúng.' };
  }
  const now = clock();
  const code = generatePersonalCode();
  const hash = await hashPassword(code);
  await db.transaction().execute(async (trx) => {
    await repo.upsertPersonalCode(trx, userId, hash, now);
    await repo.insertEvent(trx, { userId, kind: 'personal_code.created', actorId: userId, unitId: null, now, seen: true });
  });
  return { ok: true, code: formatPersonalCode(code) };
}

// ─── Redeeming a code ───

export type RedeemResult =
  | { ok: true; userId: string; kind: 'activation' | 'recovery' | 'in_person' | 'personal'; personalCode?: string }
  | { ok: false; status: number; message: string; field?: string; retryAfter?: number };

/**
 * `redeemCode` behind the code limits, like sign-in (see `authenticate`): per (number, client)
 * strictly, per client across numbers, and per number from everyone with a backoff, so others'
 * guesses never lock the owner out. Hits are taken before the code is checked, in one statement
 * each, and given back when it works: only failures count, and N parallel tries cannot all pass.
 */
export async function redeemCodeLimited(
  db: Kysely<Database>,
  input: { phone: string; code: string; password: string; clientKey: string },
  clock: Clock = systemClock,
): Promise<RedeemResult> {
  const checks: LimitCheck[] = [
    { key: `activate:pair:${input.phone}|${input.clientKey}`, limit: LIMITS.activatePerPhoneClient, onSuccess: 'reset' },
    { key: `activate:client:${input.clientKey}`, limit: LIMITS.activatePerClient, onSuccess: 'refund' },
    { key: `activate:phone:${input.phone}`, limit: LIMITS.activatePerPhone, onSuccess: 'refund' },
  ];
  const g = await guardAttempt(db, checks, () => redeemCode(db, input, clock), (x) => x.ok);
  if (g.limited) return { ok: false, status: 429, retryAfter: g.retryAfter, message: `Bạn đã thử quá nhiều lần. Vui lòng đợi ${waitText(g.retryAfter)} rồi thử lại.` };
  return g.result;
}

const WRONG = 'Số điện thoại hoặc mã không đúng, hoặc mã đã hết hạn. Hãy nhờ tổ trưởng hoặc cán bộ xã cấp mã mới.';

/**
 * Activates or recovers an account with phone, code and a new password. The code is an 8-character
 * slip, recovery or in-person code, or the 12-character personal code. On success every session of
 * the person ends (the caller then starts one on this device), other pending resets stop working, the
 * owner gets a security event, and a person without a personal code gets one (returned, shown once).
 */
export async function redeemCode(db: Kysely<Database>, input: { phone: string; code: string; password: string }, clock: Clock = systemClock): Promise<RedeemResult> {
  if (await isCommonPassword(input.password)) {
    return { ok: false, status: 400, field: 'password', message: 'Mật khẩu này quá phổ biến, kẻ gian dễ đoán ra. Hãy chọn mật khẩu khác, ví dụ một câu ngắn dễ nhớ.' };
  }
  const now = clock();
  const wrong = { ok: false as const, status: 400, message: WRONG };
  const code = normaliseCode(input.code);
  // Hashed before the lookup, so unknown numbers take as long as known ones.
  const passwordHash = await hashPassword(input.password);
  const user = await repo.findAccountByPhone(db, input.phone);

  if (code.length === PERSONAL_CODE_LENGTH) {
    const stored = user ? await repo.findPersonalCode(db, user.id) : undefined;
    if (!user || !stored) {
      await verifyDummy(code);
      return wrong;
    }
    if (!(await verifyPassword(stored.code_hash, code))) return wrong;
    return db.transaction().execute(async (trx) => {
      if (!(await repo.consumePersonalCode(trx, user.id, stored.code_hash))) return wrong;
      await resetPassword(trx, user.id, passwordHash, now);
      const m = await findMembership(trx, user.id);
      await repo.insertEvent(trx, { userId: user.id, kind: 'reset.personal', actorId: null, unitId: null, now, seen: false });
      await insertAudit(trx, { actorId: user.id, unitId: m?.unit_id ?? null, action: 'code.recover.personal', detail: { user: user.id } });
      const personalCode = await newPersonalCode(trx, user.id, now);
      return { ok: true as const, userId: user.id, kind: 'personal' as const, personalCode };
    });
  }

  if (!user) return wrong;
  const hash = hashCode(code);
  return db.transaction().execute(async (trx): Promise<RedeemResult> => {
    const match = (await repo.openAccessCodes(trx, user.id, now)).find((c) => c.code_hash === hash);
    if (!match) return wrong;
    if (match.not_before && new Date(match.not_before) > now) {
      return {
        ok: false,
        status: 400,
        field: 'code',
        message: `Mã đặt lại này chỉ dùng được từ ${formatDateTime(match.not_before)}. Thời gian chờ giúp chủ tài khoản kịp hủy nếu không phải họ yêu cầu.`,
      };
    }
    if (!(await repo.useAccessCode(trx, match.id, now))) return wrong;
    const wasActive = user.password_hash !== null;
    await resetPassword(trx, user.id, passwordHash, now);
    const m = await findMembership(trx, user.id);
    if (match.kind === 'activation') {
      if (m && !wasActive) await recountUnits(trx, [m.unit_id]);
      await insertAudit(trx, { actorId: user.id, unitId: m?.unit_id ?? null, action: 'code.activate', detail: { user: user.id } });
    } else {
      const unitId = match.unit_id ?? m?.unit_id ?? null;
      await repo.insertEvent(trx, { userId: user.id, kind: match.kind === 'in_person' ? 'reset.in_person' : 'reset.helper', actorId: match.issued_by, unitId: match.unit_id, now, seen: false });
      await insertAudit(trx, { actorId: user.id, unitId, action: match.kind === 'in_person' ? 'code.recover.in_person' : 'code.recover', detail: { user: user.id } });
    }
    const personalCode = (await repo.findPersonalCode(trx, user.id)) ? undefined : await newPersonalCode(trx, user.id, now);
    return { ok: true, userId: user.id, kind: match.kind, personalCode };
  });
}

async function resetPassword(trx: Kysely<Database>, userId: string, passwordHash: string, now: Date): Promise<void> {
  await repo.setPasswordHash(trx, userId, passwordHash);
  // Whoever was signed in before (a thief, or a lost phone) is signed out everywhere.
  await deleteUserSessions(trx, userId);
  await repo.voidOpenResets(trx, userId, now);
}

async function newPersonalCode(trx: Kysely<Database>, userId: string, now: Date): Promise<string> {
  const code = generatePersonalCode();
  await repo.upsertPersonalCode(trx, userId, await hashPassword(code), now);
  return formatPersonalCode(code);
}

// ─── Security events ───

/** Kinds of security events; `password.changed` is for the password change on the account page. */
export type SecurityEventKind = 'reset.helper' | 'reset.personal' | 'reset.in_person' | 'in_person.requested' | 'in_person.cancelled' | 'password.changed' | 'personal_code.created';

/** Records an event for the owner (unseen unless `seen`), e.g. after a password change. */
export async function recordSecurityEvent(
  db: Kysely<Database>,
  e: { userId: string; kind: SecurityEventKind; actorId: string | null; unitId?: number | null; seen?: boolean },
  clock: Clock = systemClock,
): Promise<void> {
  await repo.insertEvent(db, { userId: e.userId, kind: e.kind, actorId: e.actorId, unitId: e.unitId ?? null, now: clock(), seen: e.seen ?? false });
}

function actorLabel(name: string | null, role: Role | null): string {
  if (!name) return 'một người hỗ trợ';
  if (role === 'official') return `cán bộ ${name}`;
  if (role === 'admin') return `quản trị viên ${name}`;
  if (role === 'leader') return `tổ trưởng ${name}`;
  return name;
}

/** One sentence, in Vietnamese, saying how and by whom. */
function describe(kind: string, actor: string, unit: string | null): string {
  const at = unit ? ` (${unit})` : '';
  switch (kind) {
    case 'reset.helper':
      return `Mật khẩu được đặt lại bằng mã khôi phục do ${actor}${at} cấp.`;
    case 'reset.personal':
      return 'Mật khẩu được đặt lại bằng mã dự phòng của bạn.';
    case 'reset.in_person':
      return `Mật khẩu được đặt lại bằng mã do ${actor}${at} cấp tại chỗ, sau khi kiểm tra giấy tờ tùy thân.`;
    case 'in_person.requested':
      return `${actor[0]!.toUpperCase()}${actor.slice(1)}${at} ghi nhận đã kiểm tra giấy tờ tùy thân và tạo yêu cầu đặt lại mật khẩu cho tài khoản này.`;
    case 'in_person.cancelled':
      return 'Bạn đã hủy một yêu cầu đặt lại mật khẩu tại chỗ.';
    case 'password.changed':
      return 'Mật khẩu đã được đổi.';
    case 'personal_code.created':
      return 'Một mã dự phòng mới đã được tạo; mã cũ không còn dùng được.';
    default:
      return 'Có thay đổi về bảo mật tài khoản.';
  }
}

/** What the account page shows the owner: latest events (unseen first), pending resets and requests. */
export async function securityOverview(db: Kysely<Database>, userId: string, clock: Clock = systemClock) {
  const rows = await repo.eventsOf(db, userId, 20);
  const events = rows.map((r) => ({
    id: r.id,
    at: new Date(r.created_at),
    text: describe(r.kind, actorLabel(r.actor_name, r.actor_role), r.unit_name),
    unseen: r.seen_at === null,
  }));
  return {
    events,
    unseen: events.filter((e) => e.unseen).length,
    inPerson: await pendingInPersonResets(db, userId, clock),
    requests: await pendingRequests(db, userId, clock),
  };
}

/** Whether the owner must be shown the security page after signing in. */
export function needsAttention(db: Kysely<Database>, userId: string, clock: Clock = systemClock): Promise<boolean> {
  return repo.hasAttention(db, userId, clock());
}

/** The owner has read their notices. */
export async function acknowledgeEvents(db: Kysely<Database>, userId: string, clock: Clock = systemClock): Promise<void> {
  await repo.markEventsSeen(db, userId, clock());
}
