import { ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { Pool } from 'pg';
import type { WorkbookSpec } from '@auditstack/audit-core';
import { CollectorContextFactory } from '../actions/collector-context.service';
import { recordConfigChanges } from '../config-changes/config-change.repository';
import { DataVersion } from '../database/data-version.service';
import { ENGINE_PG, inTransaction } from '../database/engine-pg.util';
import { mapPgWriteError } from '../database/pg-errors.util';
import { executeWorkbook, reportedContext, runStatusOf, stepSummaries } from './workbook-executor.util';
import { WorkbookRepository, type WorkbookRow, type WorkbookSummary } from './workbook.repository';

/** A workbook with its latest version and the list of all versions. */
export interface WorkbookDetail {
  name: string;
  latest: WorkbookRow;
  versions: Array<Omit<WorkbookRow, 'spec'>>;
}

/** What a dry run returns: the verdict and every step's check. */
export interface DryRunReport {
  name: string;
  verdict: string;
  status: string;
  duration_ms: number;
  steps: Array<Record<string, unknown>>;
  context: Record<string, unknown>;
}

/** Bounds of a dry run's time budget. @defaultValue 30000 ms */
export const DRY_RUN_TIMEOUT_MS = { min: 100, max: 120_000, default: 30_000 } as const;

/**
 * Workbooks: versioned specs (every save is a new version; nothing is ever
 * overwritten), and dry runs that execute a spec without storing anything.
 */
@Injectable()
export class WorkbooksService {
  private readonly logger = new Logger(WorkbooksService.name);

  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    private readonly collectorContext: CollectorContextFactory,
    private readonly version: DataVersion,
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

  /** Validates (already done by the pipe) and executes `spec` without storing anything. */
  async dryRun(spec: WorkbookSpec, timeoutMs: number = DRY_RUN_TIMEOUT_MS.default): Promise<DryRunReport> {
    const started = Date.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`dry run timed out after ${timeoutMs} ms`)), timeoutMs);
    try {
      const collector = this.collectorContext.for({
        signal: controller.signal,
        now: () => new Date(),
        scheduledAt: new Date(),
        logger: this.logger,
        trigger: 'manual',
      });
      const result = await executeWorkbook(spec, { pool: this.pool, collector, statementMs: timeoutMs });
      return {
        name: spec.name,
        verdict: result.verdict,
        status: runStatusOf(result),
        duration_ms: Date.now() - started,
        steps: stepSummaries(result).map((summary, i) => ({ ...summary, check: result.checks[i] })),
        context: reportedContext(result.context),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
