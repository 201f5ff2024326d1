import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// Accounts people own: a session list (device summary, last seen) and deleting an account.
//  - session: `device` (a short summary such as "Chrome trên Android", never the raw user agent and no
//    IP address) and `last_seen_at`; the absolute lifetime is counted from the existing `created_at`.
//  - certificate.user_id becomes nullable with ON DELETE SET NULL: a certificate outlives the account
//    of its holder, keeping its frozen name, so printed codes stay verifiable.
//  - rows that only describe the person (team membership, official scopes, access codes) go with the
//    account; references to them as the actor of something (granted by, issued by, created by,
//    audit-log actor, roster importer) become NULL, so the record stays without the person.

/** Foreign keys to "user"(id) changed here: table, column, new ON DELETE action, whether NOT NULL is dropped. */
const KEYS: [string, string, 'cascade' | 'set null', boolean][] = [
  ['certificate', 'user_id', 'set null', true],
  ['team_member', 'user_id', 'cascade', false],
  ['official_scope', 'user_id', 'cascade', false],
  ['official_scope', 'granted_by', 'set null', false],
  ['course_assignment', 'created_by', 'set null', false],
  ['access_code', 'user_id', 'cascade', false],
  ['access_code', 'issued_by', 'set null', false],
  ['roster_import', 'official_id', 'set null', true],
  ['audit_log', 'actor_id', 'set null', false],
];

async function replaceKey(db: Kysely<any>, table: string, column: string, onDelete: string): Promise<void> {
  const name = `${table}_${column}_fkey`;
  await sql`alter table ${sql.table(table)} drop constraint if exists ${sql.ref(name)}`.execute(db);
  await sql`alter table ${sql.table(table)} add constraint ${sql.ref(name)} foreign key (${sql.ref(column)}) references "user" (id) on delete ${sql.raw(onDelete)}`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('session').addColumn('device', 'text').execute();
  await db.schema.alterTable('session').addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`)).execute();
  await sql`update session set last_seen_at = created_at`.execute(db);

  for (const [table, column, onDelete, nullable] of KEYS) {
    if (nullable) await db.schema.alterTable(table).alterColumn(column, (c) => c.dropNotNull()).execute();
    await replaceKey(db, table, column, onDelete);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  // Certificates of deleted accounts cannot point to anyone again; they are kept out of the way of
  // NOT NULL by removing them (down migrations are for development databases only).
  await sql`delete from certificate where user_id is null`.execute(db);
  await sql`delete from roster_import where official_id is null`.execute(db);
  for (const [table, column, , nullable] of KEYS) {
    const original = table === 'certificate' ? 'cascade' : 'no action';
    await replaceKey(db, table, column, original);
    if (nullable) await db.schema.alterTable(table).alterColumn(column, (c) => c.setNotNull()).execute();
  }
  await db.schema.alterTable('session').dropColumn('last_seen_at').execute();
  await db.schema.alterTable('session').dropColumn('device').execute();
}
