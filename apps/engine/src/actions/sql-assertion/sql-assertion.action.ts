import { Inject } from '@nestjs/common';
import type { Pool } from 'pg';
import { z } from 'zod';
import { ACTION_TYPES } from '@auditstack/audit-core';
import { INFRA_DOCS_CHECK_CONFIG, SqlAssertionConfigSchema, collectSqlAssertion, type SqlAssertionConfig, type SqlRow } from '@auditstack/collectors';
import { ENGINE_PG } from '../../database/engine-pg.util';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';

/** Named presets: a config of `{ "preset": "infra_docs_check" }` runs the documentation-compliance query over `audit.services`. */
export const SQL_ASSERTION_PRESETS = {
  infra_docs_check: INFRA_DOCS_CHECK_CONFIG,
} as const satisfies Record<string, SqlAssertionConfig>;

/** Config of `sql_assertion`: a query (see the collector), or a named preset. */
export const SqlAssertionActionConfigSchema = z.union([
  SqlAssertionConfigSchema,
  z.object({ preset: z.enum(Object.keys(SQL_ASSERTION_PRESETS) as [keyof typeof SQL_ASSERTION_PRESETS]) }).strict(),
]);
export type SqlAssertionActionConfig = z.infer<typeof SqlAssertionActionConfigSchema>;

/** Longest a single assertion query may run inside PostgreSQL, whatever the action's timeout. */
const MAX_STATEMENT_MS = 60_000;

/**
 * `sql_assertion`: a read-only query against the engine's database; pass when
 * it returns no rows, fail listing them. The query runs in a READ ONLY
 * transaction with a statement timeout, so a mistaken config cannot write.
 */
@ActionType({
  type: ACTION_TYPES.sqlAssertion,
  config: SqlAssertionActionConfigSchema,
  description: 'A read-only SQL query that must return no rows (preset infra_docs_check: services without a compliance workbook).',
})
export class SqlAssertionAction implements ActionHandler<SqlAssertionActionConfig> {
  constructor(@Inject(ENGINE_PG) private readonly pool: Pool) {}

  async run(action: ActionView<SqlAssertionActionConfig>, ctx: ActionContext): Promise<RunOutcome> {
    const config = 'preset' in action.config ? SQL_ASSERTION_PRESETS[action.config.preset] : action.config;
    const statementMs = Math.min(action.timeoutMs, MAX_STATEMENT_MS);
    const checks = await collectSqlAssertion(config, { signal: ctx.signal, query: (sql, signal) => this.readOnly(sql, signal, statementMs) });
    return outcomeFromChecks(checks);
  }

  private async readOnly(sql: string, signal: AbortSignal, statementMs: number): Promise<SqlRow[]> {
    const client = await this.pool.connect();
    let broken = false;
    const onAbort = (): void => {
      broken = true;
      // Dropping the connection ends the query server-side; the pool replaces it.
      client.release(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(statementMs))}`);
      const result = await client.query<SqlRow>(sql);
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
}
