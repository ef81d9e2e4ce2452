import { Query, type Pool, type PoolClient } from 'pg';
import type { SqlRow } from '@auditstack/collectors';

/** Longest a single assertion or workbook query may run inside PostgreSQL, whatever the action's timeout. @defaultValue 60000 */
export const MAX_STATEMENT_MS = 60_000;
/** Longest a check's statement waits for a lock (a check must never queue behind, or in front of, writers). */
export const CHECK_LOCK_TIMEOUT_MS = 1_000;

/** Most rows a check's query hands back; more are never fetched from the server. @defaultValue 10000 */
export const MAX_RESULT_ROWS = 10_000;
/** Most bytes of row data a check's query hands back; a larger result is an error. @defaultValue 16 MiB */
export const MAX_RESULT_BYTES = 16 * 1024 * 1024;

/** What the sandbox asks of the connection before running a check (see GUARD_SQL). */
interface GuardRow {
  privileged: boolean;
  reads_private: boolean;
}

/**
 * Tables of the services' own database that no check may read. A datasource
 * whose role can read any of them is refused (a misconfigured
 * AUDIT_DATASOURCE_URL pointing at the engine's own role, say).
 */
const PRIVATE_TABLES = [
  'audit.api_tokens',
  'audit.ledger',
  'audit.tool_events',
  'audit.lifecycle_events',
  'audit.observability_events',
  'audit.cluster_audit_events',
  'audit.config_changes',
  'audit.runs',
  'audit.checkpoints',
];

/**
 * One round trip before the user's statement: the transaction's limits (SET
 * LOCAL through `set_config(…, true)`, values bound, not spliced) and what
 * the session's role may do. `$4`: the private tables to probe (absent ones,
 * e.g. in a user's own database, are skipped).
 */
const GUARD_SQL = `SELECT set_config('statement_timeout', $1, true) IS NOT NULL
     AND set_config('lock_timeout', $2, true) IS NOT NULL
     AND set_config('idle_in_transaction_session_timeout', $3, true) IS NOT NULL AS limited,
   (SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls FROM pg_roles WHERE rolname = session_user)
     OR pg_has_role(session_user, 'pg_execute_server_program', 'USAGE')
     OR pg_has_role(session_user, 'pg_read_server_files', 'USAGE')
     OR pg_has_role(session_user, 'pg_write_server_files', 'USAGE') AS privileged,
   EXISTS (SELECT 1 FROM unnest($4::text[]) AS t(name)
           WHERE to_regclass(t.name) IS NOT NULL AND has_table_privilege(session_user, to_regclass(t.name), 'SELECT')) AS reads_private`;

/** Refusal of a datasource whose role is more than a reader. */
export class DatasourceRefusedError extends Error {}

/**
 * Runs one user statement of a SQL check in the sandbox:
 *
 * - on a connection of `pool`, the datasource's own pool (never the
 *   services' pool, never shared with ledger writers);
 * - refused when the session's role is privileged (superuser, role/database
 *   creation, replication, RLS bypass, server programs or files) or can read
 *   the services' private tables;
 * - inside `BEGIN … READ ONLY` with `statement_timeout`, `lock_timeout` and
 *   `idle_in_transaction_session_timeout` set for the transaction;
 * - through the EXTENDED query protocol (Parse/Bind/Execute even without
 *   parameters): a prepared statement cannot hold two statements, so
 *   `SELECT 1; COMMIT; …` fails as a whole instead of escaping the
 *   transaction. This, not a text check, is what enforces "one statement";
 * - afterwards `ROLLBACK` and `DISCARD ALL` (settings, advisory locks,
 *   prepared statements, temporary objects all gone) before the connection
 *   goes back to the pool. Aborting `signal`, or any failure of that
 *   clean-up, destroys the connection instead.
 *
 * `sql` and `params` are attacker-controlled (any `actions.write` token).
 */
export async function readOnlyQuery(
  pool: Pool,
  sql: string,
  params: readonly unknown[],
  signal: AbortSignal,
  statementMs: number,
  options: { maxStatementMs?: number; label?: string } = {},
): Promise<SqlRow[]> {
  if (signal.aborted) throw new Error('aborted before the query started');
  const label = options.label ?? 'the datasource';
  const limitMs = Math.max(1, Math.floor(Math.min(statementMs, options.maxStatementMs ?? MAX_STATEMENT_MS)));
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    // Connection errors name hosts and ports: report the code only (issue 11, item 8).
    const code = (error as { code?: unknown }).code;
    throw new Error(`${label} is unavailable${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  let destroyed = false;
  const destroy = (reason: string): void => {
    if (destroyed) return;
    destroyed = true;
    client.release(new Error(reason));
  };
  const onAbort = (): void => destroy('aborted');
  signal.addEventListener('abort', onAbort, { once: true });
  // The server may end this session while we hold it (a check can terminate backends of its own role,
  // itself included): the failing query reports it; the event must not go unhandled.
  let lost = false;
  const onError = (): void => {
    lost = true;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const guard = await client.query<GuardRow>({
      text: GUARD_SQL,
      values: [String(limitMs), String(Math.min(CHECK_LOCK_TIMEOUT_MS, limitMs)), String(limitMs + 1_000), PRIVATE_TABLES],
    });
    const row = guard.rows[0];
    if (!row || row.privileged !== false)
      throw new DatasourceRefusedError(
        `${label} connects as a privileged role: SQL checks refuse to run there (use a least-privilege role, docs/operations.md "Datasources")`,
      );
    if (row.reads_private !== false)
      throw new DatasourceRefusedError(`${label} connects as a role that can read the services' private tables: SQL checks refuse to run there`);
    return await boundedQuery(client, sql, params);
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (lost) destroy('connection lost');
    if (!destroyed) {
      try {
        await client.query('ROLLBACK');
        await client.query('DISCARD ALL');
        destroyed = true;
        client.removeListener('error', onError);
        client.release();
      } catch {
        destroy('clean-up failed');
      }
    }
  }
}

/** The parts of pg's Query this module relies on (not in @types/pg). */
interface QueryInternals {
  callback?: (error: Error | undefined, result?: { rows?: SqlRow[] }) => void;
  handlePortalSuspended(connection: PgConnection): void;
  handleCommandComplete(message: unknown, connection: PgConnection): void;
  handleEmptyQuery(connection: PgConnection): void;
  handleError(error: Error, connection: PgConnection): void;
  handleDataRow(message: { fields: Array<string | Buffer | null> }): void;
  _canceledDueToError?: Error | false;
}
interface PgConnection {
  sync(): void;
}

/**
 * The user's statement through the EXTENDED protocol (Parse/Bind/Execute even
 * without parameters: a prepared statement cannot hold two statements), one
 * portal execution of at most {@link MAX_RESULT_ROWS} + 1 rows — the rest is
 * never fetched — and at most {@link MAX_RESULT_BYTES} of row data, so a
 * `generate_series(1, 1e9)` cannot fill the engine's memory.
 */
function boundedQuery(client: PoolClient, sql: string, params: readonly unknown[]): Promise<SqlRow[]> {
  // `queryMode` (pg ≥ 8.11) is missing from @types/pg: spelled out here, it is the whole point.
  const config = { text: sql, values: [...params], queryMode: 'extended', rows: MAX_RESULT_ROWS + 1 } as unknown as ConstructorParameters<typeof Query>[0];
  const query = new Query(config);
  const internals = query as unknown as QueryInternals;
  // With a row count, pg sends Execute without a Sync and syncs on CommandComplete (or asks for more on
  // PortalSuspended). One batch only: on PortalSuspended end the exchange (Sync); ROLLBACK closes the portal.
  // A server error before either must be followed by a Sync too, or the connection would wait forever.
  let synced = false;
  const sync = (connection: PgConnection): void => {
    if (synced) return;
    synced = true;
    connection.sync();
  };
  internals.handlePortalSuspended = (connection) => sync(connection);
  const handleCommandComplete = internals.handleCommandComplete.bind(query);
  internals.handleCommandComplete = (message, connection) => {
    synced = true; // pg syncs here when a row count is set
    handleCommandComplete(message, connection);
  };
  const handleEmptyQuery = internals.handleEmptyQuery.bind(query);
  internals.handleEmptyQuery = (connection) => {
    synced = true; // likewise
    handleEmptyQuery(connection);
  };
  const handleError = internals.handleError.bind(query);
  internals.handleError = (error, connection) => {
    // Only a server error (it has a severity) arrives unsynced; pg syncs itself before reporting a bad parameter.
    if ('severity' in error) sync(connection);
    handleError(error, connection);
  };
  let bytes = 0;
  const handleDataRow = internals.handleDataRow.bind(query);
  internals.handleDataRow = (message) => {
    for (const field of message.fields) bytes += field === null ? 0 : field.length;
    if (bytes > MAX_RESULT_BYTES && !internals._canceledDueToError) {
      internals._canceledDueToError = new Error(`the result is larger than ${MAX_RESULT_BYTES / 1024 / 1024} MiB: select fewer or shorter columns`);
    }
    handleDataRow(message);
  };
  return new Promise<SqlRow[]>((resolve, reject) => {
    internals.callback = (error, result) => {
      if (error) reject(error);
      // A multi-result answer cannot come from the extended protocol; guard the shape anyway.
      else resolve(Array.isArray(result?.rows) ? result.rows.slice(0, MAX_RESULT_ROWS) : []);
    };
    void client.query(query);
  });
}
