/**
 * Linking a citizen's account to the household a member helped: the member shows a 6-digit code (or
 * its QR code) on their phone; the citizen, signed in on their own phone, types or scans it and
 * confirms "I was helped by <first name> on <date>". Codes are single-use, live for 10 minutes, kept
 * only as SHA-256, and wrong guesses are limited per account and per client. The citizen can undo the
 * link; a linked citizen's lesson checks and courses add course-verified evidence to the household.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import QRCode from 'qrcode';
import type { Database } from '../db/schema.ts';
import { guardAttempt, LIMITS, enforce, waitText } from '../security/rate-limit.ts';
import { RateLimitError } from '../security/rate-limit.ts';
import { TeamsError, type Viewer } from '../teams/access.ts';
import { audit } from '../teams/audit.ts';
import * as teamsRepo from '../teams/teams.repository.ts';
import { personKey } from './coverage.ts';
import { recountHousehold } from './household-counters.ts';
import * as repo from './households.repository.ts';
import { MOVED, visitDetail } from './visits.ts';

/** How long a link code works. */
export const LINK_CODE_MINUTES = 10;

const hashCode = (code: string) => createHash('sha256').update(`household-link:${code}`).digest('hex');

/** The first name of a display name ("Trần Văn Bình" → "Bình"). */
export function firstName(name: string | null | undefined): string {
  return (name ?? '').trim().split(/\s+/).filter((w) => !w.startsWith('(')).at(-1) ?? '';
}

/** Issues a fresh code for a visit the member recorded with the household's consent. */
export async function issueLinkCode(db: Kysely<Database>, v: Viewer, visitId: string | undefined, siteUrl: string) {
  const d = await visitDetail(db, v, visitId);
  if (!d.author) throw new TeamsError(403, 'Chỉ người đã ghi lượt hỗ trợ mới tạo được mã liên kết.');
  if (!d.visit.household_id) throw new TeamsError(400, 'Lượt hỗ trợ ẩn danh (hộ không đồng ý ghi tên) không liên kết được với tài khoản.');
  if (d.moved) throw new TeamsError(403, MOVED);
  await enforce(db, [{ key: `hhcode:${v.id}`, limit: LIMITS.householdLinkCodesPerMember }], (wait) => `Bạn đã tạo quá nhiều mã. Vui lòng đợi ${wait}.`);
  const expiresAt = new Date(Date.now() + LINK_CODE_MINUTES * 60 * 1000);
  const code = await db.transaction().execute(async (trx) => {
    for (let i = 0; i < 10; i++) {
      const c = String(randomInt(0, 1_000_000)).padStart(6, '0');
      if (await repo.findLiveCode(trx, hashCode(c))) continue; // another live code has these digits
      await repo.insertLinkCode(trx, d.visit.id, hashCode(c), expiresAt);
      return c;
    }
    throw new TeamsError(503, 'Chưa tạo được mã, vui lòng thử lại.');
  });
  const url = `${siteUrl.replace(/\/$/, '')}/lien-ket?ma=${code}`;
  const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return { code, expiresAt, url, qrSvg };
}

/** What a citizen is about to confirm. */
export interface LinkOffer {
  memberFirstName: string;
  date: string;
}

function limits(v: Viewer, client: string) {
  return [
    { key: `hhlink:user:${v.id}`, limit: LIMITS.householdLinkPerUser, onSuccess: 'refund' as const },
    { key: `hhlink:client:${client}`, limit: LIMITS.householdLinkPerClient, onSuccess: 'refund' as const },
  ];
}

const WRONG = 'Mã không đúng hoặc đã hết hạn. Hãy nhờ thành viên tổ tạo mã mới trên máy của họ.';

async function guarded<T>(db: Kysely<Database>, v: Viewer, client: string, attempt: () => Promise<T | undefined>): Promise<T> {
  const r = await guardAttempt(db, limits(v, client), attempt, (x) => x !== undefined);
  if (r.limited) throw new RateLimitError(`Bạn đã nhập sai mã quá nhiều lần. Vui lòng đợi ${waitText(r.retryAfter)} rồi thử lại.`, r.retryAfter);
  if (r.result === undefined) throw new TeamsError(400, WRONG);
  return r.result;
}

/** Looks a code up (a wrong one counts as a guess) and says who helped and when. */
export async function previewLink(db: Kysely<Database>, v: Viewer, code: string, client: string): Promise<LinkOffer> {
  return guarded(db, v, client, async () => {
    const c = await repo.findLiveCode(db, hashCode(code));
    if (!c) return undefined;
    const visit = await repo.findVisit(db, c.visit_id);
    if (!visit?.household_id) return undefined;
    if (visit.member_id === v.id) throw new TeamsError(400, 'Đây là mã của chính bạn. Người được hỗ trợ cần nhập mã trên điện thoại của họ.');
    return { memberFirstName: firstName(visit.member_name), date: visit.visit_date };
  });
}

/**
 * Confirms a code: links the citizen's account to the visit's household (replacing an earlier link of
 * theirs), uses the code up and recounts the household, all in one transaction.
 */
export async function confirmLink(db: Kysely<Database>, v: Viewer, code: string, client: string): Promise<LinkOffer> {
  return guarded(db, v, client, () =>
    db.transaction().execute(async (trx) => {
      const c = await repo.lockLiveCode(trx, hashCode(code));
      if (!c) return undefined;
      const visit = await repo.findVisit(trx, c.visit_id);
      if (!visit?.household_id || !visit.person) return undefined;
      if (visit.member_id === v.id) throw new TeamsError(400, 'Đây là mã của chính bạn. Người được hỗ trợ cần nhập mã trên điện thoại của họ.');
      const earlier = await repo.activeLinkOf(trx, v.id);
      if (earlier) {
        await repo.undoLink(trx, earlier.id);
        await recountHousehold(trx, earlier.household_id);
      }
      await repo.insertLink(trx, { householdId: visit.household_id, visitId: visit.id, userId: v.id, personKey: personKey(visit.person) });
      await repo.useCode(trx, c.id);
      await recountHousehold(trx, visit.household_id);
      const team = await teamsRepo.findTeam(trx, visit.team_id);
      await audit(trx, v, team?.unit_id ?? null, 'household.link', { household: visit.household_id, visit: visit.id });
      return { memberFirstName: firstName(visit.member_name), date: visit.visit_date };
    }),
  );
}

/** What is recorded about the citizen's household, and who recorded it. */
export async function myHousehold(db: Kysely<Database>, v: Viewer) {
  const link = await repo.activeLinkOf(db, v.id);
  if (!link) return undefined;
  const household = await repo.findHousehold(db, link.household_id);
  if (!household) return undefined;
  const visits = await repo.visitsOfHousehold(db, household.id);
  return { link: { ...link, memberFirstName: firstName(link.member_name) }, household, visits };
}

/** Undoes the citizen's link (their courses no longer count for the household). */
export async function undoMyLink(db: Kysely<Database>, v: Viewer): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const link = await repo.activeLinkOf(trx, v.id);
    if (!link) throw new TeamsError(404, 'Tài khoản của bạn chưa liên kết với hộ gia đình nào.');
    await repo.undoLink(trx, link.id);
    await recountHousehold(trx, link.household_id);
    const h = await repo.findHousehold(trx, link.household_id);
    await audit(trx, v, h?.unit_id ?? null, 'household.unlink', { household: link.household_id });
  });
}

/** The citizen asks the team to remove their household's data (the team sees the request). */
export async function requestMyHouseholdRemoval(db: Kysely<Database>, v: Viewer): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const link = await repo.activeLinkOf(trx, v.id);
    if (!link) throw new TeamsError(404, 'Tài khoản của bạn chưa liên kết với hộ gia đình nào.');
    // Asked already (a replayed form): the first request stands, with its date and its one audit entry.
    if (!(await repo.requestRemoval(trx, link.household_id))) return;
    const h = await repo.findHousehold(trx, link.household_id);
    await audit(trx, v, h?.unit_id ?? null, 'household.removal_request', { household: link.household_id });
  });
}

/** Before an account is deleted (same transaction): its links go, and the households are recounted. */
export async function forgetLinksOf(trx: Parameters<typeof recountHousehold>[0], userId: string): Promise<void> {
  const ids = await repo.allLinkedHouseholdIds(trx, userId);
  await repo.deleteLinksOfUser(trx, userId);
  for (const id of ids) await recountHousehold(trx, id);
  await repo.moveMonthCountersOfMember(trx, userId);
}
