/** Teams and their members: creating, renaming and moving teams, moving and (de)activating members. */
import type { Kysely } from 'kysely';
import { visibleText } from '../../lib/fields.ts';
import type { Database } from '../db/schema.ts';
import { recountEnqueuer } from './recount-jobs.ts';
import { NOT_FOUND_TEAM, requireMemberAccess, requireTeamAccess, requireUnitAccess, TeamsError, type Viewer } from './access.ts';
import { audit } from './audit.ts';
import * as repo from './teams.repository.ts';
import { communeOf, rebuildCommuneCounters } from '../households/households.repository.ts';

/**
 * A team (or unit) name: the shared visible-text rules, nothing hidden, no markup characters. Team
 * names go into exports opened in Excel: a formula-like name is refused, as in a roster import.
 */
export const TeamNameSchema = visibleText({ what: 'tên tổ', min: 2, max: 120, noInvisible: true, noAngleBrackets: true, noFormula: true, example: 'Tổ CNSCĐ thôn 1' });

/**
 * The unique (unit, name) constraint as the 409 the checks above give: two requests that both found
 * the name free (a double click on “Tạo tổ”) meet here, and the second must not end on the 500 page.
 */
async function nameTaken<T>(work: Promise<T>, message: string): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
    if (e.code === '23505' && (e.constraint === 'team_unit_name_uq' || String(e.message).includes('team_unit_name_uq'))) throw new TeamsError(409, message);
    throw err;
  }
}

export function parseName(v: string | undefined): string {
  const r = TeamNameSchema.safeParse(v);
  if (!r.success) throw new TeamsError(400, r.error.issues[0]!.message);
  return r.data;
}

export async function createTeam(db: Kysely<Database>, v: Viewer, unitId: string | undefined, name: string | undefined): Promise<number> {
  const unit = await requireUnitAccess(db, v, unitId);
  const n = parseName(name);
  return nameTaken(db.transaction().execute(async (trx) => {
    if (await repo.findTeamByName(trx, unit.id, n)) throw new TeamsError(409, 'Đơn vị này đã có một tổ cùng tên.');
    const id = await repo.insertTeam(trx, unit.id, n);
    await audit(trx, v, unit.id, 'team.create', { team: id, name: n });
    return id;
  }), 'Đơn vị này đã có một tổ cùng tên.');
}

export async function renameTeam(db: Kysely<Database>, v: Viewer, teamId: string | undefined, name: string | undefined): Promise<void> {
  const team = await requireTeamAccess(db, v, teamId);
  if (!team.manage) throw new TeamsError(403, 'Chỉ cán bộ quản lý mới đổi được tên tổ.');
  const n = parseName(name);
  await nameTaken(db.transaction().execute(async (trx) => {
    const clash = await repo.findTeamByName(trx, team.unit_id, n);
    if (clash && clash.id !== team.id) throw new TeamsError(409, 'Đơn vị này đã có một tổ cùng tên.');
    await repo.updateTeam(trx, team.id, { name: n });
    await audit(trx, v, team.unit_id, 'team.rename', { team: team.id, from: team.name, to: n });
  }), 'Đơn vị này đã có một tổ cùng tên.');
}

/** Moves a team to another unit inside the official's scope. */
export async function moveTeam(db: Kysely<Database>, v: Viewer, teamId: string | undefined, unitId: string | undefined): Promise<void> {
  const team = await requireTeamAccess(db, v, teamId);
  if (!team.manage) throw new TeamsError(403, 'Chỉ cán bộ quản lý mới chuyển được tổ.');
  if (!unitId) throw new TeamsError(400, 'Hãy chọn đơn vị muốn chuyển tổ tới.');
  const target = await requireUnitAccess(db, v, unitId);
  if (target.id === team.unit_id) return;
  const recount = await recountEnqueuer(db);
  await nameTaken(db.transaction().execute(async (trx) => {
    // Where the team is now, under its lock: the same move sent twice at once happens once.
    const now = await repo.lockTeam(trx, team.id);
    if (!now) throw new TeamsError(404, NOT_FOUND_TEAM);
    if (now.unit_id === target.id) return;
    if (await repo.findTeamByName(trx, target.id, team.name)) throw new TeamsError(409, 'Đơn vị đích đã có một tổ cùng tên.');
    const from = await communeOf(trx, team.id);
    await repo.updateTeam(trx, team.id, { unit_id: target.id });
    await recount(trx, [now.unit_id, target.id], 'team.move');
    // Its counters and help activity now count under the target's commune.
    await rebuildCommuneCounters(trx, [...new Set([from, await communeOf(trx, team.id)])].filter((c): c is number => c !== null));
    await audit(trx, v, target.id, 'team.move', { team: team.id, from: now.unit_id, to: target.id });
  }), 'Đơn vị đích đã có một tổ cùng tên.');
}

/** Moves a member to another team; both teams must be in the official's scope. */
export async function moveMember(db: Kysely<Database>, v: Viewer, userId: string | undefined, teamId: string | undefined): Promise<void> {
  const { membership, team } = await requireMemberAccess(db, v, userId);
  if (!team.manage) throw new TeamsError(403, 'Chỉ cán bộ quản lý mới chuyển được thành viên.');
  if (!teamId) throw new TeamsError(400, 'Hãy chọn tổ muốn chuyển thành viên tới.');
  const target = await requireTeamAccess(db, v, teamId);
  if (!target.manage) throw new TeamsError(404, NOT_FOUND_TEAM);
  if (target.id === membership.team_id && membership.active) return; // the picker's preselected current team
  const recount = await recountEnqueuer(db);
  await db.transaction().execute(async (trx) => {
    // Read again under the row's lock: the same move sent twice at once happens once.
    const now = await repo.lockMembership(trx, membership.user_id);
    if (now && now.team_id === target.id && now.active) return;
    const fromTeam = now?.team_id ?? membership.team_id;
    const fromUnit = fromTeam === membership.team_id ? membership.unit_id : ((await repo.findTeam(trx, fromTeam))?.unit_id ?? membership.unit_id);
    await repo.upsertMembership(trx, { userId: membership.user_id, teamId: target.id, role: membership.role });
    await recount(trx, [fromUnit, target.unit_id], 'member.move');
    await audit(trx, v, target.unit_id, 'member.move', { user: membership.user_id, from: fromTeam, to: target.id });
  });
}

/** Deactivates (or reactivates) a member. Rows are never deleted; history stays. */
export async function setMemberActive(db: Kysely<Database>, v: Viewer, userId: string | undefined, active: boolean): Promise<void> {
  const { membership, team } = await requireMemberAccess(db, v, userId);
  if (!team.manage) throw new TeamsError(403, 'Chỉ cán bộ quản lý mới thay đổi được thành viên.');
  if (membership.active === active) return;
  const recount = await recountEnqueuer(db);
  await db.transaction().execute(async (trx) => {
    // Read again under the row's lock: the same change sent twice at once is made (and logged) once.
    const now = await repo.lockMembership(trx, membership.user_id);
    if (!now || now.active === active) return;
    const unit = now.team_id === membership.team_id ? membership.unit_id : ((await repo.findTeam(trx, now.team_id))?.unit_id ?? membership.unit_id);
    await repo.setMemberActive(trx, membership.user_id, active);
    await recount(trx, [unit], 'member.active');
    await audit(trx, v, unit, active ? 'member.reactivate' : 'member.deactivate', { user: membership.user_id });
  });
}
