import { randomUUID } from 'node:crypto';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Pool } from 'pg';
import type { WorkbookSpec } from '@auditstack/audit-core';
import { CollectorContextFactory } from '../actions/collector-context.service';
import { recordConfigChanges } from '../config-changes/config-change.repository';
import { DataVersion } from '../database/data-version.service';
import { ENGINE_PG, inTransaction } from '../database/engine-pg.util';
import { mapPgWriteError } from '../database/pg-errors.util';
import { RunWriter } from '../runs/run-writer.repository';
import { executeWorkbook, reportedContext, runStatusOf, stepSummaries, workbookOutcome } from './workbook-executor.util';
import { WorkbookRepository, type WorkbookRow, type WorkbookSummary } from './workbook.repository';

/** A workbook with its latest version and the list of all versions. */
export interface WorkbookDetail {
  name: string;
  latest: WorkbookRow;
  versions: Array<Omit<WorkbookRow, 'spec'>>;
}

/** What a dry run returns: the verdict and every step's check, and the run that records it. */
export interface DryRunReport {
  /** The `audit.runs` row (trigger `dry_run`) recording this execution. */
  run_id: string;
  /** Its ledger leaf. */
  ledger_seq: number | null;
  name: string;
  verdict: string;
  status: string;
  duration_ms: number;
  steps: Array<Record<string, unknown>>;
  context: Record<string, unknown>;
}

/** Bounds of a dry run's time budget. @defaultValue 30000 ms */
export const DRY_RUN_TIMEOUT_MS = { min: 100, max: 120_000, default: 30_000 } as const;

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

  list(): Promise<WorkbookSummary[]> {
    return WorkbookRepository.list(this.pool);
  }

  async get(name: string, version?: number): Promise<WorkbookDetail> {
    const latest = await WorkbookRepository.find(this.pool, name, version);
    if (!latest) throw new NotFoundException(version === undefined ? `workbook ${name} not found` : `workbook ${name} has no version ${version}`);
    return { name, latest, versions: await WorkbookRepository.versions(this.pool, name) };
  }

  /**
   * Saves `spec` as the next version of its workbook (1 for a new name) and
   * records the change (a `config` ledger leaf) in the same transaction.
   * Saves of one name are serialised by an advisory lock.
   *
   * @throws ConflictException when `spec.version` is given and is not the version this save creates.
   */
  async save(spec: WorkbookSpec, actor: string): Promise<WorkbookRow> {
    try {
      const row = await inTransaction(this.pool, async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('audit.workbooks:' || $1, 0))`, [spec.name]);
        const previous = await WorkbookRepository.find(client, spec.name);
        const next = (previous?.version ?? 0) + 1;
        if (spec.version !== undefined && spec.version !== next) {
          throw new ConflictException(`version: this save would create version ${next} of "${spec.name}", not ${spec.version} (saved meanwhile? reload it)`);
        }
        const saved = await WorkbookRepository.insert(client, { ...spec, version: next });
        await recordConfigChanges(client, [{ actor, subjectKind: 'workbook', subjectId: spec.name, change: 'save', before: previous, after: saved }]);
        return saved;
      });
      this.version.bump();
      return row;
    } catch (error) {
      if (error instanceof ConflictException) throw error;
      return mapPgWriteError(error, { unique: `version: another save of "${spec.name}" won the race; retry` });
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
      jobId: `dry-run:${id}`,
      actionId: DRY_RUN_OWNER_ID,
      projectId: DRY_RUN_OWNER_ID,
      actionType: 'workbook',
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
      steps: stepSummaries(result).map((summary, i) => ({ ...summary, check: result.checks[i] })),
      context: reportedContext(result.context),
    };
  }
}
