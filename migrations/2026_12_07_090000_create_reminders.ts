/**
 * Reminders an official or a team leader sends to the overdue members of a unit or team. One per unit
 * or team per Vietnam day (the unique key is the rate limit); each recipient sees it in the site until
 * they dismiss it. Every foreign key is led by an index.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reminder')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('admin_unit.id'))
    .addColumn('team_id', 'integer', (c) => c.references('team.id'))
    .addColumn('sender_id', 'uuid', (c) => c.references('user.id').onDelete('set null'))
    // 'unit:<id>' or 'team:<id>': one reminder per scope and Vietnam day.
    .addColumn('scope_key', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('recipients', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('reminder_scope_day_key', ['scope_key', 'day'])
    .execute();
  await db.schema.createIndex('reminder_unit_idx').on('reminder').column('unit_id').execute();
  await db.schema.createIndex('reminder_team_idx').on('reminder').column('team_id').execute();
  await db.schema.createIndex('reminder_sender_idx').on('reminder').column('sender_id').execute();
  await db.schema
    .createTable('reminder_recipient')
    .addColumn('reminder_id', 'uuid', (c) => c.notNull().references('reminder.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('dismissed_at', 'timestamptz')
    .addPrimaryKeyConstraint('reminder_recipient_pk', ['reminder_id', 'user_id'])
    .execute();
  await db.schema.createIndex('reminder_recipient_user_idx').on('reminder_recipient').columns(['user_id', 'dismissed_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reminder_recipient').ifExists().execute();
  await db.schema.dropTable('reminder').ifExists().execute();
}
