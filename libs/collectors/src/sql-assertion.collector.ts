import { z } from 'zod';
import { ENGINE_CHECK_IDS, type Check, type CheckRule } from '@auditstack/audit-core';
import { abortReason, errorMessage, makeCheck, truncate } from './check.util';

/** A row returned by {@link SqlQuery}. */
export type SqlRow = Record<string, unknown>;

/**
 * Runs one query on the named datasource and returns its rows. Injected by
 * the caller, which owns the datasources and is the sandbox (the engine: a
 * least-privilege role, the extended query protocol so one statement only,
 * READ ONLY, timeouts, session state discarded afterwards). The text checks
 * in {@link SqlAssertionConfigSchema} only give an early, friendly message
 * for mistakes: they are not a guard.
 */
export type SqlQuery = (sql: string, signal: AbortSignal, datasource: string) => Promise<SqlRow[]>;

/** Name of a datasource: `audit` (built in) or one configured by the operator. */
export const DatasourceNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be a datasource name ([a-z][a-z0-9_-]{0,62})');

/**
 * The seed's documentation-compliance preset: active elements of
 * `audit.services` without a compliance workbook.
 */
export const INFRA_DOCS_CHECK_SQL = `SELECT service_name, service_type, host
FROM audit.services
WHERE status = 'active'
  AND compliance_workbook IS DISTINCT FROM 'yes'
ORDER BY service_name`;

/** Config of the `sql_assertion` action type. */
export const SqlAssertionConfigSchema = z
  .object({
    /** A single SELECT (or WITH … SELECT) statement; the assertion holds when it returns no rows. The text checks are a courtesy: the datasource's sandbox is the guard. */
    sql: z
      .string()
      .min(1)
      .max(20_000)
      .refine((s) => /^\s*(select|with)\b/i.test(s), 'must be a SELECT or WITH query')
      .refine((s) => !/;\s*\S/.test(s.replace(/'(?:[^']|'')*'/g, "''")), 'must be a single statement'),
    /** Datasource the query runs on (docs/operations.md "Datasources"). @defaultValue 'audit' */
    datasource: DatasourceNameSchema.default('audit'),
    /** check_id of the produced check. @defaultValue 'sql.assertion' */
    check_id: z
      .string()
      .regex(/^[a-z0-9_.-]{1,200}$/)
      .default(ENGINE_CHECK_IDS.sqlAssertion),
    /** What the query finds, for the dashboard (e.g. "active services without a compliance workbook"). @defaultValue 'the query returns no rows' */
    description: z.string().min(1).max(2000).default('the query returns no rows'),
    /** The check's target (a datasource or system name). @defaultValue 'sql' */
    target: z.string().min(1).max(500).default('sql'),
    /** Rows kept in the evidence and the message. @defaultValue 50 */
    max_rows: z.number().int().min(1).max(1000).default(50),
  })
  .strict();
/** Parsed {@link SqlAssertionConfigSchema}. */
export type SqlAssertionConfig = z.infer<typeof SqlAssertionConfigSchema>;

/** The `infra_docs_check` preset as an `sql_assertion` config. */
export const INFRA_DOCS_CHECK_CONFIG: SqlAssertionConfig = {
  sql: INFRA_DOCS_CHECK_SQL,
  datasource: 'audit',
  check_id: ENGINE_CHECK_IDS.infraDocs,
  description: "Every active element of audit.services has compliance_workbook = 'yes'.",
  target: 'audit.services',
  max_rows: 200,
};

/** Evidence values are capped: rows may hold long text. */
function capRow(row: SqlRow): SqlRow {
  const out: SqlRow = {};
  for (const [k, v] of Object.entries(row).slice(0, 50)) {
    out[k] = typeof v === 'string' ? truncate(v, 500) : v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v;
  }
  return out;
}

function describeRow(row: SqlRow): string {
  return Object.values(row)
    .slice(0, 6)
    .map((v) => (v === null || v === undefined ? '∅' : truncate(String(v), 80)))
    .join(' / ');
}

/**
 * `sql_assertion`: runs the query through the injected {@link SqlQuery};
 * `pass` when it returns no rows, `fail` listing the rows (truncated to
 * `max_rows` in the evidence), `error` when the query fails or is aborted.
 */
export async function collectSqlAssertion(config: SqlAssertionConfig, ctx: { query: SqlQuery; signal: AbortSignal }): Promise<Check[]> {
  const rule: CheckRule = { id: config.check_id, description: config.description };
  if (ctx.signal.aborted) return [makeCheck(config.check_id, config.target, 'error', `aborted: ${abortReason(ctx.signal)}`, rule, {})];
  let rows: SqlRow[];
  let onAbort: (() => void) | undefined;
  try {
    // A query that ignores the signal must still not hold the run past its timeout.
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Error(`aborted: ${abortReason(ctx.signal)}`));
      ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    rows = await Promise.race([ctx.query(config.sql, ctx.signal, config.datasource), aborted]);
    if (!Array.isArray(rows)) throw new Error('the datasource returned no row array');
  } catch (err) {
    return [makeCheck(config.check_id, config.target, 'error', `query failed: ${errorMessage(err)}`, rule, { datasource: config.datasource, sql: config.sql })];
  } finally {
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
  if (rows.length === 0)
    return [makeCheck(config.check_id, config.target, 'pass', 'no rows', rule, { row_count: 0, datasource: config.datasource, sql: config.sql })];
  const kept = rows.slice(0, config.max_rows).map(capRow);
  const listed = kept.slice(0, 20).map(describeRow).join('; ');
  const more = rows.length > 20 ? ` and ${rows.length - 20} more` : '';
  return [
    makeCheck(config.check_id, config.target, 'fail', `${rows.length} row(s): ${listed}${more}`, rule, {
      row_count: rows.length,
      rows: kept,
      rows_truncated: rows.length > kept.length,
      datasource: config.datasource,
      sql: config.sql,
    }),
  ];
}
