import { z } from 'zod';
import { ACTION_TYPES } from '@auditstack/audit-core';
import { INFRA_DOCS_CHECK_CONFIG, SqlAssertionConfigSchema, collectSqlAssertion, type SqlAssertionConfig } from '@auditstack/collectors';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { CollectorContextFactory } from '../collector-context.service';

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
 * `sql_assertion`: a query on a named datasource (`audit` by default: role
 * `auditstack_audit_reader`, SELECT on `audit.services` only); pass when it
 * returns no rows, fail listing them. It runs in the SQL-check sandbox
 * (database/read-only-query.util): one statement by protocol, READ ONLY,
 * timeouts, session state discarded — never on the engine's own pool.
 */
@ActionType({
  type: ACTION_TYPES.sqlAssertion,
  config: SqlAssertionActionConfigSchema,
  description: 'A read-only SQL query that must return no rows (preset infra_docs_check: services without a compliance workbook).',
})
export class SqlAssertionAction implements ActionHandler<SqlAssertionActionConfig> {
  constructor(private readonly collectorContext: CollectorContextFactory) {}

  async run(action: ActionView<SqlAssertionActionConfig>, ctx: ActionContext): Promise<RunOutcome> {
    const config = 'preset' in action.config ? SQL_ASSERTION_PRESETS[action.config.preset] : action.config;
    const query = this.collectorContext.sql(action.timeoutMs);
    const checks = await collectSqlAssertion(config, { signal: ctx.signal, query: (sql, signal, datasource) => query(datasource, sql, [], signal) });
    return outcomeFromChecks(checks);
  }
}
