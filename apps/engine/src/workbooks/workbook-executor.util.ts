import { ENGINE_CHECK_IDS, type Check, type RunStatus, type WorkbookSpec } from '@auditstack/audit-core';
import { runWorkbook, type CollectorContext, type WorkbookRunResult, type WorkbookSqlQuery } from '@auditstack/collectors';
import { statusFromChecks, summariseChecks, type RunOutcome } from '../actions/action-handler.util';

/** Longest JSON text of one context value returned in a report (values come from targets: bounded). */
const MAX_CONTEXT_JSON = 2000;

/**
 * Runs a validated spec with the engine's collectors: the injected collector
 * context (resolver, clock, abort signal, egress policy) and, for `sql`
 * steps, the named datasources in the SQL-check sandbox (as `sql_assertion`).
 */
export function executeWorkbook(spec: WorkbookSpec, deps: { collector: CollectorContext; sql: WorkbookSqlQuery }): Promise<WorkbookRunResult> {
  return runWorkbook(spec, { ...deps.collector, sql: deps.sql });
}

/** Run status of a workbook verdict: `error` when a step could not run, else from the checks (any fail → fail). */
export function runStatusOf(result: WorkbookRunResult): RunStatus {
  return result.verdict === 'error' ? 'error' : statusFromChecks(result.checks);
}

/** Context values as reported: each bounded to {@link MAX_CONTEXT_JSON} characters of JSON. */
export function reportedContext(context: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(context).map(([key, value]) => {
      const json = JSON.stringify(value) ?? 'null';
      return [key, json.length <= MAX_CONTEXT_JSON ? value : { truncated_json: `${json.slice(0, MAX_CONTEXT_JSON - 1)}…` }];
    }),
  );
}

/** The per-step summary kept in a run's output and returned by a dry run. */
export function stepSummaries(result: WorkbookRunResult): Array<Record<string, unknown>> {
  return result.steps.map((s) => ({ id: s.id, kind: s.kind, status: s.status, message: s.message, duration_ms: s.durationMs }));
}

/** A run outcome of a workbook result: one check per step, the verdict and the step summaries in the output. */
export function workbookOutcome(meta: { name: string; version: number }, result: WorkbookRunResult): RunOutcome {
  return {
    status: runStatusOf(result),
    message: `workbook ${meta.name} v${meta.version}: ${result.verdict} — ${summariseChecks(result.checks)}`,
    checks: result.checks,
    output: { workbook: meta.name, version: meta.version, verdict: result.verdict, steps: stepSummaries(result), context: reportedContext(result.context) },
  };
}

/** The check of a workbook that could not start (missing or invalid spec): check_id `workbook`, target the workbook's name. */
export function makeWorkbookErrorCheck(name: string, message: string): Check {
  return {
    check_id: ENGINE_CHECK_IDS.workbook,
    target: name,
    status: 'error',
    message: message.slice(0, 4000),
    rule: { id: 'workbook.spec', description: 'The workbook exists and its spec is valid.' },
    evidence: {},
  };
}
