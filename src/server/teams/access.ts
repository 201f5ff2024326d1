/**
 * Who may see what: an official sees their administrative units and everything below, an admin sees
 * everything, a team's active leader sees their own team. Anything else is "not found", never
 * revealing whether it exists.
 */
import type { Kysely } from 'kysely';
import type { Database, Role } from '../db/schema.ts';
import * as repo from './teams.repository.ts';
import { isUuid } from '../../lib/ids.ts';

export type { UnitRow, TeamRow } from './teams.repository.ts';

/** A refusal with an HTTP status and a Vietnamese message. */
export class TeamsError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Who is asking. */
export interface Viewer {
  id: string;
  role: Role;
}

export const NOT_FOUND_UNIT = 'Không tìm thấy đơn vị này, hoặc đơn vị nằm ngoài phạm vi bạn quản lý.';
export const NOT_FOUND_TEAM = 'Không tìm thấy tổ này, hoặc tổ nằm ngoài phạm vi bạn quản lý.';
export const NOT_FOUND_MEMBER = 'Không tìm thấy thành viên này, hoặc người này nằm ngoài phạm vi bạn quản lý.';

/** Parses an id from a URL segment or form field; anything else is "not found". */
export function parseId(v: string | undefined | null, message = 'Không tìm thấy mục này.'): number {
  if (!v || !/^\d{1,9}$/.test(v)) throw new TeamsError(404, message);
  return Number(v);
}

export function isOfficial(v: Viewer | null | undefined): boolean {
  return v?.role === 'official' || v?.role === 'admin';
}

function within(path: string, scope: string): boolean {
  return path.startsWith(scope);
}

/** The units an official manages (admins: every root). */
export async function scopeUnits(db: Kysely<Database>, v: Viewer): Promise<repo.UnitRow[]> {
  if (v.role === 'admin') {
    const roots = await db.selectFrom('admin_unit').select('id').where('parent_id', 'is', null).execute();
    const out: repo.UnitRow[] = [];
    for (const r of roots) out.push((await repo.findUnit(db, r.id))!);
    return out;
  }
  if (v.role !== 'official') return [];
  return repo.scopesOf(db, v.id);
}

async function inScope(db: Kysely<Database>, v: Viewer, path: string): Promise<boolean> {
  if (v.role === 'admin') return true;
  if (v.role !== 'official') return false;
  return (await repo.scopesOf(db, v.id)).some((s) => within(path, s.path));
}

/** A unit the viewer manages, or 404 (never revealing whether it exists). */
export async function requireUnitAccess(db: Kysely<Database>, v: Viewer, unitId: string | number | undefined): Promise<repo.UnitRow> {
  const id = typeof unitId === 'number' ? unitId : parseId(unitId, NOT_FOUND_UNIT);
  const unit = await repo.findUnit(db, id);
  if (!unit || !(await inScope(db, v, unit.path))) throw new TeamsError(404, NOT_FOUND_UNIT);
  return unit;
}

/** A team the viewer may see: officials over its unit, admins, and the team's own active leader. */
export async function requireTeamAccess(db: Kysely<Database>, v: Viewer, teamId: string | number | undefined): Promise<repo.TeamRow & { manage: boolean }> {
  const id = typeof teamId === 'number' ? teamId : parseId(teamId, NOT_FOUND_TEAM);
  const team = await repo.findTeam(db, id);
  if (!team) throw new TeamsError(404, NOT_FOUND_TEAM);
  if (await inScope(db, v, team.unit_path)) return { ...team, manage: true };
  const m = await repo.findMembership(db, v.id);
  if (m && m.active && m.role === 'leader' && m.team_id === team.id) return { ...team, manage: false };
  throw new TeamsError(404, NOT_FOUND_TEAM);
}

/** A team member the viewer may see (through their team). */
export async function requireMemberAccess(db: Kysely<Database>, v: Viewer, userId: string | undefined) {
  if (!isUuid(userId)) throw new TeamsError(404, NOT_FOUND_MEMBER);
  const m = await repo.findMembership(db, userId);
  if (!m) throw new TeamsError(404, NOT_FOUND_MEMBER);
  let team;
  try {
    team = await requireTeamAccess(db, v, m.team_id);
  } catch {
    throw new TeamsError(404, NOT_FOUND_MEMBER);
  }
  const user = await repo.findUser(db, userId);
  return { membership: m, team, user: user! };
}

/** Where /quan-ly starts for this viewer: their scopes, or the team they lead. */
export async function managementHome(db: Kysely<Database>, v: Viewer): Promise<{ units: repo.UnitRow[]; leaderTeam?: number }> {
  const units = await scopeUnits(db, v);
  const m = await repo.findMembership(db, v.id);
  return { units, leaderTeam: m && m.active && m.role === 'leader' ? m.team_id : undefined };
}

/** Whether the viewer may open /quan-ly at all. */
export async function canManage(db: Kysely<Database>, v: Viewer): Promise<boolean> {
  if (isOfficial(v)) return true;
  const m = await repo.findMembership(db, v.id);
  return Boolean(m && m.active && m.role === 'leader');
}
