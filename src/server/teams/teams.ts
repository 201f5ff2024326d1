/**
 * Teams and officials: who may see which unit or team, required courses, team and member changes,
 * activation codes. Every official action is written to the audit log.
 */
import type { Kysely, Transaction } from 'kysely';
import { z } from 'astro/zod';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { Edition } from '../../lib/content/schema.ts';
import { DisplayNameSchema, visibleText } from '../../lib/fields.ts';
import { findEdition } from '../content/catalog.ts';
import type { Database, Role } from '../db/schema.ts';
import { accessDb, dataDb, type Reads } from '../db/replica.ts';
import { recountUnits } from './counters.ts';
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

const NOT_FOUND_UNIT = 'Không tìm thấy đơn vị này, hoặc đơn vị nằm ngoài phạm vi bạn quản lý.';
const NOT_FOUND_TEAM = 'Không tìm thấy tổ này, hoặc tổ nằm ngoài phạm vi bạn quản lý.';
const NOT_FOUND_MEMBER = 'Không tìm thấy thành viên này, hoặc người này nằm ngoài phạm vi bạn quản lý.';

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

async function audit(trx: Transaction<Database>, v: Viewer, unitId: number | null, action: string, detail: Record<string, unknown>) {
  await repo.insertAudit(trx, { actorId: v.id, unitId, action, detail });
}

// ─── Required courses ───

/** A due date typed as YYYY-MM-DD (what <input type="date"> sends), within a sane range. */
export const DueDateSchema = z
  .string({ error: 'Vui lòng chọn hạn hoàn thành.' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Hạn hoàn thành cần có dạng ngày/tháng/năm hợp lệ.')
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v && v >= '2020-01-01' && v <= '2100-12-31';
  }, 'Ngày này không tồn tại hoặc nằm ngoài khoảng cho phép.');

/** Assigns a course edition with a due date to a unit; every active member below must complete it. */
export async function assignCourse(
  db: Kysely<Database>,
  v: Viewer,
  unitId: string | undefined,
  input: { course: string | undefined; edition: string | undefined; due: string | undefined },
): Promise<void> {
  const unit = await requireUnitAccess(db, v, unitId);
  const found = input.course && input.edition ? findEdition(input.course, input.edition as Edition) : undefined;
  if (!found) throw new TeamsError(400, 'Khóa học hoặc phiên bản đã chọn không có trong danh mục.');
  const due = DueDateSchema.safeParse(input.due);
  if (!due.success) throw new TeamsError(400, due.error.issues[0]!.message);
  await db.transaction().execute(async (trx) => {
    await repo.upsertAssignment(trx, { unitId: unit.id, course: found.course.slug, edition: input.edition!, due: due.data, by: v.id });
    await recountUnits(trx, [unit.id]);
    await audit(trx, v, unit.id, 'assign', { course: found.course.slug, edition: input.edition, due: due.data });
  });
}

// ─── Teams and members ───

/** A team (or unit) name: the shared visible-text rules, nothing hidden, no markup characters. */
export const TeamNameSchema = visibleText({ what: 'tên tổ', min: 2, max: 120, noInvisible: true, noAngleBrackets: true });

function parseName(v: string | undefined): string {
  const r = TeamNameSchema.safeParse(v);
  if (!r.success) throw new TeamsError(400, r.error.issues[0]!.message);
  return r.data;
}

export async function createTeam(db: Kysely<Database>, v: Viewer, unitId: string | undefined, name: string | undefined): Promise<number> {
  const unit = await requireUnitAccess(db, v, unitId);
  const n = parseName(name);
  return db.transaction().execute(async (trx) => {
    if (await repo.findTeamByName(trx, unit.id, n)) throw new TeamsError(409, 'Đơn vị này đã có một tổ cùng tên.');
    const id = await repo.insertTeam(trx, unit.id, n);
    await audit(trx, v, unit.id, 'team.create', { team: id, name: n });
    return id;
  });
}

export async function renameTeam(db: Kysely<Database>, v: Viewer, teamId: string | undefined, name: string | undefined): Promise<void> {
  const team = await requireTeamAccess(db, v, teamId);
  if (!team.manage) throw new TeamsError(403, 'Chỉ cán bộ quản lý mới đổi được tên tổ.');
  const n = parseName(name);
  await db.transaction().execute(async (trx) => {
    const clash = await repo.findTeamByName(trx, team.unit_id, n);
    if (clash && clash.id !== team.id) throw new TeamsError(409, 'Đơn vị này đã có một tổ cùng tên.');
    await repo.updateTeam(trx, team.id, { name: n });
    await audit(trx, v, team.unit_id, 'team.rename', { team: team.id, from: team.name, to: n });
  });
}

/** Moves a team to another unit inside the official's scope. */
export async function moveTeam(db: Kysely<Database>, v: Viewer, teamId: string | undefined, unitId: string | undefined): Promise<void> {
  const team = await requireTeamAccess(db, v, teamId);
  if (!team.manage) throw new TeamsError(403, 'Chỉ cán bộ quản lý mới chuyển được tổ.');
  const target = await requireUnitAccess(db, v, unitId);
  if (target.id === team.unit_id) return;
  await db.transaction().execute(async (trx) => {
    if (await repo.findTeamByName(trx, target.id, team.name)) throw new TeamsError(409, 'Đơn vị đích đã có một tổ cùng tên.');
    await repo.updateTeam(trx, team.id, { unit_id: target.id });
    await recountUnits(trx, [team.unit_id, target.id]);
    await audit(trx, v, target.id, 'team.move', { team: team.id, from: team.unit_id, to: target.id });
  });
}

/** Moves a member to another team; both teams must be in the official's scope. */
export async function moveMember(db: Kysely<Database>, v: Viewer, userId: string | undefined, teamId: string | undefined): Promise<void> {
  const { membership, team } = await requireMemberAccess(db, v, userId);
  if (!team.manage) throw new TeamsError(403, 'Chỉ cán bộ quản lý mới chuyển được thành viên.');
  const target = await requireTeamAccess(db, v, teamId);
  if (!target.manage) throw new TeamsError(404, NOT_FOUND_TEAM);
  await db.transaction().execute(async (trx) => {
    await repo.upsertMembership(trx, { userId: membership.user_id, teamId: target.id, role: membership.role });
    await recountUnits(trx, [membership.unit_id, target.unit_id]);
    await audit(trx, v, target.unit_id, 'member.move', { user: membership.user_id, from: membership.team_id, to: target.id });
  });
}

/** Deactivates (or reactivates) a member. Rows are never deleted; history stays. */
export async function setMemberActive(db: Kysely<Database>, v: Viewer, userId: string | undefined, active: boolean): Promise<void> {
  const { membership, team } = await requireMemberAccess(db, v, userId);
  if (!team.manage) throw new TeamsError(403, 'Chỉ cán bộ quản lý mới thay đổi được thành viên.');
  if (membership.active === active) return;
  await db.transaction().execute(async (trx) => {
    await repo.setMemberActive(trx, membership.user_id, active);
    await recountUnits(trx, [membership.unit_id]);
    await audit(trx, v, membership.unit_id, active ? 'member.reactivate' : 'member.deactivate', { user: membership.user_id });
  });
}

// ─── Codes ───

/** Unambiguous alphabet: no 0/O, 1/I/L. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** Activation codes last 14 days, recovery codes 3. */
export const CODE_DAYS = { activation: 14, recovery: 3 } as const;

/** A random 8-character code. */
export function generateCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  // 256 % 31 bias is ~1%; acceptable for single-use, expiring, rate-limited codes.
  return Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

export function hashCode(code: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(code.toUpperCase().replace(/[\s-]/g, ''))));
}

/** Issues a code and returns it in clear (shown once, printed on a slip). */
export async function issueCode(
  trx: Kysely<Database> | Transaction<Database>,
  userId: string,
  kind: 'activation' | 'recovery',
  issuedBy: string | null,
): Promise<{ code: string; expiresAt: Date }> {
  const code = generateCode();
  const expiresAt = new Date(Date.now() + CODE_DAYS[kind] * 24 * 3600 * 1000);
  await repo.insertCode(trx, { userId, kind, hash: hashCode(code), expiresAt, issuedBy });
  return { code, expiresAt };
}

// Recovery codes and redeeming codes live in src/server/recovery/recovery.ts.

// ─── Administration ───

/** Admin: makes a registered person an official over a unit. */
export async function grantScope(db: Kysely<Database>, v: Viewer, phone: string, unitId: string | undefined): Promise<void> {
  if (v.role !== 'admin') throw new TeamsError(403, 'Chỉ quản trị viên mới cấp quyền cán bộ.');
  const unit = await requireUnitAccess(db, v, unitId);
  const user = await repo.findUserByPhone(db, phone);
  if (!user) throw new TeamsError(404, 'Số điện thoại này chưa có tài khoản. Người đó cần đăng ký trước.');
  await db.transaction().execute(async (trx) => {
    await repo.insertScope(trx, user.id, unit.id, v.id);
    if (user.role !== 'admin') await repo.setUserRole(trx, user.id, 'official');
    await audit(trx, v, unit.id, 'scope.grant', { user: user.id, phone: user.phone });
  });
}

/** Admin: adds a unit under a parent (any depth). */
export async function createUnit(db: Kysely<Database>, v: Viewer, parentId: string | undefined, input: { name?: string; kind?: string; statCode?: string }) {
  if (v.role !== 'admin') throw new TeamsError(403, 'Chỉ quản trị viên mới thêm được đơn vị hành chính.');
  const parent = await requireUnitAccess(db, v, parentId);
  const name = parseName(input.name);
  const kind = (input.kind ?? 'village').trim();
  if (!/^[a-z_]{2,20}$/.test(kind)) throw new TeamsError(400, 'Loại đơn vị không hợp lệ.');
  const stat = input.statCode?.trim() || null;
  if (stat && !/^\d{2,10}$/.test(stat)) throw new TeamsError(400, 'Mã thống kê chỉ gồm chữ số.');
  return db.transaction().execute(async (trx) => {
    if (await repo.findChildUnitByName(trx, parent.id, name)) throw new TeamsError(409, 'Đơn vị cấp trên đã có một đơn vị cùng tên.');
    if (stat && (await repo.findUnitByStatCode(trx, stat))) throw new TeamsError(409, 'Mã thống kê này đã được dùng.');
    const [id] = await repo.reserveUnitIds(trx, 1);
    await repo.insertUnits(trx, [{ id: id!, parentId: parent.id, kind, name, statCode: stat, path: `${parent.path}${id}/`, depth: parent.depth + 1, synthetic: false }]);
    await audit(trx, v, id!, 'unit.create', { name, parent: parent.id });
    return id!;
  });
}

/** Admin: renames a unit (units merge and change names; ids and statistics codes stay). */
export async function renameUnit(db: Kysely<Database>, v: Viewer, unitId: string | undefined, name: string | undefined): Promise<void> {
  if (v.role !== 'admin') throw new TeamsError(403, 'Chỉ quản trị viên mới đổi được tên đơn vị hành chính.');
  const unit = await requireUnitAccess(db, v, unitId);
  const n = parseName(name);
  await db.transaction().execute(async (trx) => {
    await repo.renameUnit(trx, unit.id, n);
    await audit(trx, v, unit.id, 'unit.rename', { from: unit.name, to: n });
  });
}

/** The audit log of everything inside a unit the viewer manages. */
export async function auditLog(reads: Reads, v: Viewer, unitId: string | undefined) {
  const unit = await requireUnitAccess(accessDb(reads), v, unitId);
  return { unit, entries: await repo.auditUnder(dataDb(reads), unit.path) };
}

/** Display names used when a roster row's name is checked. */
export function normaliseName(v: unknown): string | undefined {
  const r = DisplayNameSchema.safeParse(typeof v === 'string' ? v : '');
  return r.success ? r.data : undefined;
}
