import { Inject } from '@nestjs/common';
import type { Pool } from 'pg';
import { ACTION_TYPES, WorkbookActionConfigSchema, WorkbookSpecSchema, formatIssues, type WorkbookActionConfig } from '@auditstack/audit-core';
import { ENGINE_PG } from '../../database/engine-pg.util';
import { executeWorkbook, makeWorkbookErrorCheck, workbookOutcome } from '../../workbooks/workbook-executor.util';
import { WorkbookRepository } from '../../workbooks/workbook.repository';
import type { ActionContext, ActionHandler, ActionView, RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { CollectorContextFactory } from '../collector-context.service';

/**
 * `workbook`: runs a stored workbook (`audit.workbooks`, see docs/workbooks.md)
 * — its latest version at each run, or a fixed `version`. One check per step
 * (check_id = step id); the run's output holds the verdict (worst step
 * status) and a summary of every step.
 */
@ActionType({
  type: ACTION_TYPES.workbook,
  config: WorkbookActionConfigSchema,
  description: 'A stored workbook: ordered http/dns/tls/tcp/sql steps with assertions and values passed between steps (latest version unless pinned).',
})
export class WorkbookAction implements ActionHandler<WorkbookActionConfig> {
  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    private readonly collectorContext: CollectorContextFactory,
  ) {}

  /** The API refuses an action whose workbook (or pinned version) does not exist. */
  async checkConfig(config: WorkbookActionConfig): Promise<string[]> {
    if (await WorkbookRepository.find(this.pool, config.workbook, config.version)) return [];
    if (config.version !== undefined && (await WorkbookRepository.find(this.pool, config.workbook))) {
      return [`config.version: workbook "${config.workbook}" has no version ${config.version}`];
    }
    return [`config.workbook: no workbook named "${config.workbook}" (save it with POST /v1/workbooks first)`];
  }

  async run(action: ActionView<WorkbookActionConfig>, ctx: ActionContext): Promise<RunOutcome> {
    const { workbook, version } = action.config;
    const stored = await WorkbookRepository.find(this.pool, workbook, version);
    if (!stored) {
      const message = `workbook "${workbook}"${version === undefined ? '' : ` version ${version}`} not found`;
      return {
        status: 'error',
        message,
        checks: [makeWorkbookErrorCheck(workbook, message)],
        output: { workbook, version: version ?? null, verdict: 'error', steps: [] },
      };
    }
    // Stored specs passed the schema when saved; a spec written by plain SQL may not have.
    const parsed = WorkbookSpecSchema.safeParse(stored.spec);
    if (!parsed.success) {
      const message = `workbook "${workbook}" v${stored.version} is not a valid spec: ${formatIssues(parsed.error).slice(0, 5).join('; ')}`;
      return {
        status: 'error',
        message,
        checks: [makeWorkbookErrorCheck(workbook, message)],
        output: { workbook, version: stored.version, verdict: 'error', steps: [] },
      };
    }
    const result = await executeWorkbook(parsed.data, { collector: this.collectorContext.for(ctx), sql: this.collectorContext.sql(action.timeoutMs) });
    return workbookOutcome({ name: workbook, version: stored.version }, result);
  }
}
