/**
 * Who sees which households: the active members (any role) of the household's team, officials over
 * the team's unit, and admins. Anything else is "not found", never revealing whether it exists.
 */
import type { Kysely } from 'kysely';
import { isUuid } from '../../lib/ids.ts';
import type { Database } from '../db/schema.ts';
import { requireTeamAccess, TeamsError, type Viewer } from '../teams/access.ts';
import * as teamsRepo from '../teams/teams.repository.ts';
import * as repo from './households.repository.ts';

export { TeamsError, type Viewer };

export const NOT_FOUND_HOUSEHOLD = 'Không tìm thấy hộ gia đình này, hoặc hộ nằm ngoài phạm vi của bạn.';
export const NOT_FOUND_VISIT = 'Không tìm thấy lượt hỗ trợ này, hoặc lượt đó nằm ngoài phạm vi của bạn.';
export const NOT_A_HELPER = 'Trang này dành cho thành viên Tổ công nghệ số cộng đồng. Nếu bạn đã vào tổ, hãy nhờ tổ trưởng hoặc cán bộ xã, phường kiểm tra danh sách tổ.';

/** The viewer's active team membership (member or leader), or a 403. */
export async function requireHelper(db: Kysely<Database>, v: Viewer): Promise<teamsRepo.MembershipRow> {
  const m = await teamsRepo.findMembership(db, v.id);
  if (!m || !m.active) throw new TeamsError(403, NOT_A_HELPER);
  return m;
}

/** Whether the viewer is an active member of some team (for links on the home page). */
export async function isHelper(db: Kysely<Database>, v: Viewer): Promise<boolean> {
  const m = await teamsRepo.findMembership(db, v.id);
  return Boolean(m?.active);
}

export interface HouseholdAccess {
  household: repo.HouseholdRow;
  /** The viewer is an active member of the household's team. */
  member: boolean;
  /** The viewer is an official over the team (or an admin): may move it between teams. */
  official: boolean;
}

/** A household the viewer may see, or 404. */
export async function requireHouseholdAccess(db: Kysely<Database>, v: Viewer, id: string | undefined): Promise<HouseholdAccess> {
  if (!isUuid(id)) throw new TeamsError(404, NOT_FOUND_HOUSEHOLD);
  const household = await repo.findHousehold(db, id.toLowerCase());
  if (!household) throw new TeamsError(404, NOT_FOUND_HOUSEHOLD);
  const m = await teamsRepo.findMembership(db, v.id);
  const member = Boolean(m && m.active && m.team_id === household.team_id);
  let official = false;
  try {
    official = (await requireTeamAccess(db, v, household.team_id)).manage;
  } catch {
    official = false;
  }
  if (!member && !official) throw new TeamsError(404, NOT_FOUND_HOUSEHOLD);
  return { household, member, official };
}

/** A team whose households the viewer may see: their own active team, or one an official manages. */
export async function requireHouseholdTeam(db: Kysely<Database>, v: Viewer, teamId: string | number | undefined) {
  const m = await teamsRepo.findMembership(db, v.id);
  const id = typeof teamId === 'number' ? teamId : Number(teamId);
  if (m && m.active && m.team_id === id) {
    const team = (await teamsRepo.findTeam(db, id))!;
    return { ...team, manage: false, member: true };
  }
  const team = await requireTeamAccess(db, v, teamId);
  if (!team.manage && !(m && m.active && m.team_id === team.id)) throw new TeamsError(404, 'Không tìm thấy tổ này, hoặc tổ nằm ngoài phạm vi bạn quản lý.');
  return { ...team, member: Boolean(m && m.active && m.team_id === team.id) };
}
