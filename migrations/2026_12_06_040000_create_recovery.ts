import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// Account recovery without SMS: personal recovery codes, confirmation requests a helper starts and the
// owner confirms on their own phone, in-person resets at the commune (a waiting period before the
// code works, cancellable by the owner), and the security events shown to the owner.
export async function up(db: Kysely<any>): Promise<void> {
  // In-person resets are access codes too: they carry the moment they start to work and the unit
  // (commune) where the person's ID card was checked.
  await sql`alter table access_code drop constraint access_code_kind_check`.execute(db);
  await sql`alter table access_code add constraint access_code_kind_check check (kind in ('activation', 'recovery', 'in_person'))`.execute(db);
  await db.schema
    .alterTable('access_code')
    .addColumn('not_before', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('unit_id', 'integer', (c) => c.references('admin_unit.id'))
    .execute();

  // One personal recovery code per person, hashed with argon2id (it lives long, unlike slip codes).
  await db.schema
    .createTable('personal_recovery_code')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('user.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // A helper asks; the owner confirms on their own signed-in phone. `user_id` is null when the number
  // has no account the helper may ask for: such a request looks the same and is never confirmed.
  await db.schema
    .createTable('recovery_request')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('helper_id', 'uuid', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.references('user.id').onDelete('cascade'))
    .addColumn('match_code', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('declined_at', 'timestamptz')
    .addColumn('code_issued_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('recovery_request_user_idx').on('recovery_request').columns(['user_id', 'expires_at']).execute();

  await db.schema
    .createTable('security_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'uuid', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('unit_id', 'integer', (c) => c.references('admin_unit.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('seen_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('security_event_user_idx').on('security_event').columns(['user_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('security_event').ifExists().execute();
  await db.schema.dropTable('recovery_request').ifExists().execute();
  await db.schema.dropTable('personal_recovery_code').ifExists().execute();
  await sql`delete from access_code where kind = 'in_person'`.execute(db);
  await db.schema.alterTable('access_code').dropColumn('unit_id').dropColumn('cancelled_at').dropColumn('not_before').execute();
  await sql`alter table access_code drop constraint access_code_kind_check`.execute(db);
  await sql`alter table access_code add constraint access_code_kind_check check (kind in ('activation', 'recovery'))`.execute(db);
}
