/**
 * Help visits ("lượt hỗ trợ"): recorded by a member in one short form; editable by their author for
 * 7 days, then read-only; every change audit-logged. A visit without the household's consent is
 * stored anonymously (no household, no person): it counts as the team's activity, never as coverage.
 * A client-made key makes a replayed submission store once.
 */
import type { Kysely } from 'kysely';
import { SKILLS, type Skill } from '../../lib/content/schema.ts';
import { isUuid } from '../../lib/ids.ts';
import { getCatalog } from '../content/catalog.ts';
import { getHelpTasks } from '../content/help-tasks.ts';
import type { Database, VisitOutcome } from '../db/schema.ts';
import { requireTeamAccess, TeamsError, type Viewer } from '../teams/access.ts';
import { audit } from '../teams/audit.ts';
import * as teamsRepo from '../teams/teams.repository.ts';
import { NOT_A_HELPER, NOT_FOUND_HOUSEHOLD, NOT_FOUND_VISIT, requireHelper, requireHouseholdAccess } from './access.ts';
import { countVisit, monthOfDate, recomputeHousehold, recountHousehold } from './household-counters.ts';
import { closeMonthIn } from './snapshots.ts';
import * as repo from './households.repository.ts';
import { visitDateSchema } from './fields.ts';
import { personKey } from './coverage.ts';

function checkDate(date: string, now = new Date()): void {
  const r = visitDateSchema(now).safeParse(date);
  if (!r.success) throw new VisitFieldError('ngay', r.error.issues[0]!.message);
}

/** A named visit to a household that asked for its data to be removed. */
export const REMOVAL_REQUESTED = 'Hộ này đã yêu cầu xóa dữ liệu nên tổ không ghi thêm gì theo tên hộ. Hãy ghi lượt này là “Không đồng ý (chỉ ghi lượt ẩn danh)”, và xóa dữ liệu hộ như gia đình đã yêu cầu.';

/** A visit whose household has moved to another team: that team now keeps what is recorded about it. */
export const MOVED = 'Hộ này đã chuyển sang tổ khác, nên lượt hỗ trợ giờ chỉ xem được; tổ mới tiếp tục hỗ trợ và liên kết tài khoản cho hộ.';

/** How long the author may correct a visit. */
export const EDIT_DAYS = 7;

export interface VisitInput {
  /** The household, or null for an anonymous visit (consent declined). */
  householdId: string | null;
  date: string;
  person: string | null;
  outcomes: Partial<Record<Skill, VisitOutcome>>;
  tasks: string[];
  material: string | null;
  clientKey: string | null;
}

/** A validation problem of a visit, addressed to a form field. */
export class VisitFieldError extends TeamsError {
  readonly field: string;
  constructor(field: string, message: string) {
    super(400, message);
    this.field = field;
  }
}

/**
 * Normalises skills, outcomes and tasks: every task must exist; a task's skill counts as worked on
 * (with "cần hỗ trợ thêm" unless an outcome was given); at least one skill.
 */
export function normaliseWork(skills: readonly string[], outcomes: Partial<Record<string, string>>, tasks: readonly string[], material: string | null) {
  const known = getHelpTasks().byId;
  const out: Partial<Record<Skill, VisitOutcome>> = {};
  for (const t of tasks) {
    const task = known.get(t);
    if (!task) throw new VisitFieldError('nhiem-vu', 'Có việc không nằm trong danh sách. Hãy tải lại trang.');
  }
  const chosen = new Set<string>([...skills, ...tasks.map((t) => known.get(t)!.skill)]);
  for (const s of chosen) {
    if (!(SKILLS as readonly string[]).includes(s)) throw new VisitFieldError('ky-nang', 'Có kỹ năng không hợp lệ. Hãy tải lại trang.');
    const o = outcomes[s];
    out[s as Skill] = o === 'tu-lam' ? 'tu-lam' : 'can-ho-tro';
  }
  if (!Object.keys(out).length) throw new VisitFieldError('ky-nang', 'Hãy chọn ít nhất một kỹ năng đã hướng dẫn.');
  if (material && !getCatalog().bySlug.has(material)) throw new VisitFieldError('tai-lieu', 'Bài học đã dùng không có trong danh mục.');
  return { outcomes: out, tasks: [...new Set(tasks)], material };
}

/**
 * Records a visit by a member of the household's team. Returns the visit id (the earlier one when
 * the client key was already used by this member).
 *
 * Kept to a few statements, since every member records visits all day: the membership, the household
 * (only the member's own team's) and an earlier use of the client key in one read; then, in the
 * transaction, the visit inserted with its household locked, the household's raw facts, and one
 * statement for its state, the counters and the audit entry.
 */
export async function recordVisit(db: Kysely<Database>, v: Viewer, input: VisitInput): Promise<string> {
  const householdId = !input.householdId ? null : isUuid(input.householdId) ? input.householdId.toLowerCase() : undefined;
  const ctx = await repo.visitContext(db, v.id, householdId ?? null, input.clientKey && isUuid(input.clientKey) ? input.clientKey : null);
  if (!ctx || !ctx.active) throw new TeamsError(403, NOT_A_HELPER);
  checkDate(input.date);
  if (input.clientKey && ctx.earlier_id) {
    if (ctx.earlier_member_id === v.id) return ctx.earlier_id;
    throw new TeamsError(409, 'Mã gửi này đã được dùng. Hãy tải lại trang rồi gửi lại.');
  }
  if (input.householdId) {
    // Another team's household, or none: the same answer, never revealing which.
    if (!ctx.household_id) throw new VisitFieldError('ho', NOT_FOUND_HOUSEHOLD);
    // The family asked for its data to be deleted: nothing more is written under its name.
    if (ctx.household_removal_requested) throw new VisitFieldError('ho', REMOVAL_REQUESTED);
    if (!input.person) throw new VisitFieldError('nguoi', 'Hãy ghi người được hỗ trợ (ví dụ “bà Tư” hoặc “anh Nam”).');
  }
  const hid = ctx.household_id;
  const work = normaliseWork(Object.keys(input.outcomes), input.outcomes, input.tasks, input.material);
  return db.transaction().execute(async (trx) => {
    await closeMonthIn(trx);
    const { id, household } = await repo.insertVisitLocking(trx, {
      teamId: ctx.team_id,
      householdId: hid,
      memberId: v.id,
      date: input.date,
      person: hid ? input.person : null,
      outcomes: work.outcomes as Record<string, VisitOutcome>,
      tasks: work.tasks,
      material: work.material,
      clientKey: input.clientKey,
    });
    if (!id) {
      // The same key arrived at the same moment: that one is stored.
      const earlier = await repo.visitIdByClientKey(trx, input.clientKey!);
      if (earlier?.member_id === v.id) return earlier.id;
      throw new TeamsError(409, 'Mã gửi này đã được dùng. Hãy tải lại trang rồi gửi lại.');
    }
    let change: Pick<repo.VisitEffects, 'household' | 'diff'> = { household: null, diff: null };
    if (household) {
      // The household agrees on this visit when it had not been asked: recorded in the same write, and
      // counted now (the counters held it as not consented).
      const consentNow = household.consent !== 'given';
      const r = await recomputeHousehold(trx, { ...household, consent: 'given' }, household.consent === 'given');
      const state = r.state ?? (consentNow ? { covered_mask: household.covered_mask, verified_mask: household.verified_mask, meets_target: household.meets_target, linked: household.linked } : null);
      change = { household: state ? { id: household.id, state, consentBy: consentNow ? v.id : null, consentAt: new Date() } : null, diff: r.diff };
    }
    await repo.writeVisitEffects(trx, {
      teamId: ctx.team_id,
      month: monthOfDate(input.date),
      memberId: v.id,
      anonymous: !hid,
      ...change,
      audit: { actorId: v.id, unitId: ctx.unit_id, action: 'visit.create', detail: { visit: id, household: hid, anonymous: !hid } },
    });
    return id;
  });
}

/** A visit its viewer may see: its team's members, officials over the team; and whether they may edit it. */
export async function visitDetail(db: Kysely<Database>, v: Viewer, id: string | undefined, now = new Date()) {
  if (!isUuid(id)) throw new TeamsError(404, NOT_FOUND_VISIT);
  const visit = await repo.findVisit(db, id.toLowerCase());
  if (!visit) throw new TeamsError(404, NOT_FOUND_VISIT);
  const m = await teamsRepo.findMembership(db, v.id);
  const ownTeam = Boolean(m && m.active && m.team_id === visit.team_id);
  if (!ownTeam) {
    const team = await teamsRepo.findTeam(db, visit.team_id);
    const ok = team ? await requireTeamAccess(db, v, team.id).then((t) => t.manage).catch(() => false) : false;
    if (!ok) throw new TeamsError(404, NOT_FOUND_VISIT);
  }
  const found = visit.household_id ? await repo.findHousehold(db, visit.household_id) : undefined;
  // The household has moved to another team since: the visit stays the old team's work, but the
  // household is now the new team's. The visit is read-only, and the household is shown only to
  // someone who may see it where it is now (its team's members, the officials over that team).
  const moved = Boolean(found && found.team_id !== visit.team_id);
  const hidden = Boolean(found && moved && !(await requireHouseholdAccess(db, v, found.id).then(() => true, () => false)));
  const editable = visit.member_id === v.id && !moved && now.getTime() - visit.created_at.getTime() < EDIT_DAYS * 24 * 3600 * 1000;
  return {
    visit: hidden ? { ...visit, person: null } : visit,
    household: hidden ? undefined : found,
    moved,
    editable,
    author: visit.member_id === v.id,
    member: ownTeam,
  };
}

/** Corrects a visit (its author, within 7 days). The household and consent stay as recorded. */
export async function editVisit(db: Kysely<Database>, v: Viewer, id: string | undefined, input: Omit<VisitInput, 'householdId' | 'clientKey'>, now = new Date()): Promise<void> {
  const d = await visitDetail(db, v, id, now);
  if (!d.author) throw new TeamsError(403, 'Chỉ người đã ghi lượt hỗ trợ này mới sửa được.');
  if (d.moved) throw new TeamsError(403, MOVED);
  if (!d.editable) throw new TeamsError(403, `Lượt hỗ trợ chỉ sửa được trong ${EDIT_DAYS} ngày sau khi ghi; lượt này giờ chỉ xem được.`);
  checkDate(input.date, now);
  if (d.visit.household_id && !input.person) throw new VisitFieldError('nguoi', 'Hãy ghi người được hỗ trợ (ví dụ “bà Tư” hoặc “anh Nam”).');
  const work = normaliseWork(Object.keys(input.outcomes), input.outcomes, input.tasks, input.material);
  await db.transaction().execute(async (trx) => {
    // Read again under the row's lock: a correction posted twice at once must count its month move once.
    const old = await repo.lockVisit(trx, d.visit.id);
    if (!old) throw new TeamsError(404, NOT_FOUND_VISIT);
    await repo.updateVisit(trx, old.id, { date: input.date, person: old.household_id ? input.person : null, outcomes: work.outcomes as Record<string, VisitOutcome>, tasks: work.tasks, material: work.material });
    if (old.visit_date.slice(0, 7) !== input.date.slice(0, 7)) {
      await countVisit(trx, { teamId: old.team_id, date: old.visit_date, memberId: old.member_id, anonymous: !old.household_id }, -1);
      await countVisit(trx, { teamId: old.team_id, date: input.date, memberId: old.member_id, anonymous: !old.household_id }, 1);
    }
    // A citizen linked through this visit is its person: a corrected name keeps them that person.
    if (old.household_id && input.person && old.person && personKey(input.person) !== personKey(old.person)) await repo.setLinkPersonOfVisit(trx, old.id, personKey(input.person));
    if (old.household_id) await recountHousehold(trx, old.household_id);
    const team = await teamsRepo.findTeam(trx, old.team_id);
    await audit(trx, v, team?.unit_id ?? null, 'visit.update', {
      visit: old.id,
      from: { date: old.visit_date, person: old.person, outcomes: old.outcomes, tasks: old.tasks, material: old.material },
      to: { date: input.date, person: old.household_id ? input.person : null, outcomes: work.outcomes, tasks: work.tasks, material: work.material },
    });
  });
}

/** The member's own latest visits. */
export async function myRecentVisits(db: Kysely<Database>, v: Viewer) {
  await requireHelper(db, v);
  return repo.recentVisitsOfMember(db, v.id);
}
