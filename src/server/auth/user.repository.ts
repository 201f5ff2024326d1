import type { Kysely } from 'kysely';
import type { Database, NewUser, UserRow } from '../db/schema.ts';

export function findUserByPhone(db: Kysely<Database>, phone: string): Promise<UserRow | undefined> {
  return db.selectFrom('user').selectAll().where('phone', '=', phone).executeTakeFirst();
}

export function findUserById(db: Kysely<Database>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('user').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts a user unless the phone is taken; returns undefined when it is. */
export async function insertUser(db: Kysely<Database>, user: NewUser): Promise<UserRow | undefined> {
  return db
    .insertInto('user')
    .values(user)
    .onConflict((oc) => oc.column('phone').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function updateDisplayName(db: Kysely<Database>, id: string, name: string): Promise<void> {
  await db.updateTable('user').set({ display_name: name }).where('id', '=', id).execute();
}

export async function updateRole(db: Kysely<Database>, id: string, role: UserRow['role']): Promise<void> {
  await db.updateTable('user').set({ role }).where('id', '=', id).execute();
}
