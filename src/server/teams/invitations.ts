/**
 * Consent to join a team. A roster row whose number already has an account of its own (the person
 * registered and chose a password) does not enrol that person: it invites them. They accept or
 * decline on their own, at their next sign-in (or from the home page); until they accept they are in
 * no team, so no counter and no required course applies to them. The official sees the name typed
 * in the file and the number, never the account's own name, and sees “đã từ chối” after a refusal.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { recountMembersOf } from './counters.ts';
import { TeamsError } from './access.ts';
import * as inviteRepo from './invitations.repository.ts';
import * as repo from './teams.repository.ts';

const NOT_FOUND = 'Không tìm thấy lời mời này, hoặc lời mời đã được trả lời.';

/** The person's open invitation, as shown on /loi-moi. */
export async function myInvitation(db: Kysely<Database>, userId: string) {
  const i = await inviteRepo.pendingInvitationOf(db, userId);
  if (!i) return undefined;
  const trail = (await repo.unitsOnPath(db, i.unit_path)).filter((u) => u.kind !== 'country').map((u) => u.name);
  return { id: i.id, team: i.team_name, place: trail.reverse().join(', '), role: i.role, invitedBy: i.invited_by_name, invitedAt: new Date(i.created_at) };
}

/** Whether the person has an invitation waiting for an answer. */
export function hasPendingInvitation(db: Kysely<Database>, userId: string): Promise<boolean> {
  return inviteRepo.hasPending(db, userId);
}

/**
 * Accepts or declines the person's own invitation. Accepting joins the team (and recounts its unit, so
 * required courses start to count from now); declining is recorded for the official. Either is audited.
 */
export async function answerInvitation(db: Kysely<Database>, userId: string, invitationId: string, accept: boolean, now = new Date()): Promise<{ team: string }> {
  return db.transaction().execute(async (trx) => {
    const inv = await inviteRepo.lockInvitation(trx, invitationId);
    if (!inv || inv.user_id !== userId || inv.status !== 'pending') throw new TeamsError(404, NOT_FOUND);
    const team = await repo.findTeam(trx, inv.team_id);
    if (!team) throw new TeamsError(404, NOT_FOUND);
    if (!accept) {
      await inviteRepo.setInvitationStatus(trx, inv.id, 'declined', now);
      await repo.insertAudit(trx, { actorId: userId, unitId: team.unit_id, action: 'invitation.decline', detail: { invitation: inv.id, team: team.id } });
      return { team: team.name };
    }
    const user = await repo.findUser(trx, userId);
    if (!user || !['learner', 'member', 'leader'].includes(user.role)) {
      throw new TeamsError(409, 'Tài khoản cán bộ hoặc quản trị không tham gia tổ được. Hãy từ chối lời mời này.');
    }
    const m = await repo.findMembership(trx, userId);
    if (m && m.active && m.team_id !== team.id) {
      throw new TeamsError(409, `Bạn đang là thành viên ${m.team_name}. Hãy nhờ cán bộ quản lý tổ đó cho thôi trước, hoặc từ chối lời mời này.`);
    }
    await inviteRepo.setInvitationStatus(trx, inv.id, 'accepted', now);
    await repo.setUserRole(trx, userId, inv.role);
    await repo.upsertMembership(trx, { userId, teamId: team.id, role: inv.role });
    await recountMembersOf(trx, [team.unit_id]);
    await repo.insertAudit(trx, { actorId: userId, unitId: team.unit_id, action: 'invitation.accept', detail: { invitation: inv.id, team: team.id } });
    return { team: team.name };
  });
}

/** Open and declined invitations under a unit (first `limit`), for the official's dashboard. */
export async function invitationsUnder(db: Kysely<Database>, unit: repo.UnitRow, limit = 200) {
  return inviteRepo.invitationsUnder(db, unit.path, limit);
}

/** Open and declined invitations of one team. */
export function invitationsOfTeam(db: Kysely<Database>, teamId: number) {
  return inviteRepo.invitationsOfTeam(db, teamId);
}

export const INVITATION_LABELS = { pending: 'Đã mời, chờ trả lời', declined: 'Đã từ chối', accepted: 'Đã đồng ý', cancelled: 'Đã hủy' } as const;
