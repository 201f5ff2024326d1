/**
 * Household import: upload a list (CSV/XLSX) → preview (each row's problems named by its line, and
 * which households are already on the list) → commit in one transaction, all or nothing. Imported
 * households are "chưa hỏi ý kiến" (consent not asked) until a member records consent at the
 * doorstep. The team's active members import into their own team; officials import into any team in
 * their scope (the team is named in the URL). Importing the same file again adds nothing.
 */
import type { Kysely } from 'kysely';
import { isUuid } from '../../lib/ids.ts';
import type { Database } from '../db/schema.ts';
import { TeamsError, type Viewer } from '../teams/access.ts';
import { audit } from '../teams/audit.ts';
import * as teamsRepo from '../teams/teams.repository.ts';
import { requireHelper, requireHouseholdTeam } from './access.ts';
import { contribution } from './coverage.ts';
import * as repo from './household-import.repository.ts';
import { addTeamCounter, lockTeamList } from './households.repository.ts';
import { closeMonthIn } from './snapshots.ts';
import { fold, readHouseholdFile, type HouseholdFileRow } from './import-file.ts';

export const NOT_FOUND_IMPORT = 'Không tìm thấy lần nhập danh sách hộ này, hoặc nó nằm ngoài phạm vi của bạn.';

export type ImportAction = 'create' | 'exists' | 'error';
export interface PlannedHousehold extends HouseholdFileRow {
  action: ImportAction;
}
export interface HouseholdImportPlan {
  rows: PlannedHousehold[];
  counts: Record<ImportAction, number>;
}

/** What committing would do: rows with errors, rows already on the team's list, new households. */
export function planHouseholds(existingLabels: string[], rows: HouseholdFileRow[]): HouseholdImportPlan {
  const existing = new Set(existingLabels.map(fold));
  const counts: Record<ImportAction, number> = { create: 0, exists: 0, error: 0 };
  const planned = rows.map((r) => {
    const action: ImportAction = r.errors.length ? 'error' : existing.has(fold(r.label)) ? 'exists' : 'create';
    counts[action]++;
    return { ...r, action };
  });
  return { rows: planned, counts };
}

/** The team an upload goes to: the viewer's own (teamId undefined) or one they manage or belong to. */
async function targetTeam(db: Kysely<Database>, v: Viewer, teamId: string | number | undefined) {
  if (teamId === undefined) {
    const m = await requireHelper(db, v);
    return (await teamsRepo.findTeam(db, m.team_id))!;
  }
  return requireHouseholdTeam(db, v, teamId);
}

/** A preview nobody committed is deleted (with its rows) at the team's next upload after this many days. */
export const PREVIEW_KEEP_DAYS = 7;

/** Reads an uploaded list, stores its rows for the preview and returns the import id. */
export async function uploadHouseholds(db: Kysely<Database>, v: Viewer, teamId: string | number | undefined, file: { bytes: Uint8Array; name: string }): Promise<string> {
  const team = await targetTeam(db, v, teamId);
  const rows = await readHouseholdFile(file.bytes, file.name);
  const name = file.name.slice(0, 200);
  return db.transaction().execute(async (trx) => {
    await repo.deleteStalePreviews(trx, team.id, PREVIEW_KEEP_DAYS);
    const id = await repo.insertImport(trx, { teamId: team.id, by: v.id, fileName: name, rows });
    await audit(trx, v, team.unit_id, 'household.import.upload', { import: id, team: team.id, file: name, rows: rows.length });
    return id;
  });
}

async function requireImport(db: Kysely<Database>, v: Viewer, importId: string | undefined) {
  if (!isUuid(importId)) throw new TeamsError(404, NOT_FOUND_IMPORT);
  const imp = await repo.findImport(db, importId.toLowerCase());
  if (!imp) throw new TeamsError(404, NOT_FOUND_IMPORT);
  const team = await requireHouseholdTeam(db, v, imp.team_id).catch(() => {
    throw new TeamsError(404, NOT_FOUND_IMPORT);
  });
  return { imp, team };
}

/** The preview of a stored import, planned against the team's current list. */
export async function householdImportPreview(db: Kysely<Database>, v: Viewer, importId: string | undefined) {
  const { imp, team } = await requireImport(db, v, importId);
  const plan = planHouseholds(await repo.labelsOfTeam(db, team.id), imp.rows as HouseholdFileRow[]);
  return {
    imp: { id: imp.id, fileName: imp.file_name, status: imp.status, summary: imp.summary as { created: number; exists: number } | null },
    team: { id: team.id, name: team.name, unitName: team.unit_name, manage: team.manage, member: 'member' in team ? Boolean(team.member) : false },
    plan,
  };
}

/** Adds the new households of an import in one transaction, with their team's counters. */
export async function commitHouseholds(db: Kysely<Database>, v: Viewer, importId: string | undefined): Promise<{ created: number; exists: number }> {
  const { team } = await requireImport(db, v, importId);
  return db.transaction().execute(async (trx) => {
    const imp = await repo.lockImport(trx, importId!.toLowerCase());
    if (!imp || imp.status !== 'preview') throw new TeamsError(409, 'Danh sách hộ này đã được nhập rồi. Hãy tải tệp lên lại nếu muốn nhập lần nữa.');
    // Planned under the team's list lock: an add or rename at the same moment cannot slip in a label.
    await lockTeamList(trx, team.id);
    const plan = planHouseholds(await repo.labelsOfTeam(trx, team.id), imp.rows as HouseholdFileRow[]);
    if (plan.counts.error) throw new TeamsError(400, `Còn ${plan.counts.error} dòng có lỗi. Hãy sửa trong tệp rồi tải lên lại; chưa có gì được lưu.`);
    await closeMonthIn(trx);
    const fresh = plan.rows.filter((r) => r.action === 'create');
    const created = await repo.insertImported(trx, team.id, v.id, fresh);
    if (created) {
      const one = contribution({ consented: false, coveredMask: 0, meetsTarget: false, linked: 0 });
      await addTeamCounter(trx, team.id, { ...one, households: created });
    }
    const summary = { created, exists: plan.counts.exists };
    await repo.markCommitted(trx, imp.id, summary);
    await audit(trx, v, team.unit_id, 'household.import.commit', { import: imp.id, team: team.id, ...summary });
    return summary;
  });
}
