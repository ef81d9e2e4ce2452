import { Inject } from '@nestjs/common';
import type { Pool } from 'pg';
import { z } from 'zod';
import { ACTION_TYPES } from '@auditstack/audit-core';
import { INFRA_DOCS_CHECK_CONFIG, SqlAssertionConfigSchema, collectSqlAssertion, type SqlAssertionConfig } from '@auditstack/collectors';
import { ENGINE_PG } from '../../database/engine-pg.util';
import { readOnlyQuery } from '../../database/read-only-query.util';
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
    const checks = await collectSqlAssertion(config, { signal: ctx.signal, query: (sql, signal) => readOnlyQuery(this.pool, sql, [], signal, action.timeoutMs) });
    return outcomeFromChecks(checks);
  }
}
