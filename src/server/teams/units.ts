/** Administration of units and officials' scopes (admins only). */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { requireUnitAccess, TeamsError, type Viewer } from './access.ts';
import { audit } from './audit.ts';
import { parseName } from './team-changes.ts';
import * as repo from './teams.repository.ts';

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

/** The name of a unit's parent, for labels (“trực thuộc …”). */
export async function findUnitParentName(db: Kysely<Database>, unit: repo.UnitRow): Promise<string | undefined> {
  return unit.parent_id ? (await repo.findUnit(db, unit.parent_id))?.name : undefined;
}
