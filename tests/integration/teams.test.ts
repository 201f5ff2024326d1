/** Units from the registry, counters kept in step with every change, and `db:recount`. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
process.env.CONTENT_DIR = path.resolve('tests/fixtures/content');
import { getCatalog } from '../../src/server/content/catalog.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { markLessonDone, startFinalQuiz, submitFinalQuiz } from '../../src/server/learning/learning.ts';
import type { FormEntries } from '../../src/server/learning/quiz.ts';
import { corruptMemberCounter } from '../../src/server/teams/counters.repository.ts';
import { recountAll } from '../../src/server/teams/counters.ts';
import { runPendingJobs } from '../../src/server/jobs/worker.ts';
import { isOverdue, memberDetail, myRequiredCourses, overdueCutoff, teamDashboard, unitDashboard } from '../../src/server/teams/dashboard.ts';
import { commitRoster, uploadRoster } from '../../src/server/teams/roster.ts';
import { loadRegistry, seedAdministrativeUnits } from '../../src/server/teams/seed.ts';
import * as repo from '../../src/server/teams/teams.repository.ts';
import { type Viewer } from '../../src/server/teams/access.ts';
import { assignCourse } from '../../src/server/teams/assignments.ts';
import { createTeam, moveMember, moveTeam, renameTeam, setMemberActive } from '../../src/server/teams/team-changes.ts';
import { createUnit, renameUnit } from '../../src/server/teams/units.ts';
import { createTestDb } from '../setup/db.ts';
import { correctFields } from '../setup/answers.ts';

let db: Kysely<Database>;
let official: Viewer;
let admin: Viewer;
let communeA: repo.UnitRow;
let communeB: repo.UnitRow;

async function person(phone: string, role: 'official' | 'admin' | 'learner', name = 'Cán bộ thử'): Promise<string> {
  const r = await db.insertInto('user').values({ phone, display_name: name, role, password_hash: null }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}


/** Completes a course edition the real way: every lesson, then a passed final quiz. */
async function complete(userId: string, edition: 'citizen' | 'member') {
  const course = getCatalog().bySlug.get('khoa-thu-nghiem')!;
  for (const l of course.editions[edition]!.lessons) await markLessonDone(db, { userId }, { course: course.slug, edition, lessonId: l.id }, 'test-client');
  const quiz = await startFinalQuiz(db, userId, course.slug, edition);
  const attempt = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', quiz.attemptId).executeTakeFirstOrThrow();
  const entries: FormEntries = new Map();
  for (const [k, v] of attempt.questions.flatMap((d, i) => correctFields(course.questions.get(d.id)!, d.order, i))) entries.set(k, [...(entries.get(k) ?? []), v]);
  await submitFinalQuiz(db, userId, quiz.attemptId, entries, 'test-client');
}

function csv(lines: string[]): { bytes: Uint8Array; name: string } {
  return { bytes: new TextEncoder().encode(['Họ và tên,Số điện thoại,Thôn,Tổ,Vai trò', ...lines].join('\r\n')), name: 'danh-sach.csv' };
}

/** A small deterministic PRNG, so a failing sequence can be replayed from its seed. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

beforeAll(async () => {
  db = (await createTestDb()).db;
  await seedAdministrativeUnits(db);
  communeA = (await repo.findUnitByStatCode(db, '00004'))!;
  communeB = (await repo.findUnitByStatCode(db, '00008'))!;
  const o = await person('+84915000001', 'official');
  await repo.insertScope(db, o, communeA.id, null);
  official = { id: o, role: 'official' };
  admin = { id: await person('+84915000002', 'admin'), role: 'admin' };
}, 120_000);

describe('administrative units', () => {
  it('loads the 34 provinces and 3,321 communes of the registry, with unique statistics codes', async () => {
    const reg = loadRegistry();
    expect(reg.provinces).toHaveLength(34);
    expect(reg.communes).toHaveLength(3321);
    const kinds = await repo.countUnitsByKind(db);
    expect(kinds).toMatchObject({ country: 1, province: 34, commune: 3321 });
    const codes = await db.selectFrom('admin_unit').select('stat_code').where('stat_code', 'is not', null).execute();
    expect(new Set(codes.map((c) => c.stat_code)).size).toBe(34 + 3321);
    // Seeding again adds nothing.
    await seedAdministrativeUnits(db);
    expect(await repo.countUnitsByKind(db)).toEqual(kinds);
  });

  it('lets admins add units at any depth and rename them; officials cannot', async () => {
    const village = await createUnit(db, admin, String(communeA.id), { name: 'Thôn Thử Nghiệm', kind: 'village' });
    const hamlet = await createUnit(db, admin, String(village), { name: 'Xóm Một', kind: 'hamlet' });
    const h = (await repo.findUnit(db, hamlet))!;
    expect(h.depth).toBe(4);
    expect(h.path.startsWith(communeA.path)).toBe(true);
    await renameUnit(db, admin, String(hamlet), 'Xóm Một Mới');
    expect((await repo.findUnit(db, hamlet))!.name).toBe('Xóm Một Mới');
    await expect(renameUnit(db, official, String(hamlet), 'Tên Khác')).rejects.toMatchObject({ status: 403 });
    await expect(createUnit(db, official, String(communeA.id), { name: 'Thôn Lạ' })).rejects.toMatchObject({ status: 403 });
    await expect(createUnit(db, admin, String(communeA.id), { name: 'Thôn Thử Nghiệm' })).rejects.toMatchObject({ status: 409 });
  });

  it('keeps "everything below" a path range at any depth', async () => {
    expect(communeA.path.split('/').filter(Boolean)).toHaveLength(3);
    expect(communeA.depth).toBe(2);
    const province = (await repo.unitsOnPath(db, communeA.path))[1]!;
    expect(province.kind).toBe('province');
  });
});

describe('counters', () => {
  it('stay exact through a randomised sequence of imports, completions, moves and deactivations', async () => {
    await uploadRoster(db, official, String(communeA.id), csv([
      'Nguyễn Văn An,0916000001,Thôn Đông,Tổ CNSCĐ thôn Đông,Tổ trưởng',
      'Trần Thị Bích,0916000002,Thôn Đông,Tổ CNSCĐ thôn Đông,Thành viên',
      'Lê Văn Cường,0916000003,Thôn Đông,Tổ CNSCĐ thôn Đông,Thành viên',
      'Phạm Thị Dung,0916000004,Thôn Tây,Tổ CNSCĐ thôn Tây,Tổ trưởng',
      'Hoàng Văn Em,0916000005,Thôn Tây,Tổ CNSCĐ thôn Tây,Thành viên',
      'Vũ Thị Phương,0916000006,Thôn Tây,Tổ CNSCĐ thôn Tây,Thành viên',
    ])).then((id) => commitRoster(db, official, id, []));
    await assignCourse(db, official, String(communeA.id), { course: 'khoa-thu-nghiem', edition: 'member', due: '2099-12-31' });
    const province = (await repo.unitsOnPath(db, communeA.path))[1]!;
    // A province-wide assignment with an earlier date: the earliest due date applies.
    await assignCourse(db, admin, String(province.id), { course: 'khoa-thu-nghiem', edition: 'member', due: '2030-06-30' });
    // Assigned back in 2021 (dates in the past are refused), so it is overdue now.
    await assignCourse(db, admin, String(province.id), { course: 'khoa-thu-nghiem', edition: 'citizen', due: '2021-01-31' }, new Date('2021-01-01T00:00:00Z'));
    await runPendingJobs(db);
    expect(await recountAll(db, { fix: false })).toEqual([]);

    const members = async () => (await repo.membersUnder(db, communeA.path));
    const teams = async () => [...new Set((await members()).map((m) => m.team_id))];
    const random = rng(20261122);
    const pick = <T,>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
    const done = new Set<string>();
    for (let step = 0; step < 14; step++) {
      const all = await members();
      const action = pick(['complete', 'complete', 'move', 'deactivate', 'reactivate', 'moveTeam', 'import']);
      const m = pick(all);
      if (action === 'complete') {
        const edition = pick(['member', 'citizen'] as const);
        if (!done.has(m.user_id + edition)) await complete(m.user_id, edition);
        done.add(m.user_id + edition);
      } else if (action === 'move') {
        await moveMember(db, official, m.user_id, String(pick(await teams())));
      } else if (action === 'deactivate') {
        await setMemberActive(db, official, m.user_id, false);
      } else if (action === 'reactivate') {
        await setMemberActive(db, official, m.user_id, true);
      } else if (action === 'moveTeam') {
        const villages = await repo.childUnits(db, communeA.id);
        const team = (await repo.findTeam(db, m.team_id))!;
        const target = pick(villages.filter((v) => v.id !== team.unit_id));
        if (target && !(await repo.findTeamByName(db, target.id, team.name))) await moveTeam(db, official, String(team.id), String(target.id));
      } else {
        const id = await uploadRoster(db, official, String(communeA.id), csv([`Người Mới ${step},09170000${String(step).padStart(2, '0')},Thôn Bắc,Tổ CNSCĐ thôn Bắc,Thành viên`]));
        // The rest of the roster is absent from this file: deactivate one of them explicitly.
        await commitRoster(db, official, id, m.active ? [m.user_id] : []);
      }
      await runPendingJobs(db);
      expect(await recountAll(db, { fix: false }), `after step ${step} (${action})`).toEqual([]);
    }

    expect(done.size).toBeGreaterThan(0);
    // The dashboard adds up: members in the counter equal active members under the commune.
    const dash = await unitDashboard(db, official, String(communeA.id), undefined);
    const active = (await members()).filter((m) => m.active);
    expect(dash.members).toBe(active.length);
    expect(dash.rows.reduce((s, r) => s + r.members, 0)).toBe(active.length);
    // The citizen-edition course was due in 2021: every active member without it is overdue.
    const citizenDone = await db.selectFrom('course_completion').select('user_id').where('edition', '=', 'citizen').execute();
    const doneIds = new Set(citizenDone.map((c) => c.user_id));
    const filtered = await unitDashboard(db, official, String(communeA.id), { course: 'khoa-thu-nghiem', edition: 'citizen' });
    expect(filtered.overdue).toBe(active.filter((m) => !doneIds.has(m.user_id)).length);
    // The province sees the same numbers rolled up.
    const prov = await unitDashboard(db, admin, String(province.id), undefined);
    expect(prov.members).toBe(dash.members);
    expect(prov.overdue).toBe(dash.overdue);
    expect(prov.completed).toBe(dash.completed);
    expect(dash.completed).toBeGreaterThan(0);
  }, 180_000);

  it('reports a corrupted counter, and recount repairs it', async () => {
    await db.transaction().execute((trx) => corruptMemberCounter(trx, communeA.id, 5));
    const diffs = await recountAll(db, { fix: true });
    expect(diffs.length).toBeGreaterThan(0);
    expect(diffs[0]).toMatchObject({ table: 'unit_member_counter', unitId: communeA.id });
    expect(await recountAll(db, { fix: false })).toEqual([]);
  });
});

describe('required courses and overdue', () => {
  it('is overdue from 23:59 Vietnam time on the due date', () => {
    expect(isOverdue('2026-12-31', false, new Date('2026-12-31T16:58:00Z'))).toBe(false); // 23:58 in Vietnam
    expect(isOverdue('2026-12-31', false, new Date('2026-12-31T16:59:00Z'))).toBe(true); // 23:59
    expect(isOverdue('2026-12-31', true, new Date('2027-01-05T00:00:00Z'))).toBe(false);
    expect(overdueCutoff(new Date('2026-12-31T17:30:00Z'))).toBe('2026-12-31'); // 00:30 on 1 January
    expect(overdueCutoff(new Date('2026-12-31T10:00:00Z'))).toBe('2026-12-30');
  });

  it('shows a member their courses with the earliest due date, and a leader their own team only', async () => {
    const [leader] = (await repo.membersUnder(db, communeA.path)).filter((m) => m.role === 'leader' && m.active);
    const mine = await myRequiredCourses(db, leader!.user_id);
    expect(mine.find((c) => c.edition === 'member')?.due).toBe('2030-06-30');
    expect(mine.find((c) => c.edition === 'citizen')?.due).toBe('2021-01-31');
    const v: Viewer = { id: leader!.user_id, role: 'leader' };
    const team = await teamDashboard(db, v, String(leader!.team_id), undefined);
    expect(team.members.length).toBeGreaterThan(0);
    const other = (await repo.membersUnder(db, communeA.path)).find((m) => m.team_id !== leader!.team_id)!;
    await expect(teamDashboard(db, v, String(other.team_id), undefined)).rejects.toMatchObject({ status: 404 });
    await expect(memberDetail(db, v, other.user_id)).rejects.toMatchObject({ status: 404 });
    await expect(unitDashboard(db, v, String(communeA.id), undefined)).rejects.toMatchObject({ status: 404 });
  });

  it('refuses bad dates, unknown courses and foreign units, writing nothing', async () => {
    const before = await db.selectFrom('course_assignment').selectAll().execute();
    for (const [unit, input, status] of [
      [communeA.id, { course: 'khoa-thu-nghiem', edition: 'member', due: '2026-02-30' }, 400],
      [communeA.id, { course: 'khoa-thu-nghiem', edition: 'member', due: '31/12/2026' }, 400],
      [communeA.id, { course: 'khong-co', edition: 'member', due: '2026-12-31' }, 400],
      [communeB.id, { course: 'khoa-thu-nghiem', edition: 'member', due: '2026-12-31' }, 404],
    ] as const) {
      await expect(assignCourse(db, official, String(unit), input)).rejects.toMatchObject({ status });
    }
    expect(await db.selectFrom('course_assignment').selectAll().execute()).toEqual(before);
  });
});

describe('changes sent twice at once (a double click on a form)', () => {
  const audited = async (action: string, key: string, value: string | number) =>
    (await db.selectFrom('audit_log').select('detail').where('action', '=', action).execute()).filter(
      (r) => (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail)[key] === value,
    ).length;

  it('a team move, a member move and a deactivation each happen once; counters stay exact', async () => {
    const id = await uploadRoster(db, official, String(communeA.id), csv([
      'Đinh Văn Kép,0916100001,Thôn Kép Một,Tổ Kép Một,Tổ trưởng',
      'Đinh Thị Kép,0916100002,Thôn Kép Một,Tổ Kép Một,Thành viên',
      'Đinh Văn Đôi,0916100003,Thôn Kép Hai,Tổ Kép Hai,Thành viên',
    ]));
    await commitRoster(db, official, id, []);
    const members = (await repo.membersUnder(db, communeA.path)).filter((m) => m.phone.startsWith('+8491610000'));
    const one = members.find((m) => m.team_name === 'Tổ Kép Một')!;
    const two = members.find((m) => m.team_name === 'Tổ Kép Hai')!;
    const leader = members.find((m) => m.role === 'leader')!;
    const target = (await repo.findUnit(db, two.unit_id))!;

    await Promise.all([moveTeam(db, official, String(one.team_id), String(target.id)), moveTeam(db, official, String(one.team_id), String(target.id))]);
    expect((await repo.findTeam(db, one.team_id))!.unit_id).toBe(target.id);
    expect(await audited('team.move', 'team', one.team_id)).toBe(1);

    await Promise.all([moveMember(db, official, two.user_id, String(one.team_id)), moveMember(db, official, two.user_id, String(one.team_id))]);
    expect((await repo.findMembership(db, two.user_id))!.team_id).toBe(one.team_id);
    expect(await audited('member.move', 'user', two.user_id)).toBe(1);

    await Promise.all([setMemberActive(db, official, leader.user_id, false), setMemberActive(db, official, leader.user_id, false)]);
    expect((await repo.findMembership(db, leader.user_id))!.active).toBe(false);
    expect(await audited('member.deactivate', 'user', leader.user_id)).toBe(1);

    await runPendingJobs(db);
    expect(await recountAll(db, { fix: false })).toEqual([]);
  });

  it('creating (or renaming to) one team name twice at once makes one team; the other gets the Vietnamese 409, not a 500', async () => {
    const created = await Promise.allSettled([createTeam(db, official, String(communeA.id), 'Tổ Bấm Hai Lần'), createTeam(db, official, String(communeA.id), 'Tổ Bấm Hai Lần')]);
    expect(created.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(created.find((r) => r.status === 'rejected')).toMatchObject({ reason: { status: 409, message: 'Đơn vị này đã có một tổ cùng tên.' } });
    const a = await createTeam(db, official, String(communeA.id), 'Tổ Đổi Tên A');
    const b = await createTeam(db, official, String(communeA.id), 'Tổ Đổi Tên B');
    const renamed = await Promise.allSettled([renameTeam(db, official, String(a), 'Tổ Trùng Tên'), renameTeam(db, official, String(b), 'Tổ Trùng Tên')]);
    expect(renamed.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(renamed.find((r) => r.status === 'rejected')).toMatchObject({ reason: { status: 409, message: 'Đơn vị này đã có một tổ cùng tên.' } });
  });
});
