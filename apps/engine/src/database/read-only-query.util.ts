import type { Pool } from 'pg';
import type { SqlRow } from '@auditstack/collectors';

/** Longest a single assertion or workbook query may run inside PostgreSQL, whatever the action's timeout. */
export const MAX_STATEMENT_MS = 60_000;

/**
 * The datasource of `sql_assertion` and workbook `sql` steps: runs one query
 * (with bound `params`) in a READ ONLY transaction with a statement timeout,
 * so a mistaken config cannot write. Aborting `signal` drops the connection,
 * which ends the query server-side (the pool replaces it).
 */
export async function readOnlyQuery(pool: Pool, sql: string, params: readonly unknown[], signal: AbortSignal, statementMs: number): Promise<SqlRow[]> {
  const client = await pool.connect();
  let broken = false;
  const onAbort = (): void => {
    broken = true;
    client.release(new Error('aborted'));
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(Math.min(statementMs, MAX_STATEMENT_MS)))}`);
    const result = await client.query<SqlRow>(sql, [...params]);
    await client.query('ROLLBACK');
    return result.rows;
  } catch (error) {
    if (!broken) await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!broken) client.release();
  }
}
