import { sql, type Kysely } from 'kysely';

// Frozen in time: uses Kysely<any> and never imports application code.
// One row per requested recount of a unit's subtree: what officials see ("đang cập nhật", progress,
// when figures were last complete). The queue itself is pg-boss's (schema `pgboss`, installed and
// upgraded by pg-boss, see src/server/jobs/boss.ts); its job carries this row's id.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('recount_job')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('admin_unit.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('queued'))
    // Chunks (communes, and the units above communes themselves) to recount, and those done.
    .addColumn('total', 'integer')
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    // The last chunk recounted (chunks go in unit id order), so a retried job resumes after it.
    .addColumn('cursor', 'integer')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addCheckConstraint('recount_job_state_check', sql`state in ('queued', 'running', 'done', 'failed')`)
    .execute();
  // At most one job per unit waits to start: later requests join it (it has not read anything yet).
  await sql`create unique index recount_job_queued_unit_idx on recount_job (unit_id) where state = 'queued'`.execute(db);
  await sql`create index recount_job_pending_idx on recount_job (state) where state in ('queued', 'running')`.execute(db);
  await db.schema.createIndex('recount_job_unit_finished_idx').on('recount_job').columns(['unit_id', 'finished_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('recount_job').execute();
}
