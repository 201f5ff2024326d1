/** Invitations to join a team, for numbers that already have an account of their own. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, InvitationStatus } from '../db/schema.ts';
import { pathUpper } from './counters.repository.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Opens an invitation; an earlier open one of the same person is cancelled (one open invitation each). */
export async function insertInvitation(
  db: Db,
  i: { userId: string; teamId: number; role: 'member' | 'leader'; nameInFile: string; invitedBy: string | null; importId: string | null; now: Date },
): Promise<string> {
  await db.updateTable('team_invitation').set({ status: 'cancelled', responded_at: i.now }).where('user_id', '=', i.userId).where('status', '=', 'pending').execute();
  const r = await db
    .insertInto('team_invitation')
    .values({ user_id: i.userId, team_id: i.teamId, role: i.role, name_in_file: i.nameInFile, invited_by: i.invitedBy, import_id: i.importId, created_at: i.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** The latest invitation of a person to a team, if any. */
export function latestInvitation(db: Db, userId: string, teamId: number) {
  return db
    .selectFrom('team_invitation')
    .select(['id', 'status'])
    .where('user_id', '=', userId)
    .where('team_id', '=', teamId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

const invitationView = (db: Db) =>
  db
    .selectFrom('team_invitation as i')
    .innerJoin('team as t', 't.id', 'i.team_id')
    .innerJoin('admin_unit as au', 'au.id', 't.unit_id')
    .leftJoin('user as by', 'by.id', 'i.invited_by')
    .select(['i.id', 'i.user_id', 'i.team_id', 'i.role', 'i.status', 'i.created_at', 't.name as team_name', 't.unit_id', 'au.name as unit_name', 'au.path as unit_path', 'by.display_name as invited_by_name']);

/** A person's open invitation. */
export function pendingInvitationOf(db: Db, userId: string) {
  return invitationView(db).where('i.user_id', '=', userId).where('i.status', '=', 'pending').executeTakeFirst();
}

/** An invitation, locked for answering. */
export function lockInvitation(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('team_invitation').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function setInvitationStatus(db: Db, id: string, status: InvitationStatus, now: Date): Promise<void> {
  await db.updateTable('team_invitation').set({ status, responded_at: now }).where('id', '=', id).execute();
}

/** Whether a person has an open invitation (one indexed probe). */
export async function hasPending(db: Db, userId: string): Promise<boolean> {
  const r = await db.selectFrom('team_invitation').select('id').where('user_id', '=', userId).where('status', '=', 'pending').executeTakeFirst();
  return Boolean(r);
}

/**
 * Open and declined invitations of the teams under a unit (the latest per person and team), with the
 * name typed in the roster file and the number, never the account's own name.
 */
export async function invitationsUnder(db: Db, path: string, limit: number) {
  const r = await sql<{ id: string; status: InvitationStatus; name_in_file: string; phone: string; team_id: number; team_name: string; unit_name: string; created_at: Date; responded_at: Date | null }>`
    select i.id, i.status, i.name_in_file, u.phone, t.id as team_id, t.name as team_name, au.name as unit_name, i.created_at, i.responded_at
    from admin_unit au
    join team t on t.unit_id = au.id
    join team_invitation i on i.team_id = t.id
    join "user" u on u.id = i.user_id
    where au.path >= ${path} and au.path < ${pathUpper(path)} and i.status in ('pending', 'declined')
      and not exists (select 1 from team_invitation n where n.user_id = i.user_id and n.team_id = i.team_id and n.created_at > i.created_at)
    order by i.status desc, au.path, i.name_in_file
    limit ${limit}`.execute(db);
  return r.rows;
}

/** The same for one team. */
export async function invitationsOfTeam(db: Db, teamId: number) {
  const r = await sql<{ id: string; status: InvitationStatus; name_in_file: string; phone: string; created_at: Date; responded_at: Date | null }>`
    select i.id, i.status, i.name_in_file, u.phone, i.created_at, i.responded_at
    from team_invitation i join "user" u on u.id = i.user_id
    where i.team_id = ${teamId} and i.status in ('pending', 'declined')
      and not exists (select 1 from team_invitation n where n.user_id = i.user_id and n.team_id = i.team_id and n.created_at > i.created_at)
    order by i.status desc, i.name_in_file`.execute(db);
  return r.rows;
}

/** Open invitations made by one import (for its invitation slips). */
export function pendingInvitationsOfImport(db: Db, importId: string) {
  return db
    .selectFrom('team_invitation as i')
    .innerJoin('team as t', 't.id', 'i.team_id')
    .select(['i.name_in_file', 't.name as team_name'])
    .where('i.import_id', '=', importId)
    .where('i.status', '=', 'pending')
    .orderBy('i.name_in_file')
    .execute();
}
