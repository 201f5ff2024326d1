/**
 * Households, help visits, links and their counters on a real database (PGlite or Postgres): access,
 * consent, anonymous visits, idempotent posts, the 7-day edit window, single-use attempt-limited link
 * codes, course-verified evidence through the real completion path, undo, moves, removal, and
 * `recountHouseholds` finding zero differences after a random sequence of all of these.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { getCatalog } from '../../src/server/content/catalog.ts';
import type { Database } from '../../src/server/db/schema.ts';
import { openLessonCheck, submitLessonCheck } from '../../src/server/learning/learning.ts';
import { seedTeamsDemo } from '../../src/server/teams/seed.ts';
import * as teamsRepo from '../../src/server/teams/teams.repository.ts';
import type { Viewer } from '../../src/server/teams/access.ts';
import { addHousehold, editHousehold, householdDetail, moveHousehold, recordHouseholdConsent, removeHousehold, teamHouseholds } from '../../src/server/households/households.ts';
import { editVisit, recordVisit, visitDetail } from '../../src/server/households/visits.ts';
import { confirmLink, issueLinkCode, myHousehold, previewLink, requestMyHouseholdRemoval, undoMyLink } from '../../src/server/households/links.ts';
import { recountHouseholds } from '../../src/server/households/household-counters.ts';
import * as repo from '../../src/server/households/households.repository.ts';
import { coverageDashboard } from '../../src/server/households/dashboard.ts';
import { householdStats } from '../../src/server/households/stats.ts';
import { todayVn } from '../../src/server/households/fields.ts';
import { createTestDb } from '../setup/db.ts';
import { checkAnswers, completeCitizenCourse } from '../setup/answers.ts';

let db: Kysely<Database>;
let leaderA: Viewer; // Đỗ Thị Lan, team 1 of commune A
let memberA: Viewer; // Trần Văn Bình, team 1
let leaderB: Viewer; // Hoàng Thị Nga, commune B
let officialA: Viewer;
let officialB: Viewer;
let citizen: Viewer;
let team1: number;
let team2: number;

const ALL_FIVE = { 'dich-vu-cong': 'tu-lam', 'mua-sam': 'tu-lam', 'thanh-toan': 'tu-lam', 'tu-bao-ve': 'tu-lam', 'nen-tang-dia-phuong': 'tu-lam' } as const;
const viewer = async (phone: string): Promise<Viewer> => {
  const u = (await teamsRepo.findUserByPhone(db, phone))!;
  return { id: u.id, role: u.role };
};
const visit = (householdId: string | null, outcomes: Record<string, 'tu-lam' | 'can-ho-tro'>, person: string | null = 'Bà Tư', extra: Partial<Parameters<typeof recordVisit>[2]> = {}) => ({
  householdId,
  date: todayVn(),
  person: householdId ? person : null,
  outcomes,
  tasks: [],
  material: null,
  clientKey: null,
  ...extra,
});

async function expectRecountClean() {
  expect(await recountHouseholds(db, { fix: false })).toEqual([]);
}

const complete = (userId: string, slug: string) => completeCitizenCourse(db, userId, slug);

beforeAll(async () => {
  db = (await createTestDb()).db;
  await seedTeamsDemo(db, 'hoc-thu-2026');
  leaderA = await viewer('+84912000011');
  memberA = await viewer('+84912000002');
  if (!(await teamsRepo.findUserByPhone(db, '+84912000002'))) throw new Error('demo member missing');
  leaderB = await viewer('+84912000021');
  officialA = await viewer('+84912000010');
  officialB = await viewer('+84912000020');
  const c = await db.insertInto('user').values({ phone: '+84912555001', display_name: 'Người Dân Thử', role: 'learner', password_hash: null }).returning('id').executeTakeFirstOrThrow();
  citizen = { id: c.id, role: 'learner' };
  team1 = (await teamsRepo.findMembership(db, leaderA.id))!.team_id;
  const hai = (await teamsRepo.findUserByPhone(db, '+84912000012'))!;
  team2 = (await teamsRepo.findMembership(db, hai.id))!.team_id;
}, 120_000);

describe('households and visits', () => {
  it('a plain member adds a household and records a visit; one person with all five meets the target', async () => {
    const id = await addHousehold(db, memberA, { label: 'Hộ bác Tư, xóm 3', phone: null, note: null });
    const v = await recordVisit(db, memberA, visit(id, ALL_FIVE));
    const d = await householdDetail(db, memberA, id);
    expect(d.view.meetsTarget).toBe(true);
    expect(d.view.skills.every((s) => s.source === 'member')).toBe(true);
    expect(d.visits.map((x) => x.id)).toEqual([v]);
    const counter = await repo.teamVector(db, team1);
    expect(counter).toMatchObject({ households: 1, consented: 1, meeting_target: 1, all_skills: 1, cov_thanh_toan: 1 });
    await expectRecountClean();
  });

  it('skills from different people cover the household without meeting the target', async () => {
    const id = await addHousehold(db, leaderA, { label: 'Hộ chị Hoa', phone: '+84912555002', note: 'Nhà cuối ngõ' });
    await recordVisit(db, leaderA, visit(id, { 'dich-vu-cong': 'tu-lam', 'mua-sam': 'tu-lam' }, 'chị Hoa'));
    await recordVisit(db, leaderA, visit(id, { 'thanh-toan': 'tu-lam', 'tu-bao-ve': 'tu-lam', 'nen-tang-dia-phuong': 'tu-lam' }, 'anh Nam'));
    await recordVisit(db, leaderA, visit(id, { 'thanh-toan': 'can-ho-tro' }, 'Chị  Hoa'));
    const d = await householdDetail(db, leaderA, id);
    expect(d.view.meetsTarget).toBe(false);
    expect(d.view.skills.every((s) => s.source === 'member')).toBe(true);
    await expectRecountClean();
  });

  it('a declined visit is anonymous: activity only, never coverage', async () => {
    const before = await repo.teamVector(db, team1);
    const id = await recordVisit(db, memberA, visit(null, ALL_FIVE));
    const row = await db.selectFrom('help_visit').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.household_id).toBeNull();
    expect(row.person).toBeNull();
    expect(await repo.teamVector(db, team1)).toEqual(before);
    const months = await repo.monthly(db, { teamId: team1 }, `${todayVn().slice(0, 7)}-01`);
    expect(months[0]!.anonymous).toBe(1);
    await expectRecountClean();
  });

  it('a replayed post with the same key stores once, and parallel replays too', async () => {
    const id = await addHousehold(db, memberA, { label: 'Hộ ông Sáu', phone: null, note: null });
    const key = randomUUID();
    const ids = await Promise.all(Array.from({ length: 5 }, () => recordVisit(db, memberA, visit(id, { 'mua-sam': 'tu-lam' }, 'ông Sáu', { clientKey: key }))));
    expect(new Set(ids).size).toBe(1);
    expect((await repo.visitsOfHousehold(db, id)).length).toBe(1);
    // Another member cannot reuse the key.
    await expect(recordVisit(db, leaderA, visit(id, { 'mua-sam': 'tu-lam' }, 'ông Sáu', { clientKey: key }))).rejects.toMatchObject({ status: 409 });
    await expectRecountClean();
  });

  it('a replayed or double-tapped add stores one household, in parallel too; the same label differently typed is the same', async () => {
    const before = (await repo.teamVector(db, team1)).households;
    const label = 'Hộ ông Đức, xóm 4';
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => addHousehold(db, memberA, { label, phone: null, note: null })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 409, message: expect.stringMatching(/Tổ đã có hộ “Hộ ông Đức, xóm 4”/) });
    await expect(addHousehold(db, leaderA, { label: 'ho ong duc xom 4', phone: null, note: null })).rejects.toMatchObject({ status: 409 });
    expect((await repo.teamVector(db, team1)).households).toBe(before + 1);
    // Renaming another household to a taken label is refused too; keeping one's own label is fine.
    const other = await addHousehold(db, memberA, { label: 'Hộ ông Đức, xóm 5', phone: null, note: null });
    await expect(editHousehold(db, memberA, other, { label: 'Hộ Ông Đức xóm 4', phone: null, note: null })).rejects.toMatchObject({ status: 409 });
    await editHousehold(db, memberA, other, { label: 'Hộ ông Đức, xóm 5', phone: '+84912555003', note: null });
    await expectRecountClean();
  });

  it('refuses a future date, unknown tasks, no skill, and another team’s household', async () => {
    const id = await addHousehold(db, memberA, { label: 'Hộ cô Ba', phone: null, note: null });
    const tomorrow = new Date(Date.now() + 2 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    await expect(recordVisit(db, memberA, visit(id, { 'mua-sam': 'tu-lam' }, 'cô Ba', { date: tomorrow }))).rejects.toMatchObject({ status: 400, field: 'ngay' });
    await expect(recordVisit(db, memberA, visit(id, {}, 'cô Ba', { tasks: ['khong-co-viec-nay'] }))).rejects.toMatchObject({ status: 400 });
    await expect(recordVisit(db, memberA, visit(id, {}, 'cô Ba'))).rejects.toMatchObject({ status: 400, field: 'ky-nang' });
    await expect(recordVisit(db, leaderB, visit(id, { 'mua-sam': 'tu-lam' }, 'cô Ba'))).rejects.toMatchObject({ status: 400, field: 'ho' });
    // A task brings its skill in, as "cần hỗ trợ thêm".
    const v = await recordVisit(db, memberA, visit(id, {}, 'cô Ba', { tasks: ['bao-tin-rac-5656'] }));
    expect((await visitDetail(db, memberA, v)).visit.outcomes).toEqual({ 'tu-bao-ve': 'can-ho-tro' });
  });

  it('only its author edits a visit, for 7 days; every change is audit-logged', async () => {
    const id = await addHousehold(db, memberA, { label: 'Hộ bà Năm', phone: null, note: null });
    const v = await recordVisit(db, memberA, visit(id, { 'tu-bao-ve': 'can-ho-tro' }, 'bà Năm'));
    const input = { date: todayVn(), person: 'bà Năm', outcomes: { 'tu-bao-ve': 'tu-lam' as const }, tasks: ['khong-dua-otp'], material: 'trinh-duyet-an-toan' };
    await expect(editVisit(db, leaderA, v, input)).rejects.toMatchObject({ status: 403 });
    await editVisit(db, memberA, v, input);
    expect((await householdDetail(db, memberA, id)).view.skills.find((s) => s.skill === 'tu-bao-ve')!.source).toBe('member');
    const later = new Date(Date.now() + 8 * 24 * 3600 * 1000);
    await expect(editVisit(db, memberA, v, input, later)).rejects.toMatchObject({ status: 403 });
    const log = await db.selectFrom('audit_log').select('action').where('action', '=', 'visit.update').execute();
    expect(log.length).toBeGreaterThanOrEqual(1);
    await expectRecountClean();
  });

  it('access: own team’s members and officials in scope only; others get 404', async () => {
    const id = await addHousehold(db, memberA, { label: 'Hộ kín', phone: null, note: null });
    expect((await householdDetail(db, officialA, id)).official).toBe(true);
    for (const v of [leaderB, officialB, citizen]) await expect(householdDetail(db, v, id)).rejects.toMatchObject({ status: 404 });
    await expect(teamHouseholds(db, officialB, team1)).rejects.toMatchObject({ status: 404 });
    await expect(teamHouseholds(db, citizen)).rejects.toMatchObject({ status: 403 });
    await expect(addHousehold(db, citizen, { label: 'Hộ lạ', phone: null, note: null })).rejects.toMatchObject({ status: 403 });
    await expect(moveHousehold(db, memberA, id, String(team2))).rejects.toMatchObject({ status: 403 });
  });
});

describe('linking a citizen', () => {
  let household: string;
  let visitId: string;

  it('a code is shown, previewed, confirmed once; course completions then count as verified', async () => {
    household = await addHousehold(db, memberA, { label: 'Hộ anh Nam', phone: null, note: null });
    visitId = await recordVisit(db, memberA, visit(household, { 'dich-vu-cong': 'tu-lam', 'mua-sam': 'tu-lam', 'tu-bao-ve': 'tu-lam', 'nen-tang-dia-phuong': 'tu-lam' }, 'anh Nam'));
    const { code } = await issueLinkCode(db, memberA, visitId, 'http://127.0.0.1:4321');
    expect(code).toMatch(/^\d{6}$/);
    await expect(previewLink(db, memberA, code, 'client-m')).rejects.toMatchObject({ status: 400 });
    expect(await previewLink(db, citizen, code, 'client-1')).toEqual({ memberFirstName: 'Bình', date: todayVn() });
    await confirmLink(db, citizen, code, 'client-1');
    await expect(confirmLink(db, citizen, code, 'client-1')).rejects.toMatchObject({ status: 400 });
    const mine = (await myHousehold(db, citizen))!;
    expect(mine.household.id).toBe(household);
    expect(mine.link.memberFirstName).toBe('Bình');
    // Payment is missing; the citizen completes the payment course: verified, and the target is met.
    expect((await householdDetail(db, memberA, household)).view.meetsTarget).toBe(false);
    await complete(citizen.id, 'thanh-toan-truc-tuyen');
    const d = await householdDetail(db, memberA, household);
    expect(d.view.skills.find((s) => s.skill === 'thanh-toan')!.source).toBe('course');
    expect(d.view.meetsTarget).toBe(true);
    expect(d.view.linked).toBe(1);
    await expectRecountClean();
  }, 120_000);

  it('the citizen undoes the link: course evidence goes, member-reported stays', async () => {
    await undoMyLink(db, citizen);
    const d = await householdDetail(db, memberA, household);
    expect(d.view.skills.find((s) => s.skill === 'thanh-toan')!.source).toBeNull();
    expect(d.view.skills.find((s) => s.skill === 'mua-sam')!.source).toBe('member');
    expect(d.view.meetsTarget).toBe(false);
    expect(await myHousehold(db, citizen)).toBeUndefined();
    await expectRecountClean();
  });

  it('one passed lesson check (not a whole course) is course-verified evidence for its skill', async () => {
    const other = await db.insertInto('user').values({ phone: '+84912555004', display_name: 'Lê Thị Mơ', role: 'learner', password_hash: null }).returning('id').executeTakeFirstOrThrow();
    const mo: Viewer = { id: other.id, role: 'learner' };
    const h = await addHousehold(db, memberA, { label: 'Hộ chị Mơ', phone: null, note: null });
    const v = await recordVisit(db, memberA, visit(h, { 'mua-sam': 'can-ho-tro' }, 'chị Mơ'));
    await confirmLink(db, mo, (await issueLinkCode(db, memberA, v, 'http://x')).code, 'client-mo');
    expect((await householdDetail(db, memberA, h)).view.skills.find((s) => s.skill === 'mua-sam')!.source).toBeNull();
    const course = getCatalog().bySlug.get('mua-sam-truc-tuyen')!;
    const lesson = course.editions.citizen!.lessons.find((l) => l.check.length > 0)!;
    const ref = { course: course.slug, edition: 'citizen' as const, lessonId: lesson.id };
    const { token } = await openLessonCheck(ref);
    const r = await submitLessonCheck(db, { userId: mo.id }, ref, token, await checkAnswers(lesson.check, token), 'client-mo');
    expect(r.passed).toBe(true);
    const d = await householdDetail(db, memberA, h);
    expect(d.view.skills.find((s) => s.skill === 'mua-sam')!.source).toBe('course');
    // The course is tagged with its skills (shopping and paying): the check counts for each, nothing else.
    expect(d.view.skills.filter((s) => s.source === 'course').map((s) => s.skill).sort()).toEqual([...course.skills].sort());
    await undoMyLink(db, mo);
    await expectRecountClean();
  }, 120_000);

  it('wrong codes are limited per account (10 in 15 minutes), counted atomically', async () => {
    const other = await db.insertInto('user').values({ phone: '+84912555003', display_name: 'Người Đoán Mã', role: 'learner', password_hash: null }).returning('id').executeTakeFirstOrThrow();
    const guesser: Viewer = { id: other.id, role: 'learner' };
    const results = await Promise.allSettled(Array.from({ length: 14 }, (_, i) => previewLink(db, guesser, String(100000 + i), `guess-${i}`)));
    const statuses = results.map((r) => (r.status === 'rejected' ? (r.reason as { status: number }).status : 200));
    expect(statuses.filter((s) => s === 400)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
  });

  it('an expired code does not link', async () => {
    const { code } = await issueLinkCode(db, memberA, visitId, 'http://127.0.0.1:4321');
    await db.updateTable('household_link_code').set({ expires_at: new Date(Date.now() - 1000) }).where('visit_id', '=', visitId).execute();
    await expect(confirmLink(db, citizen, code, 'client-2')).rejects.toMatchObject({ status: 400 });
  });
});

describe('moves, removal, consent and the recount', () => {
  it('an official moves a household between teams; counters follow, history stays', async () => {
    const id = await addHousehold(db, memberA, { label: 'Hộ chuyển đi', phone: null, note: null });
    const v = await recordVisit(db, memberA, visit(id, ALL_FIVE, 'ông Bảy'));
    const before1 = await repo.teamVector(db, team1);
    const before2 = await repo.teamVector(db, team2);
    await expect(moveHousehold(db, officialB, id, String(team2))).rejects.toMatchObject({ status: 404 });
    await moveHousehold(db, officialA, id, String(team2));
    expect((await repo.teamVector(db, team1)).meeting_target).toBe(before1.meeting_target - 1);
    expect((await repo.teamVector(db, team2)).meeting_target).toBe(before2.meeting_target + 1);
    expect((await householdDetail(db, officialA, id)).visits).toHaveLength(1);
    await expect(householdDetail(db, memberA, id)).rejects.toMatchObject({ status: 404 });
    // The author still sees their visit, read-only, without the household or the person's name: the
    // new team keeps those now. They can neither correct it nor show a link code for it.
    const mine = await visitDetail(db, memberA, v);
    expect(mine).toMatchObject({ moved: true, household: undefined, editable: false, author: true });
    expect(mine.visit.person).toBeNull();
    await expect(editVisit(db, memberA, v, { date: todayVn(), person: 'ông Bảy', outcomes: { 'mua-sam': 'can-ho-tro' }, tasks: [], material: null })).rejects.toMatchObject({ status: 403 });
    await expect(issueLinkCode(db, memberA, v, 'http://x')).rejects.toMatchObject({ status: 403 });
    // The official over both teams still sees where it went.
    const theirs = await visitDetail(db, officialA, v);
    expect(theirs.household?.id).toBe(id);
    expect(theirs.visit.person).toBe('ông Bảy');
    await expectRecountClean();
  });

  it('the same move sent twice at once (a double submit) moves the household once: counters and audit log agree', async () => {
    const id = await addHousehold(db, memberA, { label: 'Hộ chuyển hai lần', phone: null, note: null });
    await recordVisit(db, memberA, visit(id, ALL_FIVE, 'bà Chín'));
    const before1 = await repo.teamVector(db, team1);
    const before2 = await repo.teamVector(db, team2);
    await Promise.all([moveHousehold(db, officialA, id, String(team2)), moveHousehold(db, officialA, id, String(team2))]);
    expect((await repo.teamVector(db, team1)).households).toBe(before1.households - 1);
    expect((await repo.teamVector(db, team2)).households).toBe(before2.households + 1);
    const moves = await db.selectFrom('audit_log').select('detail').where('action', '=', 'household.move').execute();
    expect(moves.filter((m) => (typeof m.detail === 'string' ? JSON.parse(m.detail) : m.detail).household === id)).toHaveLength(1);
    await expectRecountClean();
  });

  it('imported-style households count once consent is recorded', async () => {
    const id = await db.transaction().execute(async (trx) => {
      const hid = await repo.insertHousehold(trx, { teamId: team1, label: 'Hộ nhập từ tệp', phone: null, note: null, consent: 'not_asked', by: officialA.id });
      await repo.addTeamCounter(trx, team1, { households: 1, consented: 0, meeting_target: 0, linked_citizens: 0, cov_dich_vu_cong: 0, cov_mua_sam: 0, cov_thanh_toan: 0, cov_tu_bao_ve: 0, cov_nen_tang_dia_phuong: 0, all_skills: 0 });
      return hid;
    });
    const before = (await repo.teamVector(db, team1)).consented;
    await recordHouseholdConsent(db, memberA, id);
    expect((await repo.teamVector(db, team1)).consented).toBe(before + 1);
    await expectRecountClean();
  });

  it('removing a household keeps its visits as anonymous activity', async () => {
    const id = await addHousehold(db, memberA, { label: 'Hộ xin xóa', phone: '+84912555009', note: 'ghi chú' });
    const v = await recordVisit(db, memberA, visit(id, ALL_FIVE, 'bà Chín'));
    await removeHousehold(db, memberA, id);
    expect(await repo.findHousehold(db, id)).toBeUndefined();
    const row = await db.selectFrom('help_visit').selectAll().where('id', '=', v).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ household_id: null, person: null, consent: false });
    await expectRecountClean();
  });

  it('a citizen asks for removal: the household is flagged for its team; a member removes it and the link goes too', async () => {
    const other = await db.insertInto('user').values({ phone: '+84912555005', display_name: 'Phan Văn Tám', role: 'learner', password_hash: null }).returning('id').executeTakeFirstOrThrow();
    const tam: Viewer = { id: other.id, role: 'learner' };
    await expect(requestMyHouseholdRemoval(db, tam)).rejects.toMatchObject({ status: 404 });
    const h = await addHousehold(db, memberA, { label: 'Hộ chú Tám', phone: '+84912555006', note: 'nhà có giàn hoa' });
    const v = await recordVisit(db, memberA, visit(h, ALL_FIVE, 'chú Tám'));
    await confirmLink(db, tam, (await issueLinkCode(db, memberA, v, 'http://x')).code, 'client-tam');
    // A correction is logged with the old and new names.
    await editVisit(db, memberA, v, { date: todayVn(), person: 'chú Tám Phan', outcomes: ALL_FIVE, tasks: [], material: null });
    const trail = () => db.selectFrom('audit_log').select('detail').where('action', '=', 'visit.update').execute().then((r) => r.map((x) => JSON.stringify(x.detail)).filter((d) => d.includes(v)));
    expect((await trail()).join()).toContain('chú Tám Phan');
    await requestMyHouseholdRemoval(db, tam);
    const askedAt = (await db.selectFrom('household').select('removal_requested_at').where('id', '=', h).executeTakeFirstOrThrow()).removal_requested_at;
    // Asking again (a replayed form) changes nothing: the first request's date and one audit entry stand.
    await requestMyHouseholdRemoval(db, tam);
    expect((await db.selectFrom('household').select('removal_requested_at').where('id', '=', h).executeTakeFirstOrThrow()).removal_requested_at).toEqual(askedAt);
    expect((await teamHouseholds(db, leaderA)).households.find((x) => x.id === h)!.removalRequested).toBe(true);
    // Nothing more is recorded under the household's name; an anonymous visit still counts as activity.
    await expect(recordVisit(db, memberA, visit(h, { 'tu-bao-ve': 'tu-lam' }, 'chú Tám'))).rejects.toMatchObject({ status: 400, field: 'ho', message: expect.stringContaining('đã yêu cầu xóa dữ liệu') });
    expect(await recordVisit(db, memberA, visit(null, { 'tu-bao-ve': 'tu-lam' }))).toBeTruthy();
    expect((await teamHouseholds(db, officialA, team1)).households.find((x) => x.id === h)!.removalRequested).toBe(true);
    const logged = await db.selectFrom('audit_log').select('detail').where('action', '=', 'household.removal_request').execute();
    expect(logged.filter((l) => JSON.stringify(l.detail).includes(h))).toHaveLength(1);
    // The officials over the team see the waiting request on their dashboard (commune and above),
    // with its team and how long it has waited; an official of another commune sees none of it.
    const communeOf = async (v: Viewer) => Number((await teamsRepo.findMembership(db, v.id))!.unit_path.split('/').filter(Boolean).at(-2));
    const communeA = await communeOf(memberA);
    const waiting = (await coverageDashboard(db, officialA, String(communeA), new Date(Date.now() + 3 * 86_400_000))).pendingRemovals;
    expect(waiting).toMatchObject({ total: 1, teamCount: 1, oldestDays: 3 });
    expect(waiting.teams).toEqual([expect.objectContaining({ id: team1, pending: 1, days: 3 })]);
    const root = (await db.selectFrom('admin_unit').select('id').where('parent_id', 'is', null).executeTakeFirstOrThrow()).id;
    expect((await coverageDashboard(db, await viewer('+84912000099'), String(root))).pendingRemovals.total).toBe(1);
    expect((await coverageDashboard(db, officialB, String(await communeOf(leaderB)))).pendingRemovals.total).toBe(0);
    // Someone outside the team cannot act on it.
    await expect(removeHousehold(db, leaderB, h)).rejects.toMatchObject({ status: 404 });
    await removeHousehold(db, leaderA, h);
    expect((await coverageDashboard(db, officialA, String(communeA))).pendingRemovals).toMatchObject({ total: 0, teams: [], oldestDays: null });
    expect(await myHousehold(db, tam)).toBeUndefined();
    expect(await db.selectFrom('household_link').select('id').where('user_id', '=', tam.id).execute()).toEqual([]);
    const row = await db.selectFrom('help_visit').selectAll().where('id', '=', v).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ household_id: null, person: null });
    // No name is left in the audit trail of its corrections; what changed and who changed it stay.
    const after = await trail();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toMatch(/Tám/);
    expect(after[0]).toContain('tu-lam');
    await expectRecountClean();
  });

  it('the dashboard sums teams up the tree, and stats match the raw rows', async () => {
    const unit = (await teamsRepo.findMembership(db, memberA.id))!;
    const communeId = Number(unit.unit_path.split('/').filter(Boolean).at(-2));
    const dash = await coverageDashboard(db, officialA, String(communeId));
    const total = await repo.unitVector(db, dash.unit.path);
    expect(dash.totals.households).toBe(total.households);
    expect(dash.rows.reduce((s, r) => s + r.households, 0)).toBe(total.households);
    await expect(coverageDashboard(db, officialB, String(communeId))).rejects.toMatchObject({ status: 404 });
    const s = await householdStats(db);
    expect(s.households).toBe(Number((await db.selectFrom('household').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));
  });

  it('help activity per commune follows a team that moves to another commune and a member whose account goes', async () => {
    const { moveTeam } = await import('../../src/server/teams/team-changes.ts');
    const { deleteAccount } = await import('../../src/server/auth/own-account.ts');
    const { hashPassword } = await import('../../src/server/auth/password.ts');
    const { lastMonths } = await import('../../src/server/households/dashboard.ts');
    const adminRow = await db.insertInto('user').values({ phone: '+84912555077', display_name: 'Quản trị thử', role: 'admin', password_hash: null }).returning('id').executeTakeFirstOrThrow();
    const admin: Viewer = { id: adminRow.id, role: 'admin' };
    const id = await addHousehold(db, memberA, { label: 'Hộ hoạt động theo xã', phone: null, note: null });
    await recordVisit(db, memberA, visit(id, { 'mua-sam': 'tu-lam' }, 'bà Mười', { date: todayVn(new Date(Date.now() - 40 * 24 * 3600 * 1000)) }));
    await recordVisit(db, memberA, visit(id, { 'mua-sam': 'tu-lam' }, 'bà Mười'));
    const since = lastMonths(12)[0]!;
    const team = (await teamsRepo.findTeam(db, team1))!;
    const communeA = `/${team.unit_path.split('/').filter(Boolean).slice(0, 3).join('/')}/`;
    const before = await repo.activeMembers(db, { path: communeA }, since);
    expect(before).toBeGreaterThan(0);
    // The team moves to a unit of commune B and back: its activity goes with it each time.
    const otherCommune = (await teamsRepo.findTeam(db, (await teamsRepo.findMembership(db, leaderB.id))!.team_id))!.unit_id;
    await moveTeam(db, admin, String(team1), String(otherCommune));
    expect(await repo.activeMembers(db, { path: communeA }, since)).toBeLessThan(before);
    await expectRecountClean();
    await moveTeam(db, admin, String(team1), String(team.unit_id));
    expect(await repo.activeMembers(db, { path: communeA }, since)).toBe(before);
    await expectRecountClean();
    // A helper's account is deleted: their visits stay as activity, they no longer count as a member.
    const helper = await db.insertInto('user').values({ phone: '+84912555078', display_name: 'Người giúp tạm', role: 'member', password_hash: await hashPassword('mat-khau-tam-2026') }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('team_member').values({ user_id: helper.id, team_id: team1, role: 'member', active: true }).execute();
    await recordVisit(db, { id: helper.id, role: 'member' }, visit(id, { 'thanh-toan': 'tu-lam' }, 'bà Mười'));
    expect(await repo.activeMembers(db, { path: communeA }, since)).toBe(before + 1);
    expect(await deleteAccount(db, { userId: helper.id, password: 'mat-khau-tam-2026' })).toMatchObject({ ok: true });
    expect(await repo.activeMembers(db, { path: communeA }, since)).toBe(before);
    await expectRecountClean();
  });

  it('a random sequence of visits, links, moves, edits and undos leaves nothing for the recount to fix', async () => {
    const people = ['bà Tư', 'anh Nam', 'chị Hoa'];
    let serial = 0; // labels stay distinct across runs: a team refuses a label it already has
    const skills = ['dich-vu-cong', 'mua-sam', 'thanh-toan', 'tu-bao-ve', 'nen-tang-dia-phuong'] as const;
    const cmd = fc.oneof(
      fc.record({ k: fc.constant('add' as const) }),
      fc.record({ k: fc.constant('visit' as const), h: fc.nat(), p: fc.nat(2), s: fc.subarray([...skills], { minLength: 1 }), ok: fc.boolean(), anon: fc.boolean(), d: fc.nat(75) }),
      fc.record({ k: fc.constant('move' as const), h: fc.nat() }),
      fc.record({ k: fc.constant('link' as const), h: fc.nat() }),
      fc.record({ k: fc.constant('undo' as const) }),
      fc.record({ k: fc.constant('edit' as const), h: fc.nat(), ok: fc.boolean() }),
      fc.record({ k: fc.constant('remove' as const), h: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 5, maxLength: 20 }), async (cmds) => {
        const mine: string[] = [];
        const myVisits: string[] = [];
        for (const c of cmds) {
          const pick = (n: number) => mine[n % mine.length]!;
          if (c.k === 'add' || !mine.length) mine.push(await addHousehold(db, memberA, { label: `Hộ ngẫu nhiên ${++serial}`, phone: null, note: null }));
          else if (c.k === 'visit') {
            // Dates over the last months: edits (to today) then move visits between months.
            const date = todayVn(new Date(Date.now() - c.d * 24 * 3600 * 1000));
            myVisits.push(await recordVisit(db, memberA, visit(c.anon ? null : pick(c.h), Object.fromEntries(c.s.map((s) => [s, c.ok ? 'tu-lam' : 'can-ho-tro'])), people[c.p]!, { date })));
          } else if (c.k === 'move') {
            const h = pick(c.h);
            const team = (await repo.findHousehold(db, h))!.team_id;
            await moveHousehold(db, officialA, h, String(team === team1 ? team2 : team1));
            if (team !== team1) continue;
            mine.splice(mine.indexOf(h), 1); // now in team 2: memberA no longer reaches it
          } else if (c.k === 'link' && myVisits.length) {
            const v = myVisits[c.h % myVisits.length]!;
            const row = await repo.findVisit(db, v);
            if (!row?.household_id || !mine.includes(row.household_id)) continue;
            const { code } = await issueLinkCode(db, memberA, v, 'http://x');
            await confirmLink(db, citizen, code, 'prop');
          } else if (c.k === 'undo') {
            if (await myHousehold(db, citizen)) await undoMyLink(db, citizen);
          } else if (c.k === 'edit' && myVisits.length) {
            const v = myVisits[c.h % myVisits.length]!;
            const row = await repo.findVisit(db, v);
            if (!row) continue;
            // A visit whose household moved to team 2 is read-only for its author (refused, tested above).
            if (row.household_id && !mine.includes(row.household_id)) continue;
            await editVisit(db, memberA, v, { date: todayVn(), person: row.household_id ? 'bà Tư' : null, outcomes: { 'thanh-toan': c.ok ? 'tu-lam' : 'can-ho-tro' }, tasks: [], material: null });
          } else if (c.k === 'remove') {
            const h = pick(c.h);
            await removeHousehold(db, memberA, h);
            mine.splice(mine.indexOf(h), 1);
          }
        }
        expect(await recountHouseholds(db, { fix: false })).toEqual([]);
      }),
      { numRuns: 8, seed: 20261207 },
    );
  }, 180_000);
});
