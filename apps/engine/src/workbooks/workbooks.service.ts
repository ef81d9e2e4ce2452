import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { ACTION_TYPES, DRY_RUN_TIMEOUT_MS, type ENGINE_ROUTES, JOB_ID_PREFIXES, type RouteResult, type WorkbookSpec } from '@auditstack/audit-core';
import { CollectorContextFactory } from '../actions/collector-context.service';
import { recordConfigChanges } from '../config-changes/config-change.repository';
import { DataVersion } from '../database/data-version.service';
import { ENGINE_PG, inTransaction } from '../database/engine-pg.util';
import { mapPgWriteError } from '../database/pg-errors.util';
import { EngineError, fieldProblem } from '../engine.errors';
import { RunWriter } from '../runs/run-writer.repository';
import { executeWorkbook, reportedContext, runStatusOf, workbookOutcome } from './workbook-executor.util';
import { WorkbookRepository, type WorkbookRow, type WorkbookSummary } from './workbook.repository';

/** A workbook with its latest version and the list of all versions (`GET /v1/workbooks/{name}`). */
export type WorkbookDetail = RouteResult<typeof ENGINE_ROUTES.getWorkbook>;

/** What a dry run returns: the verdict and every step's check, and the run that records it. */
export type DryRunReport = RouteResult<typeof ENGINE_ROUTES.dryRunWorkbook>;

/** `action_id` and `project_id` of a dry-run's run: it belongs to no action or project. */
export const DRY_RUN_OWNER_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Workbooks: versioned specs (every save is a new version; nothing is ever
 * overwritten), and dry runs that execute a spec without saving it. A dry
 * run is an execution like any other: same sandbox, and recorded as a run
 * with trigger `dry_run` (ledgered; it does not change `check_results`).
 */
@Injectable()
export class WorkbooksService {
  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    private readonly collectorContext: CollectorContextFactory,
    private readonly version: DataVersion,
    private readonly runs: RunWriter,
  ) {}

  /** A page of workbooks by name: `limit + 1` rows are read to know whether another page follows. */
  async list(limit: number, afterName: string | null): Promise<{ items: WorkbookSummary[]; next_cursor: { name: string } | null }> {
    const rows = await WorkbookRepository.list(this.pool, limit + 1, afterName);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, next_cursor: rows.length > limit && last ? { name: last.name } : null };
  }

  async get(name: string, version?: number): Promise<WorkbookDetail> {
    const latest = await WorkbookRepository.find(this.pool, name, version);
    if (!latest) {
      if (version === undefined) throw new EngineError('WORKBOOK_NOT_FOUND', `workbook ${name} not found`);
      throw new EngineError('WORKBOOK_VERSION_NOT_FOUND', `workbook ${name} has no version ${version}`);
    }
    return { name, latest, versions: await WorkbookRepository.versions(this.pool, name) };
  }

  /**
   * Saves `spec` as the next version of its workbook (1 for a new name) and
   * records the change (a `config` ledger leaf) in the same transaction.
   * Saves of one name are serialised by an advisory lock.
   *
   * @throws EngineError `WORKBOOK_VERSION_CONFLICT` when `spec.version` is given and is not the version this save creates.
   */
  async save(spec: WorkbookSpec, actor: string): Promise<WorkbookRow> {
    try {
      const row = await inTransaction(this.pool, async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('audit.workbooks:' || $1, 0))`, [spec.name]);
        const previous = await WorkbookRepository.find(client, spec.name);
        const next = (previous?.version ?? 0) + 1;
        if (spec.version !== undefined && spec.version !== next) {
          throw fieldProblem('WORKBOOK_VERSION_CONFLICT', [
            `version: this save would create version ${next} of "${spec.name}", not ${spec.version} (saved meanwhile? reload it)`,
          ]);
        }
        const saved = await WorkbookRepository.insert(client, { ...spec, version: next });
        await recordConfigChanges(client, [{ actor, subjectKind: 'workbook', subjectId: spec.name, change: 'save', before: previous, after: saved }]);
        return saved;
      });
      this.version.bump();
      return row;
    } catch (error) {
      if (error instanceof EngineError) throw error;
      return mapPgWriteError(error, { unique: { code: 'WORKBOOK_VERSION_CONFLICT', detail: `version: another save of "${spec.name}" won the race; retry` } });
    }
  }

  /**
   * Executes `spec` (validated by the pipe) without saving it, then records
   * the execution: a run with trigger `dry_run`, `requested_by` = `actor`,
   * ledgered like any run.
   */
  async dryRun(spec: WorkbookSpec, actor: string, timeoutMs: number = DRY_RUN_TIMEOUT_MS.default): Promise<DryRunReport> {
    const startedAt = new Date();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`dry run timed out after ${timeoutMs} ms`)), timeoutMs);
    let result: Awaited<ReturnType<typeof executeWorkbook>>;
    try {
      const collector = this.collectorContext.for({ signal: controller.signal, now: () => new Date() });
      result = await executeWorkbook(spec, { collector, sql: this.collectorContext.sql(timeoutMs) });
    } finally {
      clearTimeout(timer);
    }
    const finishedAt = new Date();
    const outcome = workbookOutcome({ name: spec.name, version: spec.version ?? 0 }, result);
    const id = randomUUID();
    const written = await this.runs.write({
      id,
      scheduledAt: startedAt,
      jobId: `${JOB_ID_PREFIXES.dryRun}${id}`,
      actionId: DRY_RUN_OWNER_ID,
      projectId: DRY_RUN_OWNER_ID,
      actionType: ACTION_TYPES.workbook,
      trigger: 'dry_run',
      status: outcome.status,
      message: `dry run of ${outcome.message}`,
      output: { ...outcome.output, checks: result.checks, requested_by: actor },
      checks: result.checks,
      startedAt,
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    });
    return {
      run_id: written.runId,
      ledger_seq: written.ledgerSeq,
      name: spec.name,
      verdict: result.verdict,
      status: runStatusOf(result),
      duration_ms: finishedAt.getTime() - startedAt.getTime(),
      steps: result.steps.map((s) => ({ id: s.id, kind: s.kind, status: s.status, message: s.message, duration_ms: s.durationMs, check: s.check })),
      context: reportedContext(result.context),
    };
  }
}
