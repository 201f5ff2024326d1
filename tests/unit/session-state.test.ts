/**
 * PgBouncer in transaction pooling mode hands each transaction (or each statement outside one) to
 * whichever server connection is free, so nothing may rely on state that outlives a transaction on
 * one connection. This scan keeps such constructs out of src/ and migrations/:
 * session advisory locks (only the `_xact_` forms are allowed), SET / set_config without LOCAL,
 * LISTEN, PREPARE and named prepared statements, temporary tables not dropped at commit,
 * cursors WITH HOLD, currval/lastval, and a client checked out of the pool by hand.
 * tests/pgbouncer-run.ts runs a subset of the integration suite through a real PgBouncer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const RULES: { name: string; re: RegExp; allowed?: (match: string) => boolean }[] = [
  { name: 'session-level advisory lock (use pg_advisory_xact_lock)', re: /\bpg_(try_)?advisory_(lock|lock_shared|unlock|unlock_shared|unlock_all)\s*\(/gi },
  // A statement starting with SET (not SET LOCAL / SET TRANSACTION / SET CONSTRAINTS): after a quote,
  // backtick, semicolon or at a line start. UPDATE … SET is not at a statement start.
  { name: 'SET outside a transaction (use SET LOCAL inside one)', re: /(?:^|[`'";(]|\bsql\.raw\(\s*[`'"])\s*set\s+(?!local\b|transaction\b|constraints\b)(?:session\s+)?[a-z_][\w.]*\s*(?:=|\bto\b)/gim },
  { name: 'set_config(…, false) is session-level (pass true)', re: /\bset_config\s*\([^)]*,\s*false\s*\)/gi },
  { name: 'LISTEN needs one session', re: /(?:^|[`'";])\s*(?:un)?listen\s+["\w*]/gim },
  { name: 'PREPARE / named prepared statement', re: /(?:^|[`'";])\s*(?:prepare|execute|deallocate)\s+\w+\s*(?:\(|as\b|;|$|[`'"])|\bname\s*:\s*['"`][^'"`]*['"`]\s*,\s*text\s*:/gim },
  {
    name: 'temporary table that outlives its transaction (add ON COMMIT DROP)',
    re: /\bcreate\s+(?:local\s+|global\s+)?temp(?:orary)?\s+table\b[^`;]*/gi,
    allowed: (m) => /\bon\s+commit\s+drop\b/i.test(m),
  },
  { name: 'cursor WITH HOLD outlives its transaction', re: /\bdeclare\s+\w+[^;`]*\bwith\s+hold\b/gi },
  { name: 'currval/lastval read the session', re: /\b(?:currval|lastval)\s*\(/gi },
  { name: 'a pool client held across statements (pool.connect)', re: /\bpool\s*\.\s*connect\s*\(/gi },
];

/** Every session-level construct in `text`, as "rule: excerpt". */
export function sessionState(text: string): string[] {
  const found: string[] = [];
  for (const rule of RULES) {
    for (const m of text.matchAll(rule.re)) {
      if (rule.allowed?.(m[0])) continue;
      found.push(`${rule.name}: ${m[0].trim().slice(0, 80)}`);
    }
  }
  return found;
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.(ts|astro|mjs|js|sql)$/.test(e.name) ? [p] : [];
  });
}

describe('no session-level state (PgBouncer transaction pooling)', () => {
  it('src/ and migrations/ use none', () => {
    const bad = [...files('src'), ...files('migrations')].flatMap((f) => sessionState(fs.readFileSync(f, 'utf8')).map((s) => `${f}: ${s}`));
    expect(bad).toEqual([]);
  });

  it('the scan finds each construct (planted examples)', () => {
    const planted = [
      'await sql`select pg_advisory_lock(${key})`.execute(db);',
      'await sql`select pg_try_advisory_lock_shared(1)`.execute(db);',
      "await sql`set statement_timeout = '5s'`.execute(db);",
      'await sql.raw("SET search_path TO app").execute(db);',
      "await sql`set session work_mem to '64MB'`.execute(db);",
      "await sql`select set_config('app.user', ${id}, false)`.execute(db);",
      'await client.query(`LISTEN "jobs"`);',
      'await sql`prepare find_user as select 1`.execute(db);',
      "pool.query({ name: 'find-user', text: 'select 1' });",
      'await sql`create temp table if not exists seed (id int)`.execute(db);',
      'await sql`create temporary table seed (id int) on commit preserve rows`.execute(db);',
      'await sql`declare c cursor with hold for select 1`.execute(db);',
      "await sql`select currval('user_id_seq')`.execute(db);",
      'const client = await pool.connect();',
    ];
    for (const p of planted) expect(sessionState(p), p).toHaveLength(1);
  });

  it('transaction-level forms pass', () => {
    const fine = [
      'await sql`select pg_advisory_xact_lock(${key})`.execute(trx);',
      'await sql`select pg_advisory_xact_lock_shared(${key})`.execute(trx);',
      "await sql`set local lock_timeout = '30s'`.execute(trx);",
      "await sql`select set_config('app.user', ${id}, true)`.execute(trx);",
      'await sql`update unit_member_counter set all_done = all_done + 1 where unit_id = 1`.execute(trx);',
      "await sql`\n    update \"user\" u set password_hash = ${h}\n    from team_member m`.execute(db);",
      'await sql`create temp table if not exists tmp_m (user_id uuid) on commit drop`.execute(trx);',
      "await sql`select pg_notify('jobs', 'x')`.execute(trx);",
      'set transaction isolation level serializable',
      '// the server listens on a port: server.listen(port)',
    ];
    for (const f of fine) expect(sessionState(f), f).toEqual([]);
  });
});
