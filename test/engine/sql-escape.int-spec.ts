import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { loadEngineConfig } from '../../apps/engine/src/config/engine.config';
import { CheckDatasources, derivedAuditDatasourceUrl } from '../../apps/engine/src/database/check-datasources.service';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { api, createTokens, sql, startEngine, waitFor, type RunningEngine } from './support/engine-harness';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

/**
 * The SQL-escape suite (issue 11, "Tests that must exist"): payloads an
 * `actions.write` token holder can submit as a `sql_assertion` query or a
 * workbook `sql` step, each tried through three paths against the real
 * engine and PostgreSQL:
 *
 * 1. the HTTP API: `POST /v1/actions` (sql_assertion) and, when accepted, a
 *    run (`POST /v1/actions/:id/run`);
 * 2. the HTTP API: `POST /v1/workbooks/dry-run` with the payload as an sql step;
 * 3. the sandbox itself (CheckDatasources, the engine's `audit` datasource),
 *    bypassing the API's courtesy text checks: the guard must hold without them.
 *
 * A payload "escapes" when, after it, any of these is seen: a table's digest
 * changed (besides the rows the suite's own legitimate executions add, which
 * are excluded by id), the catalog changed (tables, functions, roles, grants,
 * extensions), an advisory lock is held, a marker file exists (COPY … TO
 * PROGRAM / TO file), a canary of a private table (token hashes, event
 * values, ledger hashes, config changes) appears in a response or a stored
 * run, or a session setting leaks into the next check.
 */
/** The advisory-lock key that serialised ledger writers before the head row lock replaced it (ASCII "audt"). */
const LEDGER_LOCK_KEY = 0x6175_6474;

describe('SQL checks cannot escape their sandbox', () => {
  let db: TestDatabase;
  let engine: RunningEngine;
  let tokens: Record<string, string>;
  let admin: Client;
  let direct: CheckDatasources;
  let projectId: string;
  const ours = { actions: new Set<string>(), runs: new Set<string>() };
  const marker = join(tmpdir(), `sql-escape-${randomBytes(6).toString('hex')}`);
  const canaries: string[] = [];

  /** Rows of the suite's own legitimate executions, excluded from the digest by id. */
  const excluded: Record<string, (row: Json) => boolean> = {
    'audit.actions': (r) => ours.actions.has(r.id),
    'audit.runs': (r) => ours.runs.has(r.id),
    'audit.check_results': (r) => ours.runs.has(r.run_id),
    'audit.config_changes': (r) => ours.actions.has(r.subject_id),
    // Leaves of our runs and of our actions' config changes; the head and the subtree cache follow the leaves.
    'audit.ledger': (r) => ours.runs.has(r.ref) || ledgerRefs.has(r.ref),
    'audit.ledger_head': () => true,
    'audit.ledger_subtrees': () => true,
    // Our tokens' last_used_at moves with every API call: compare the rest of the row.
    'audit.api_tokens': () => false,
  };
  const ledgerRefs = new Set<string>();

  /** md5 of every row of every table in schemas audit and public (partitions via their parent), minus `excluded`. */
  async function tableDigest(): Promise<Record<string, string>> {
    const { rows: tables } = await admin.query<{ name: string; quoted: string }>(
      `SELECT n.nspname || '.' || c.relname AS name, format('%I.%I', n.nspname, c.relname) AS quoted
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('audit', 'public') AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
    );
    // Config-change leaves of our actions: their ids are in audit.config_changes.
    const changes = await admin.query<{ id: string; subject_id: string }>('SELECT id::text, subject_id FROM audit.config_changes');
    for (const c of changes.rows) if (ours.actions.has(c.subject_id)) ledgerRefs.add(c.id);
    const out: Record<string, string> = {};
    for (const t of tables) {
      // `quoted` is a catalog name quoted by format('%I'), not input.
      const { rows } = await admin.query<{ j: Json }>(`SELECT to_jsonb(t) AS j FROM ${t.quoted} t`);
      const skip = excluded[t.name];
      const kept = rows
        .map((r) => r.j)
        .filter((j) => !(skip?.(j) ?? false))
        .map((j) => (t.name === 'audit.api_tokens' ? JSON.stringify({ ...j, last_used_at: null }) : JSON.stringify(j)))
        .sort();
      out[t.name] = createHash('md5').update(kept.join('\n')).digest('hex');
    }
    return out;
  }

  /** Tables, views, functions, grants, roles and extensions: a payload must create, alter or grant nothing. */
  async function catalogDigest(): Promise<string> {
    const { rows } = await admin.query<{ d: string }>(
      `SELECT md5(concat_ws('|',
         (SELECT string_agg(x, ',' ORDER BY x) FROM (
            SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text || ':' || coalesce(c.relacl::text, '') AS x
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%') s),
         (SELECT string_agg(x, ',' ORDER BY x) FROM (
            SELECT p.oid::regprocedure::text || ':' || coalesce(p.proacl::text, '') AS x FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')) s),
         (SELECT string_agg(x, ',' ORDER BY x) FROM (
            SELECT nspname || ':' || coalesce(nspacl::text, '') AS x FROM pg_namespace WHERE nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast_temp%') s),
         (SELECT string_agg(x, ',' ORDER BY x) FROM (
            SELECT concat_ws(':', rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolbypassrls, rolpassword) AS x FROM pg_authid) s),
         (SELECT string_agg(x, ',' ORDER BY x) FROM (SELECT roleid::regrole::text || '>' || member::regrole::text AS x FROM pg_auth_members) s),
         (SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension),
         (SELECT coalesce(datacl::text, '') FROM pg_database WHERE datname = current_database())
       )) AS d`,
    );
    return rows[0]!.d;
  }

  /**
   * Advisory locks held in this database (pg_locks is cluster-wide). The engine's own run writes take
   * transaction-level ones for a moment, so a lock must still be there after a bounded wait to count.
   */
  async function advisoryLockHeld(): Promise<boolean> {
    const count = async (): Promise<number> =>
      (
        await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()`,
        )
      ).rows[0]!.n;
    return waitFor('no advisory lock', async () => ((await count()) === 0 ? false : undefined), 2_000, 50).catch(() => true);
  }

  /** A stored run of ours, by id, once it exists. */
  const storedRun = (runId: string): Promise<Json> =>
    waitFor(
      `run ${runId}`,
      async () => {
        const res = await api<Json>(engine.url, `/v1/runs/${runId}`, tokens.writer);
        return res.status === 200 ? res.body : undefined;
      },
      10_000,
    );

  const leaks = (value: unknown): string[] => {
    const text = JSON.stringify(value) ?? '';
    return canaries.filter((c) => text.includes(c));
  };

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    admin = await sql(db.url);
    engine = await startEngine(db.url);
    tokens = await createTokens(db.url, { writer: ['actions.read', 'actions.write'] });
    const project = await api<Json>(engine.url, '/v1/projects', tokens.writer, { method: 'POST', body: { name: `escape-${randomBytes(3).toString('hex')}` } });
    expect(project.status).toBe(201);
    projectId = project.body.id;
    // Private rows with values that must never come out of a check.
    const canary = `canary-${randomBytes(8).toString('hex')}`;
    await admin.query(
      `INSERT INTO audit.services (service_name, service_type, host, status, compliance_workbook) VALUES ('billing', 'vm', 'billing.internal', 'active', 'yes')`,
    );
    await admin.query(
      `INSERT INTO audit.tool_events (event_id, ts, req_id, workspace_id, user_id, agent_id, tool, action, status, duration_ms, in_size, out_size, input_hash)
       VALUES ($1, now(), $2, 'ws', 'u', 'a', 't', 'call', 'ok', 1, 1, 1, $2)`,
      [randomUUID(), `${canary}-tool`],
    );
    await admin.query(
      `INSERT INTO audit.lifecycle_events (event_id, ts, action, actor, product_id, user_id, engine_id, metadata, duration_ms)
       VALUES ($1, now(), 'start', 'u', 'p', 'u', 'e', $2, 1)`,
      [randomUUID(), JSON.stringify({ secret: `${canary}-life` })],
    );
    canaries.push(`${canary}-tool`, `${canary}-life`);
    for (const r of (await admin.query<{ h: string }>(`SELECT encode(token_hash, 'hex') AS h FROM audit.api_tokens`)).rows) canaries.push(r.h);
    for (const r of (await admin.query<{ h: string }>(`SELECT encode(leaf_hash, 'hex') AS h FROM audit.ledger`)).rows) canaries.push(r.h);
    for (const r of (await admin.query<{ id: string }>(`SELECT id::text FROM audit.config_changes`)).rows) canaries.push(r.id);
    expect(canaries.length).toBeGreaterThan(4);
    direct = new CheckDatasources(loadEngineConfig({ DATABASE_URL: db.url }));
  });

  afterAll(async () => {
    await direct?.close();
    await engine?.close();
    await admin?.end();
    await db?.drop();
    rmSync(marker, { force: true });
    rmSync(`${marker}-file`, { force: true });
  });

  const quoteBreak = (tail: string): string => `SELECT E'\\''; ${tail} --'`;
  const PAYLOADS: Array<[string, string]> = [
    // Quote tricks that defeated the old single-statement regex.
    ["E'…' string hides a second statement (INSERT)", quoteBreak(`INSERT INTO audit.services (service_name, service_type) VALUES ('pwned', 'x');`)],
    ['dollar quoting hides a DELETE', `SELECT $$';$$; DELETE FROM audit.services; --'`],
    ['a block comment hides a DROP', `SELECT 1 /* ' */; DROP TABLE audit.services; -- '`],
    ['a quoted identifier holding ; and a DROP', `SELECT 1 AS ";"; DROP TABLE audit.services`],
    ['a quoted identifier holding a quote', `SELECT 1 AS "';"; UPDATE audit.services SET status = 'retired'; SELECT '"'`],
    // Leaving the READ ONLY transaction.
    ['COMMIT then CREATE TABLE', quoteBreak('COMMIT; CREATE TABLE audit.pwned (x int);')],
    ['ROLLBACK then UPDATE', quoteBreak(`ROLLBACK; UPDATE audit.services SET status = 'retired';`)],
    [
      'COMMIT then mint an admin token',
      quoteBreak(`COMMIT; INSERT INTO audit.api_tokens (name, token_hash, principal, entitlements) VALUES ('evil', '\\x00', 'evil', '{tokens.admin}');`),
    ],
    ['COMMIT alone', 'COMMIT'],
    ['START TRANSACTION READ WRITE', 'START TRANSACTION READ WRITE'],
    ['a data-modifying CTE (DELETE)', 'WITH d AS (DELETE FROM audit.services RETURNING 1) SELECT * FROM d'],
    ['a data-modifying CTE (UPDATE)', `WITH d AS (UPDATE audit.services SET status = 'retired' RETURNING 1) SELECT * FROM d`],
    ['SELECT INTO a new table', 'SELECT * INTO audit.copied FROM audit.services'],
    // Becoming someone else.
    ['SET ROLE postgres', 'SET ROLE postgres'],
    ['SET ROLE behind a quote break', quoteBreak('SET ROLE postgres; SELECT * FROM audit.api_tokens;')],
    ['SET SESSION AUTHORIZATION postgres', 'SET SESSION AUTHORIZATION postgres'],
    ["set_config('role')", `SELECT set_config('role', 'postgres', false)`],
    ["set_config('session_authorization')", `SELECT set_config('session_authorization', 'postgres', false)`],
    [
      'set_config read-write for the session',
      `SELECT set_config('default_transaction_read_only', 'off', false), set_config('statement_timeout', '0', false), set_config('search_path', 'pg_temp, public', false)`,
    ],
    ['set_config read-write for the transaction', `SELECT set_config('transaction_read_only', 'off', true)`],
    ['RESET ALL', 'RESET ALL'],
    // The server's programs and files.
    ['COPY … TO PROGRAM', `COPY (SELECT 1) TO PROGRAM 'touch ${marker}'`],
    ['COPY … TO PROGRAM behind a quote break', quoteBreak(`COPY (SELECT 1) TO PROGRAM 'touch ${marker}';`)],
    ['COPY a private table TO a file', `COPY audit.api_tokens TO '${marker}-file'`],
    ['COPY … TO STDOUT', 'COPY audit.api_tokens TO STDOUT'],
    ['COPY … FROM a server file', `COPY audit.services (service_name) FROM '/etc/hostname'`],
    ['pg_read_file', `SELECT pg_read_file('/etc/passwd')`],
    ['pg_ls_dir', `SELECT pg_ls_dir('.')`],
    ['lo_import', `SELECT lo_import('/etc/passwd')`],
    ['a DO block running SET ROLE', `DO $$ BEGIN EXECUTE 'SET ROLE postgres'; END $$`],
    // Locks and other sessions.
    ['pg_advisory_lock on the ledger key', `SELECT pg_advisory_lock(${LEDGER_LOCK_KEY})`],
    ['pg_advisory_lock in a DO block', `DO $$ BEGIN PERFORM pg_advisory_lock(${LEDGER_LOCK_KEY}); END $$`],
    ['pg_try_advisory_lock, shared', `SELECT pg_try_advisory_lock_shared(${LEDGER_LOCK_KEY})`],
    ['LOCK TABLE the ledger', 'LOCK TABLE audit.ledger IN ACCESS EXCLUSIVE MODE'],
    [
      'pg_terminate_backend of every other session of the database',
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()',
    ],
    [
      'pg_cancel_backend of every other session of the database',
      'SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()',
    ],
    ['pg_terminate_backend of its own session', 'SELECT pg_terminate_backend(pg_backend_pid())'],
    ['pg_notify to the actions channel', `SELECT pg_notify('audit_actions', '{"op":"DELETE"}')`],
    ['pg_sleep past the timeout', 'SELECT pg_sleep(30)'],
    // Other ways in.
    ['dblink to the database as postgres', `SELECT * FROM dblink('dbname=postgres user=postgres', 'SELECT 1') AS t(x int)`],
    ['CREATE EXTENSION dblink', 'CREATE EXTENSION dblink'],
    ['CREATE EXTENSION behind a quote break', quoteBreak('CREATE EXTENSION dblink;')],
    ['query_to_xml of the tokens', `SELECT query_to_xml('SELECT * FROM audit.api_tokens', true, false, '')`],
    [
      'query_to_xml running an INSERT',
      `SELECT query_to_xml('INSERT INTO audit.services (service_name, service_type) VALUES (''q'', ''q'') RETURNING 1', true, false, '')`,
    ],
    ['PREPARE a statement for later', 'PREPARE later AS SELECT * FROM audit.api_tokens'],
    ['a temporary table', 'CREATE TEMP TABLE t AS SELECT 1'],
    // Reading what is not the check's.
    ['read audit.api_tokens', 'SELECT * FROM audit.api_tokens'],
    ['read audit.tool_events', 'SELECT * FROM audit.tool_events'],
    ['read a tool_events partition', 'SELECT * FROM audit.tool_events_default'],
    ['read audit.lifecycle_events', 'SELECT * FROM audit.lifecycle_events'],
    ['read audit.ledger', 'SELECT * FROM audit.ledger'],
    ['read audit.config_changes', 'SELECT * FROM audit.config_changes'],
    ['read audit.runs', 'SELECT * FROM audit.runs'],
    ['read audit.checkpoints', 'SELECT * FROM audit.checkpoints'],
    ['read pg_authid', 'SELECT rolname, rolpassword FROM pg_authid'],
    ['read other sessions’ queries', `SELECT query FROM pg_stat_activity WHERE query ILIKE '%api_tokens%' AND pid <> pg_backend_pid()`],
  ];

  it('every payload is refused or harmless through action create + run, workbook dry-run and the sandbox', async () => {
    const before = await tableDigest();
    const catalogBefore = await catalogDigest();
    const escaped: string[] = [];
    let accepted = 0;
    let reachedDatabase = 0;

    for (const [name, payload] of PAYLOADS) {
      const problems: string[] = [];
      const results: Json[] = [];

      // 1. action create + run.
      const created = await api<Json>(engine.url, '/v1/actions', tokens.writer, {
        method: 'POST',
        body: {
          project_id: projectId,
          name: `escape ${ours.actions.size}`,
          action_type: 'sql_assertion',
          schedule: '0 0 1 1 *',
          timeout_ms: 3000,
          config: { sql: payload },
        },
      });
      if (created.status === 201) {
        accepted++;
        ours.actions.add(created.body.id);
        const run = await api<Json>(engine.url, `/v1/actions/${created.body.id}/run`, tokens.writer, { method: 'POST' });
        expect(run.status).toBe(202);
        ours.runs.add(run.body.run_id);
        try {
          results.push(await storedRun(run.body.run_id));
          reachedDatabase++;
        } catch {
          problems.push('the run was never recorded (engine stuck)');
        }
      } else if (created.status !== 400) problems.push(`create answered ${created.status}`);

      // 2. workbook dry-run.
      const dry = await api<Json>(engine.url, '/v1/workbooks/dry-run?timeout_ms=3000', tokens.writer, {
        method: 'POST',
        body: { name: 'escape', steps: [{ id: 'q', kind: 'sql', sql: payload }] },
      });
      if (dry.status === 200) {
        ours.runs.add(dry.body.run_id);
        results.push(dry.body, await storedRun(dry.body.run_id).catch(() => problems.push('the dry-run was not recorded')));
      } else if (dry.status !== 400) problems.push(`dry-run answered ${dry.status}`);

      // 3. the sandbox without the API's text checks.
      try {
        results.push(await direct.query('audit', payload, [], AbortSignal.timeout(5000), 2000));
      } catch (error) {
        results.push({ refused: (error as Error).message });
      }

      for (const leaked of leaks(results)) problems.push(`leaked ${leaked.slice(0, 12)}…`);
      if (await advisoryLockHeld()) problems.push('an advisory lock is held');
      if (existsSync(marker) || existsSync(`${marker}-file`)) problems.push('a server program or file ran');
      const after = await tableDigest();
      const changed = Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
      if (changed.length > 0) problems.push(`changed ${changed.join(', ')}`);
      if ((await catalogDigest()) !== catalogBefore) problems.push('the catalog changed');
      // No session state survives into the next check on the same pool.
      const probe = await direct.query(
        'audit',
        `SELECT current_user AS who, current_setting('transaction_read_only') AS ro, current_setting('default_transaction_read_only') AS dro,
                current_setting('search_path') AS path, (SELECT count(*)::int FROM pg_prepared_statements) AS prepared,
                (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS locks`,
        [],
        AbortSignal.timeout(5000),
        2000,
      );
      const state = probe[0] as Json;
      if (
        state.who !== 'auditstack_audit_reader' ||
        state.ro !== 'on' ||
        state.dro !== 'on' ||
        state.path !== '"$user", public' ||
        state.prepared !== 0 ||
        state.locks !== 0
      ) {
        problems.push(`session state leaked: ${JSON.stringify(state)}`);
      }
      if (problems.length > 0) escaped.push(`${name}: ${problems.join('; ')}`);
    }

    // The engine still works: a ledger write is not blocked and the documentation check reads audit.services.
    const docs = await api<Json>(engine.url, '/v1/actions', tokens.writer, {
      method: 'POST',
      body: { project_id: projectId, name: 'docs', action_type: 'sql_assertion', schedule: '0 0 1 1 *', config: { preset: 'infra_docs_check' } },
    });
    expect(docs.status).toBe(201);
    ours.actions.add(docs.body.id);
    const docsRun = await api<Json>(engine.url, `/v1/actions/${docs.body.id}/run`, tokens.writer, { method: 'POST' });
    ours.runs.add(docsRun.body.run_id);
    expect(await storedRun(docsRun.body.run_id)).toMatchObject({ status: 'pass', trigger: 'manual' });

    const digestUnchanged = JSON.stringify(await tableDigest()) === JSON.stringify(before) && (await catalogDigest()) === catalogBefore;
    // Every execution the suite made is recorded: one run per accepted action and per dry-run.
    const recorded = await admin.query<{ trigger: string; n: number }>(
      `SELECT trigger, count(*)::int AS n FROM audit.runs WHERE id = ANY($1::uuid[]) AND ledger_seq IS NOT NULL GROUP BY 1 ORDER BY 1`,
      [[...ours.runs]],
    );
    console.log(
      `sql-escape: ${PAYLOADS.length} payloads tried (${PAYLOADS.length * 3} executions over 3 paths; ${accepted} accepted by the API as actions, ` +
        `${reachedDatabase} action runs reached the database), ${escaped.length} escaped, table digest ${digestUnchanged ? 'unchanged' : 'CHANGED'}` +
        (escaped.length > 0 ? `\n  ${escaped.join('\n  ')}` : ''),
    );
    expect(escaped).toEqual([]);
    expect(digestUnchanged).toBe(true);
    expect(recorded.rows.reduce((n, r) => n + r.n, 0)).toBe(ours.runs.size);
    expect(recorded.rows.map((r) => r.trigger)).toEqual(['dry_run', 'manual']);
  }, 300_000);

  it('a check holding the old ledger advisory key for its whole statement time does not hold up ledger writes', async () => {
    // The ledger is serialised by a row lock on audit.ledger_head, which a reader can neither see nor lock
    // (no privilege, READ ONLY): an advisory lock on any key is the check's own business.
    const holding = direct.query(
      'audit',
      `SELECT pg_advisory_xact_lock(${LEDGER_LOCK_KEY})::text AS locked, pg_sleep(6)::text AS slept`,
      [],
      AbortSignal.timeout(15_000),
      10_000,
    );
    await waitFor(
      'the check holds the key',
      async () =>
        (
          await admin.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()`,
          )
        ).rows[0]!.n > 0 || undefined,
      5_000,
      20,
    );
    const docs = await api<Json>(engine.url, '/v1/actions', tokens.writer, {
      method: 'POST',
      body: { project_id: projectId, name: 'docs while locked', action_type: 'sql_assertion', schedule: '0 0 1 1 *', config: { preset: 'infra_docs_check' } },
    });
    expect(docs.status).toBe(201);
    const run = await api<Json>(engine.url, `/v1/actions/${docs.body.id}/run`, tokens.writer, { method: 'POST' });
    const stored = await storedRun(run.body.run_id);
    // The run and its ledger leaf were written while the check still held the key.
    const stillHeld = (
      await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()`,
      )
    ).rows[0]!.n;
    expect(stillHeld).toBeGreaterThan(0);
    expect(stored).toMatchObject({ status: 'pass' });
    expect(stored.ledger_seq).not.toBeNull();
    // The check itself ran to its end (it held the key the whole time).
    expect(await holding).toEqual([{ locked: '', slept: '' }]);
  }, 60_000);

  it('a datasource that connects as a privileged role (the engine superuser, say) is refused, whatever the query', async () => {
    const misconfigured = new CheckDatasources(
      loadEngineConfig({ DATABASE_URL: db.url, AUDIT_DATASOURCE_URL: db.url, AUDIT_DATASOURCES: JSON.stringify({ crm: db.url }) }),
    );
    try {
      for (const name of ['audit', 'crm']) {
        await expect(misconfigured.query(name, 'SELECT 1', [], AbortSignal.timeout(5000), 2000)).rejects.toThrow(
          /connects as a privileged role: SQL checks refuse to run there/,
        );
      }
    } finally {
      await misconfigured.close();
    }
  });

  it('an unknown datasource is an error naming the configured ones; an unreachable one names no host or port', async () => {
    await expect(direct.query('crm', 'SELECT 1', [], AbortSignal.timeout(5000), 2000)).rejects.toThrow(
      /^unknown datasource "crm" \(configured: audit; add one with AUDIT_DATASOURCES\)$/,
    );
    const unreachable = new CheckDatasources(
      loadEngineConfig({ DATABASE_URL: db.url, AUDIT_DATASOURCES: JSON.stringify({ crm: 'postgres://reader:secret-pw@127.0.0.1:1/crm' }) }),
    );
    try {
      const error: Error = await unreachable.query('crm', 'SELECT 1', [], AbortSignal.timeout(5000), 2000).then(
        () => new Error('answered'),
        (e: Error) => e,
      );
      expect(error.message).toBe('datasource "crm" (AUDIT_DATASOURCES) is unavailable (ECONNREFUSED)');
    } finally {
      await unreachable.close();
    }
  });

  it('the audit datasource never reuses the engine credentials, and a malformed AUDIT_DATASOURCES stops boot without echoing it', () => {
    const derived = new URL(derivedAuditDatasourceUrl('postgres://engine:engine-secret@db.internal:5432/auditstack?sslmode=require', undefined));
    expect([derived.username, derived.password, derived.host, derived.pathname, derived.search]).toEqual([
      'auditstack_audit_reader',
      '',
      'db.internal:5432',
      '/auditstack',
      '?sslmode=require',
    ]);
    expect(new URL(derivedAuditDatasourceUrl('postgres://engine:engine-secret@db/a', 'reader pw/?')).password).toBe(encodeURIComponent('reader pw/?'));
    for (const bad of [
      '{"crm": "mysql://u:leaked-pw@h/db"}',
      '{"audit": "postgres://u:leaked-pw@h/db"}',
      'not json leaked-pw',
      '["postgres://u:leaked-pw@h/db"]',
    ]) {
      const error = ((): unknown => {
        try {
          return loadEngineConfig({ DATABASE_URL: db.url, AUDIT_DATASOURCES: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(Error);
      expect(JSON.stringify({ message: (error as Error).message, ...(error as object) })).toMatch(/AUDIT_DATASOURCES/);
      expect(JSON.stringify({ message: (error as Error).message, ...(error as object) })).not.toContain('leaked-pw');
    }
  });

  it('a huge result cannot fill the engine: at most 10,000 rows are fetched, a result over 16 MiB is an error, and the connection stays usable', async () => {
    const started = Date.now();
    // generate_series in the select list streams (in FROM it would be materialised first).
    const rows = await direct.query('audit', 'SELECT generate_series(1, 50000000) AS g', [], AbortSignal.timeout(20_000), 15_000);
    expect(rows).toHaveLength(10_000);
    expect(rows[9_999]).toEqual({ g: 10_000 });
    // 50 million rows would take far longer than this to fetch and hold.
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(
      direct.query('audit', `SELECT repeat('x', 1000000) AS blob FROM generate_series(1, 100)`, [], AbortSignal.timeout(20_000), 15_000),
    ).rejects.toThrow(/the result is larger than 16 MiB/);
    expect(await direct.query('audit', 'SELECT 1 AS one', [], AbortSignal.timeout(5_000), 2_000)).toEqual([{ one: 1 }]);
  });
});
