/**
 * Activation slips and invitation slips of a committed import. Printing never changes a code: the
 * slips page only reads the codes already issued (kept sealed, see slip-seal.ts), and “In phiếu”
 * issues codes only to people who have no usable one. A new code for someone who already has one is
 * issued only by “Cấp lại mã” for that one person (confirmed, audit-logged), which voids the old one.
 */
import type { Kysely, Transaction } from 'kysely';
import QRCode from 'qrcode';
import type { Database } from '../db/schema.ts';
import { siteUrl } from '../config.ts';
import { requireMemberAccess, TeamsError, type Viewer } from './access.ts';
import { issueCode } from './codes.ts';
import { requireImport } from './roster.ts';
import type { RosterRow } from './roster-file.ts';
import { openSlipCode } from './slip-seal.ts';
import * as repo from './teams.repository.ts';
import * as inviteRepo from './invitations.repository.ts';

export interface Slip {
  userId: string;
  name: string;
  phone: string;
  team: string;
  /** The clear code, or null when the person has no usable code yet (never issued, expired, or issued before codes were kept). */
  code: string | null;
  expiresAt: Date | null;
}

let qr: { url: string; svg: string } | undefined;

/**
 * The QR code printed on every slip: the activation page's address only. The phone number and the
 * code are never in it, since a URL ends up in server and proxy logs.
 */
export async function activationQrSvg(): Promise<{ url: string; svg: string }> {
  const url = `${siteUrl()}/kich-hoat`;
  if (qr?.url !== url) qr = { url, svg: await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }) };
  return qr;
}

/** The not-yet-activated active members of a committed import. */
async function pendingPeople(db: Kysely<Database>, v: Viewer, importId: string | undefined) {
  const { imp, unit } = await requireImport(db, v, importId);
  if (imp.status !== 'committed') throw new TeamsError(409, 'Hãy xác nhận nhập danh sách trước khi in phiếu kích hoạt.');
  const phones = new Set((imp.rows as RosterRow[]).map((r) => r.phone));
  const people = [];
  for (const m of await repo.membersUnder(db, unit.path)) {
    if (!m.active || !phones.has(m.phone)) continue;
    const u = await repo.findUser(db, m.user_id);
    if (u && !u.password_hash) people.push(m);
  }
  return { imp, unit, people };
}

async function slipsFor(db: Kysely<Database> | Transaction<Database>, people: { user_id: string; display_name: string; phone: string; team_name: string }[], now: Date): Promise<Slip[]> {
  const codes = await repo.openActivationCodes(db, people.map((p) => p.user_id), now);
  const slips: Slip[] = [];
  for (const p of people) {
    const c = codes.find((x) => x.user_id === p.user_id && x.sealed_code);
    const code = c?.sealed_code ? await openSlipCode(p.user_id, c.sealed_code) : undefined;
    slips.push({ userId: p.user_id, name: p.display_name, phone: p.phone, team: p.team_name, code: code ?? null, expiresAt: code ? new Date(c!.expires_at) : null });
  }
  return slips;
}

/**
 * The slips of a committed import, read-only: the activation slips of people not activated yet, with
 * the codes already issued, and the invitation slips of people invited who have not answered.
 */
export async function importSlips(db: Kysely<Database>, v: Viewer, importId: string | undefined, now = new Date()) {
  const { imp, unit, people } = await pendingPeople(db, v, importId);
  const slips = await slipsFor(db, people, now);
  const invitations = await inviteRepo.pendingInvitationsOfImport(db, imp.id);
  return { imp: { id: imp.id }, unit, slips, invitations: invitations.map((i) => ({ name: i.name_in_file, team: i.team_name })), qr: await activationQrSvg() };
}

/** Issues codes to the people of an import who have no usable one; existing codes never change. */
export async function issueMissingSlipCodes(db: Kysely<Database>, v: Viewer, importId: string | undefined, now = new Date()): Promise<number> {
  const { imp, unit, people } = await pendingPeople(db, v, importId);
  return db.transaction().execute(async (trx) => {
    // A second click (or tab) waits here, then finds the codes this one issued.
    await repo.lockUsers(trx, people.map((p) => p.user_id));
    const have = await slipsFor(trx, people, now);
    let issued = 0;
    for (const s of have) {
      if (s.code) continue;
      await issueCode(trx, s.userId, 'activation', v.id);
      issued++;
    }
    if (issued) await repo.insertAudit(trx, { actorId: v.id, unitId: unit.id, action: 'code.activation', detail: { import: imp.id, count: issued } });
    return issued;
  });
}

async function requirePendingMember(db: Kysely<Database>, v: Viewer, userId: string | undefined) {
  const { membership, team, user } = await requireMemberAccess(db, v, userId);
  if (!team.manage) throw new TeamsError(403, 'Chỉ cán bộ quản lý mới cấp mã kích hoạt.');
  if (user.password_hash) throw new TeamsError(409, 'Người này đã kích hoạt tài khoản. Nếu họ quên mật khẩu, hãy dùng “Cấp mã khôi phục”.');
  if (!membership.active) throw new TeamsError(409, 'Người này đã thôi tham gia tổ. Hãy cho tham gia lại trước khi cấp mã.');
  return { membership, team, user };
}

/** One person's slip (read-only), for reprinting it alone. */
export async function memberSlip(db: Kysely<Database>, v: Viewer, userId: string | undefined, now = new Date()) {
  const { membership, user } = await requirePendingMember(db, v, userId);
  const [slip] = await slipsFor(db, [{ user_id: user.id, display_name: user.display_name, phone: user.phone, team_name: membership.team_name }], now);
  return { slip: slip!, qr: await activationQrSvg() };
}

/**
 * “Cấp lại mã”: a new activation code for one person, voiding their previous one (a lost slip, or a
 * slip handed to the wrong person). Audit-logged; the slip is then printed from the member's page.
 */
export async function reissueActivationCode(db: Kysely<Database>, v: Viewer, userId: string | undefined): Promise<void> {
  const { membership, user } = await requirePendingMember(db, v, userId);
  await db.transaction().execute(async (trx) => {
    await issueCode(trx, user.id, 'activation', v.id);
    await repo.insertAudit(trx, { actorId: v.id, unitId: membership.unit_id, action: 'code.activation.reissue', detail: { user: user.id } });
  });
}
