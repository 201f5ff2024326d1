/**
 * Roster import: upload → preview (every row's problems and what will change, stored server-side)
 * → commit in one transaction, all or nothing. Re-importing the same file changes nothing.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { lockRosterChanges } from './counters.repository.ts';
import { recountEnqueuer } from './recount-jobs.ts';
import * as rosterRepo from './roster.repository.ts';
import { readRosterFile, type RosterRow } from './roster-file.ts';
import * as repo from './teams.repository.ts';
import { requireUnitAccess, TeamsError, type Viewer } from './access.ts';
import * as inviteRepo from './invitations.repository.ts';
import { isUuid } from '../../lib/ids.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * What committing does with a row. `invite`: the number has an account of its own, so its owner is
 * invited and must accept before joining; `invited`/`declined`: already invited to this team.
 */
export type RowAction = 'create' | 'link' | 'invite' | 'invited' | 'declined' | 'move' | 'change' | 'unchanged' | 'error';

export interface PlannedRow extends RosterRow {
  action: RowAction;
  villageNew: boolean;
  teamNew: boolean;
  userId: string | null;
}

export interface Plan {
  rows: PlannedRow[];
  absent: { userId: string; name: string; phone: string; team: string }[];
  errors: number;
  counts: Record<RowAction, number>;
  newVillages: string[];
  newTeams: string[];
}

const key = (s: string) => s.normalize('NFC').toLocaleLowerCase('vi');

/** Works out what committing the rows would do under `unit`. */
export async function planRoster(db: Db, unit: repo.UnitRow, rows: RosterRow[]): Promise<Plan> {
  const villages = new Map((await repo.childUnits(db, unit.id)).map((u) => [key(u.name), u]));
  const teamCache = new Map<number, Map<string, repo.TeamRow>>();
  const teamsOf = async (unitId: number) => {
    let m = teamCache.get(unitId);
    if (!m) {
      m = new Map((await repo.teamsOfUnit(db, unitId)).map((t) => [key(t.name), t]));
      teamCache.set(unitId, m);
    }
    return m;
  };
  const members = await repo.membersUnder(db, unit.path);
  const inFile = new Set<string>();
  const planned: PlannedRow[] = [];
  const newVillages = new Set<string>();
  const newTeams = new Set<string>();
  for (const r of rows) {
    const errors = [...r.errors];
    const village = villages.get(key(r.village));
    const team = village ? (await teamsOf(village.id)).get(key(r.team)) : undefined;
    let action: RowAction = 'create';
    let userId: string | null = null;
    if (!errors.length) {
      const user = await repo.findUserByPhone(db, r.phone);
      if (user) {
        userId = user.id;
        inFile.add(user.id);
        const m = await repo.findMembership(db, user.id);
        if (user.role === 'official' || user.role === 'admin' || user.role === 'moderator') {
          errors.push('Số này là tài khoản cán bộ hoặc quản trị, không thể đưa vào tổ.');
        } else if (m && m.active && !m.unit_path.startsWith(unit.path)) {
          errors.push('Số này đang là thành viên một tổ của đơn vị khác; đơn vị đó cần cho thôi trước.');
        } else if (user.password_hash !== null && (!m || !m.unit_path.startsWith(unit.path))) {
          // An account its owner set up (or rejoining from elsewhere): they are asked, never enrolled.
          const last = team ? await inviteRepo.latestInvitation(db, user.id, team.id) : undefined;
          action = last?.status === 'pending' ? 'invited' : last?.status === 'declined' ? 'declined' : 'invite';
        } else if (!m) {
          action = 'link';
        } else if (!m.unit_path.startsWith(unit.path)) {
          action = 'move'; // left a team elsewhere (deactivated there): joins this one
        } else if (team && m.team_id === team.id && m.active && m.role === r.role) {
          action = 'unchanged';
        } else if (team && m.team_id === team.id) {
          action = 'change';
        } else {
          action = 'move';
        }
      }
    }
    if (errors.length) action = 'error';
    else {
      if (!village) newVillages.add(r.village);
      if (!team) newTeams.add(`${r.team} — ${r.village}`);
    }
    planned.push({ ...r, errors, action, villageNew: !village, teamNew: !team, userId });
  }
  const absent = members
    .filter((m) => m.active && !inFile.has(m.user_id))
    .map((m) => ({ userId: m.user_id, name: m.display_name, phone: m.phone, team: m.team_name }));
  const counts = { create: 0, link: 0, invite: 0, invited: 0, declined: 0, move: 0, change: 0, unchanged: 0, error: 0 } as Record<RowAction, number>;
  for (const p of planned) counts[p.action]++;
  return { rows: planned, absent, errors: counts.error, counts, newVillages: [...newVillages], newTeams: [...newTeams] };
}

/** Reads an uploaded file, stores its rows for preview, and returns the import id. */
export async function uploadRoster(db: Kysely<Database>, v: Viewer, unitId: string | number | undefined, file: { bytes: Uint8Array; name: string }): Promise<string> {
  const unit = await requireUnitAccess(db, v, unitId);
  const rows = await readRosterFile(file.bytes, file.name);
  return db.transaction().execute(async (trx) => {
    const id = await rosterRepo.insertImport(trx, { unitId: unit.id, officialId: v.id, fileName: file.name.slice(0, 200), rows });
    await repo.insertAudit(trx, { actorId: v.id, unitId: unit.id, action: 'roster.upload', detail: { import: id, file: file.name.slice(0, 200), rows: rows.length } });
    return id;
  });
}

/** A stored import of a unit the viewer manages, or 404. */
export async function requireImport(db: Db, v: Viewer, importId: string | undefined) {
  if (!isUuid(importId)) throw new TeamsError(404, 'Không tìm thấy lần nhập danh sách này.');
  const imp = await rosterRepo.findImport(db, importId);
  if (!imp) throw new TeamsError(404, 'Không tìm thấy lần nhập danh sách này.');
  const unit = await requireUnitAccess(db as Kysely<Database>, v, imp.unit_id).catch(() => {
    throw new TeamsError(404, 'Không tìm thấy lần nhập danh sách này.');
  });
  return { imp, unit };
}

/** The preview of a stored import (recomputed against the current database). */
export async function rosterPreview(db: Kysely<Database>, v: Viewer, importId: string | undefined) {
  const { imp, unit } = await requireImport(db, v, importId);
  const rows = imp.rows as RosterRow[];
  return { imp: { id: imp.id, fileName: imp.file_name, status: imp.status, summary: imp.summary as Record<string, number> | null }, unit, plan: await planRoster(db, unit, rows) };
}

/**
 * Applies an import in one transaction: villages, teams, accounts (existing numbers are linked,
 * never duplicated), memberships, and the deactivations the official ticked. All or nothing.
 */
export async function commitRoster(db: Kysely<Database>, v: Viewer, importId: string | undefined, deactivate: string[], now = new Date()) {
  const { unit } = await requireImport(db, v, importId);
  const recount = await recountEnqueuer(db);
  return db.transaction().execute(async (trx) => {
    await lockRosterChanges(trx); // one roster change at a time; counters are recounted by a job
    const imp = await rosterRepo.lockImport(trx, importId!);
    if (!imp || imp.status !== 'preview') throw new TeamsError(409, 'Danh sách này đã được nhập rồi. Hãy tải tệp lên lại nếu muốn nhập lần nữa.');
    const plan = await planRoster(trx, unit, imp.rows as RosterRow[]);
    if (plan.errors) throw new TeamsError(400, `Còn ${plan.errors} dòng có lỗi. Hãy sửa trong tệp rồi tải lên lại; chưa có gì được lưu.`);
    const absentIds = new Set(plan.absent.map((a) => a.userId));
    const bad = deactivate.filter((id) => !absentIds.has(id));
    if (bad.length) throw new TeamsError(400, 'Danh sách thành viên cần cho thôi không khớp với bản xem trước. Hãy tải lại trang.');
    const villages = new Map<string, repo.UnitRow>();
    let created = 0;
    for (const r of plan.rows) {
      if (r.action === 'unchanged' || r.action === 'invited' || r.action === 'declined') continue;
      const vk = key(r.village);
      let village = villages.get(vk) ?? (await repo.childUnits(trx, unit.id)).find((u) => key(u.name) === vk);
      if (!village) {
        const [id] = await repo.reserveUnitIds(trx, 1);
        await repo.insertUnits(trx, [{ id: id!, parentId: unit.id, kind: 'village', name: r.village, statCode: null, path: `${unit.path}${id}/`, depth: unit.depth + 1, synthetic: false }]);
        village = (await repo.findUnit(trx, id!))!;
      }
      villages.set(vk, village);
      const team = (await repo.teamsOfUnit(trx, village.id)).find((t) => key(t.name) === key(r.team));
      const teamId = team?.id ?? (await repo.insertTeam(trx, village.id, r.team));
      if (r.action === 'invite') {
        await inviteRepo.insertInvitation(trx, { userId: r.userId!, teamId, role: r.role, nameInFile: r.name, invitedBy: v.id, importId: imp.id, now });
        continue;
      }
      let userId = r.userId;
      if (!userId) {
        userId = await repo.insertPendingUser(trx, r.phone, r.name, r.role);
        created++;
      } else {
        const u = await repo.findUser(trx, userId);
        if (u && (u.role === 'learner' || u.role === 'member' || u.role === 'leader')) await repo.setUserRole(trx, userId, r.role);
      }
      await repo.upsertMembership(trx, { userId, teamId, role: r.role });
    }
    for (const id of deactivate) await repo.setMemberActive(trx, id, false);
    await recount(trx, [unit.id], 'roster');
    const summary = { ...plan.counts, created, deactivated: deactivate.length };
    await rosterRepo.markCommitted(trx, imp.id, summary);
    await repo.insertAudit(trx, { actorId: v.id, unitId: unit.id, action: 'roster.commit', detail: { import: imp.id, ...summary } });
    if (deactivate.length) await repo.insertAudit(trx, { actorId: v.id, unitId: unit.id, action: 'member.deactivate', detail: { users: deactivate } });
    return summary;
  });
}
