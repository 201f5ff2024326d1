/**
 * A team's households: added one by one at the doorstep (consent asked there) or imported from a
 * spreadsheet (marked "chưa hỏi ý kiến" until a member records consent), edited, moved between teams
 * by an official (history stays), and removed at the family's request. Every change is audit-logged
 * in the transaction that makes it, with the household counters.
 */
import type { Kysely } from 'kysely';
import type { Skill } from '../../lib/content/schema.ts';
import { SKILLS } from '../../lib/content/schema.ts';
import type { Database } from '../db/schema.ts';
import { accessDb, dataDb, type Reads } from '../db/replica.ts';
import { requireTeamAccess, TeamsError, type Viewer } from '../teams/access.ts';
import { audit } from '../teams/audit.ts';
import * as teamsRepo from '../teams/teams.repository.ts';
import { NOT_FOUND_HOUSEHOLD, requireHelper, requireHouseholdAccess, requireHouseholdTeam } from './access.ts';
import { skillsOfMask } from './coverage.ts';
import { countNewHousehold, countVisit, moveHouseholdCounters, recountHousehold, uncountHousehold } from './household-counters.ts';
import * as repo from './households.repository.ts';
import { fold } from './import-file.ts';

export interface HouseholdInput {
  label: string;
  phone: string | null;
  note: string | null;
}

/** A household as lists show it: its skills (course-verified or member-reported). */
export interface HouseholdView {
  id: string;
  label: string;
  phone: string | null;
  note: string | null;
  consent: 'given' | 'not_asked';
  removalRequested: boolean;
  meetsTarget: boolean;
  linked: number;
  skills: { skill: Skill; source: 'course' | 'member' | null }[];
}

export function householdView(h: repo.HouseholdRow): HouseholdView {
  const covered = new Set(skillsOfMask(h.covered_mask));
  const verified = new Set(skillsOfMask(h.verified_mask));
  return {
    id: h.id,
    label: h.label,
    phone: h.phone,
    note: h.note,
    consent: h.consent,
    removalRequested: h.removal_requested_at !== null,
    meetsTarget: h.meets_target,
    linked: h.linked,
    skills: SKILLS.map((skill) => ({ skill, source: verified.has(skill) ? ('course' as const) : covered.has(skill) ? ('member' as const) : null })),
  };
}

/** Households shown per page of a team's list (a village can hold hundreds). */
export const HOUSEHOLDS_PER_PAGE = 50;

/** A label folded for search: no tones, đ → d, lower case, single spaces ("bac tu" finds "Hộ bác Tư"). */
export function foldLabel(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** One page of a team's list: households asking for removal first, then by label; filtered by `query`. */
export function householdPage<T extends Pick<HouseholdView, 'label' | 'removalRequested'>>(all: readonly T[], query: string, page: number, per = HOUSEHOLDS_PER_PAGE) {
  const q = foldLabel(query);
  const matching = (q ? all.filter((h) => foldLabel(h.label).includes(q)) : [...all]).sort((a, b) => Number(b.removalRequested) - Number(a.removalRequested));
  const pages = Math.max(1, Math.ceil(matching.length / per));
  const current = Math.min(Math.max(1, Math.trunc(page) || 1), pages);
  return { items: matching.slice((current - 1) * per, current * per), total: all.length, matching: matching.length, page: current, pages, query: query.trim() };
}

/** A page of a team's household list, as `householdPage` returns it. */
export type HouseholdListPage = ReturnType<typeof householdPage<HouseholdView>>;

/** What a list page asks for: the search (as typed) and the page number. */
export interface HouseholdListQuery {
  query: string;
  page: number;
}

/**
 * One page of a team's list read in SQL: the same order, search and page clamping as `householdPage`,
 * but only the page's rows are read. `total` is the team's number of households (from its counter
 * row); the number matching a search is counted from the label index. The requested page is read
 * at once, next to the counts, and read again only when it lies beyond the last page.
 */
export async function teamHouseholdListPage(db: Kysely<Database>, teamId: number, total: Promise<number>, list: HouseholdListQuery, per = HOUSEHOLDS_PER_PAGE): Promise<HouseholdListPage> {
  const q = foldLabel(list.query);
  const wanted = Math.max(1, Math.trunc(list.page) || 1);
  const [all, matching, rows] = await Promise.all([total, q ? repo.countTeamHouseholds(db, teamId, q) : total, repo.teamHouseholdPage(db, teamId, q, (wanted - 1) * per, per)]);
  const pages = Math.max(1, Math.ceil(matching / per));
  const page = Math.min(wanted, pages);
  const items = page === wanted ? rows : await repo.teamHouseholdPage(db, teamId, q, (page - 1) * per, per);
  return { items: items.map(householdView), total: all, matching, page, pages, query: list.query.trim() };
}

/** One page of the households of a team the viewer may see (their own team when `teamId` is undefined). */
export async function teamHouseholdList(reads: Reads, v: Viewer, teamId: string | number | undefined, list: HouseholdListQuery) {
  const db = accessDb(reads);
  const team = teamId === undefined ? await ownTeam(db, v) : await requireHouseholdTeam(db, v, teamId);
  const data = dataDb(reads);
  return { team, list: await teamHouseholdListPage(data, team.id, repo.teamVector(data, team.id).then((t) => t.households), list) };
}

/** Adds a household to the member's own team, after the family agreed at the doorstep. */
export async function addHousehold(db: Kysely<Database>, v: Viewer, input: HouseholdInput): Promise<string> {
  const m = await requireHelper(db, v);
  return db.transaction().execute(async (trx) => {
    // The team's counter row is written first: it serialises adds to one team, so two posts of one
    // form (a double tap, a replayed request) cannot both pass the label check below.
    await countNewHousehold(trx, m.team_id, true);
    await refuseTakenLabel(trx, m.team_id, input.label);
    const id = await repo.insertHousehold(trx, { teamId: m.team_id, ...input, consent: 'given', by: v.id });
    await audit(trx, v, m.unit_id, 'household.create', { household: id, team: m.team_id });
    return id;
  });
}

/**
 * A team's labels are its households' names on the doorstep list, compared as the import compares
 * them (tones, đ, case and punctuation folded): a label already used by another household of the team
 * is refused, so a replayed or double-tapped add never counts one family twice.
 */
async function refuseTakenLabel(trx: Kysely<Database>, teamId: number, label: string, except?: string, which = 'Tổ'): Promise<void> {
  const wanted = fold(label);
  const taken = (await repo.teamLabels(trx, teamId)).some((h) => h.id !== except && fold(h.label) === wanted);
  if (taken) throw new TeamsError(409, `${which} đã có hộ “${label}” trong danh sách. Nếu đây là một hộ khác, hãy thêm chi tiết để phân biệt, ví dụ “xóm 3”.`);
}

/** The households of a team the viewer may see (their own team when `teamId` is undefined). */
export async function teamHouseholds(reads: Reads, v: Viewer, teamId?: string | number) {
  const db = accessDb(reads);
  const team = teamId === undefined ? await ownTeam(db, v) : await requireHouseholdTeam(db, v, teamId);
  const rows = await repo.householdsOfTeam(dataDb(reads), team.id);
  return { team, households: rows.map(householdView) };
}

async function ownTeam(db: Kysely<Database>, v: Viewer) {
  const m = await requireHelper(db, v);
  const team = (await teamsRepo.findTeam(db, m.team_id))!;
  return { ...team, manage: false, member: true, role: m.role };
}

/** A household with its visits (newest first), for its team and the officials over it. */
export async function householdDetail(db: Kysely<Database>, v: Viewer, id: string | undefined) {
  const a = await requireHouseholdAccess(db, v, id);
  const visits = await repo.visitsOfHousehold(db, a.household.id);
  return { ...a, view: householdView(a.household), visits, trail: await teamsRepo.unitsOnPath(db, a.household.unit_path) };
}

/** Edits the label, phone or note (the team's members). */
export async function editHousehold(db: Kysely<Database>, v: Viewer, id: string | undefined, input: HouseholdInput): Promise<void> {
  const a = await requireHouseholdAccess(db, v, id);
  if (!a.member) throw new TeamsError(403, 'Chỉ thành viên của tổ giữ danh sách hộ mới sửa được thông tin hộ.');
  await db.transaction().execute(async (trx) => {
    await repo.lockTeamList(trx, a.household.team_id);
    await refuseTakenLabel(trx, a.household.team_id, input.label, a.household.id);
    await repo.updateHousehold(trx, a.household.id, input);
    await audit(trx, v, a.household.unit_id, 'household.update', { household: a.household.id });
  });
}

/** Records that an imported household agreed (asked at the doorstep by a member). */
export async function recordHouseholdConsent(db: Kysely<Database>, v: Viewer, id: string | undefined): Promise<void> {
  const a = await requireHouseholdAccess(db, v, id);
  if (!a.member) throw new TeamsError(403, 'Chỉ thành viên của tổ giữ danh sách hộ mới ghi nhận được ý kiến của hộ.');
  if (a.household.consent === 'given') return;
  await db.transaction().execute(async (trx) => {
    await repo.recordConsent(trx, a.household.id, v.id);
    await recountHousehold(trx, a.household.id, false);
    await audit(trx, v, a.household.unit_id, 'household.consent', { household: a.household.id });
  });
}

/** Moves a household to another team (an official over both); its visits and links stay with it. */
export async function moveHousehold(db: Kysely<Database>, v: Viewer, id: string | undefined, teamId: string | undefined): Promise<void> {
  const a = await requireHouseholdAccess(db, v, id);
  if (!a.official) throw new TeamsError(403, 'Chỉ cán bộ quản lý mới chuyển được hộ sang tổ khác.');
  const target = await requireTeamAccess(db, v, teamId).catch(() => {
    throw new TeamsError(404, 'Không tìm thấy tổ đích, hoặc tổ nằm ngoài phạm vi bạn quản lý.');
  });
  if (!target.manage) throw new TeamsError(404, 'Không tìm thấy tổ đích, hoặc tổ nằm ngoài phạm vi bạn quản lý.');
  if (target.id === a.household.team_id) return;
  await db.transaction().execute(async (trx) => {
    // The target team's list must not then hold one family twice (the rule of adds and renames).
    // Both teams' rows, in id order: two moves in opposite directions wait rather than deadlock.
    for (const t of [a.household.team_id, target.id].sort((x, y) => x - y)) await repo.lockTeamList(trx, t);
    // Where the household is now, under the locks: a move sent twice at once (a double submit) has
    // already happened, and one to another team since the page was read is refused, not counted twice.
    const now = await repo.lockHousehold(trx, a.household.id);
    if (!now) throw new TeamsError(404, NOT_FOUND_HOUSEHOLD);
    if (now.team_id === target.id) return;
    if (now.team_id !== a.household.team_id) throw new TeamsError(409, 'Hộ này vừa được chuyển sang tổ khác. Hãy tải lại trang rồi thử lại.');
    await refuseTakenLabel(trx, target.id, a.household.label, a.household.id, 'Tổ đích');
    await repo.updateHousehold(trx, a.household.id, { team_id: target.id });
    await moveHouseholdCounters(trx, a.household.id, a.household.team_id, target.id);
    await audit(trx, v, target.unit_id, 'household.move', { household: a.household.id, from: a.household.team_id, to: target.id });
  });
}

/**
 * Removes a household's data (at the family's request): its visits stay as anonymous activity, its
 * links are removed, and the row is deleted, with the counters in the same transaction.
 */
export async function removeHousehold(db: Kysely<Database>, v: Viewer, id: string | undefined): Promise<void> {
  const a = await requireHouseholdAccess(db, v, id);
  await db.transaction().execute(async (trx) => {
    await uncountHousehold(trx, a.household.id);
    const visits = await repo.anonymiseVisits(trx, a.household.id);
    for (const visit of visits) {
      // The visit stays in its month; it now counts as anonymous.
      await repo.addMonthCounter(trx, visit.team_id, visit.month, visit.member_id, 0, 1);
    }
    // Corrections were logged under the unit of the team that held the visit then (moves keep the visit's team).
    const units = new Set<number>();
    for (const teamId of new Set(visits.map((x) => x.team_id))) {
      const t = await teamsRepo.findTeam(trx, teamId);
      if (t) units.add(t.unit_id);
    }
    await repo.scrubVisitAudit(trx, visits.map((x) => x.id), [...units]);
    await repo.deleteHousehold(trx, a.household.id);
    await audit(trx, v, a.household.unit_id, 'household.delete', { household: a.household.id });
  });
}

export { countVisit };
