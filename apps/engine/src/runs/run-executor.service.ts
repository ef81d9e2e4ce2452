import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import type { Pool } from 'pg';
import { z } from 'zod';
import { type Check, CheckSchema, formatIssues, RUN_ERROR_CODES, type RunErrorCode, type RunStatus, type RunTrigger } from '@auditstack/audit-core';
import { ENGINE_PG } from '../database/engine-pg.util';
import { EngineMetrics } from '../metrics/engine-metrics.service';
import { ActionRegistry, type RegisteredActionType } from '../actions/action-registry.service';
import { statusFromChecks, summariseChecks, type ActionContext, type RunOutcome } from '../actions/action-handler.util';
import type { CheckJob } from '../queue/check-queue.util';
import { RunWriter, type RunRecord, type RunWriteResult } from './run-writer.repository';

/** An `audit.actions` row as the worker reads it. */
export interface ActionRow {
  id: string;
  project_id: string;
  name: string;
  action_type: string;
  schedule: string;
  config: Record<string, unknown>;
  status: string;
  timeout_ms: number;
  updated_at: Date;
}

const ChecksSchema = z.array(CheckSchema);

/** What the executor did with a job. */
export type ExecuteResult = { kind: 'skipped'; reason: string } | ({ kind: 'run'; status: RunStatus } & RunWriteResult);

/**
 * Runs one firing: resolves the handler by the action's type, validates the
 * config, runs it under the action's timeout (AbortSignal) and stores the
 * run. A bad config or unknown type is stored as an `error` run explaining
 * why and then fails the job with `UnrecoverableError` (no retry).
 */
@Injectable()
export class RunExecutor {
  private readonly logger = new Logger(RunExecutor.name);

  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    private readonly registry: ActionRegistry,
    private readonly writer: RunWriter,
    private readonly metrics: EngineMetrics,
  ) {}

  async loadAction(actionId: string): Promise<ActionRow | null> {
    const { rows } = await this.pool.query<ActionRow>(
      `SELECT id, project_id, name, action_type, schedule, config, status, timeout_ms, updated_at FROM audit.actions WHERE id = $1`,
      [actionId],
    );
    return rows[0] ?? null;
  }

  async execute(job: CheckJob): Promise<ExecuteResult> {
    const startedAt = new Date();
    const manual = job.data.runId !== undefined;
    const trigger: RunTrigger = manual ? 'manual' : job.attempt > 1 ? 'retry' : 'schedule';
    const action = await this.loadAction(job.data.actionId);
    if (!action) return { kind: 'skipped', reason: `action ${job.data.actionId} no longer exists` };
    if (!manual && action.status !== 'active') return { kind: 'skipped', reason: `action ${action.id} is ${action.status}` };
    if (!manual) this.metrics.scheduleLag.observe(Math.max(0, (startedAt.getTime() - job.scheduledAt.getTime()) / 1000));
    const base = { id: job.data.runId ?? randomUUID(), scheduledAt: job.scheduledAt, jobId: job.id, trigger };

    const type = this.registry.get(action.action_type);
    if (!type) {
      const known = this.registry
        .list()
        .map((t) => t.type)
        .join(', ');
      await this.recordError(
        action,
        base,
        startedAt,
        RUN_ERROR_CODES.unknownType,
        `unknown action type "${action.action_type}" (registered: ${known}); the action is skipped until it is fixed`,
      );
      throw new UnrecoverableError(`unknown action type ${action.action_type}`);
    }
    const parsed = type.config.safeParse(action.config);
    if (!parsed.success) {
      await this.recordError(
        action,
        base,
        startedAt,
        RUN_ERROR_CODES.configInvalid,
        `config does not match the ${type.type} schema: ${formatIssues(parsed.error).join('; ')}`,
      );
      throw new UnrecoverableError(`invalid config for action ${action.id}`);
    }

    const outcome = await this.runHandler(type, action, parsed.data, job, startedAt, trigger);
    const finishedAt = new Date();
    const result = await this.store(action, base, startedAt, finishedAt, outcome.status, outcome.message, outcome.output, outcome.checks);
    this.metrics.runDuration.observe({ action_type: action.action_type }, (finishedAt.getTime() - startedAt.getTime()) / 1000);
    return result;
  }

  /** Stores an `error` run for a firing that cannot run (also used by the scheduler for an invalid schedule). */
  async recordError(
    action: Pick<ActionRow, 'id' | 'project_id' | 'action_type'>,
    base: { id: string; scheduledAt: Date; jobId: string; trigger: RunTrigger },
    startedAt: Date,
    code: RunErrorCode,
    message: string,
  ): Promise<ExecuteResult> {
    this.logger.warn(`action ${action.id}: ${message}`);
    return this.store(action, base, startedAt, new Date(), 'error', message, { checks: [], error: { code, message } }, []);
  }

  private async store(
    action: Pick<ActionRow, 'id' | 'project_id' | 'action_type'>,
    base: { id: string; scheduledAt: Date; jobId: string; trigger: RunTrigger },
    startedAt: Date,
    finishedAt: Date,
    status: RunStatus,
    message: string,
    output: Record<string, unknown>,
    checks: readonly Check[],
  ): Promise<ExecuteResult> {
    const record: RunRecord = {
      ...base,
      actionId: action.id,
      projectId: action.project_id,
      actionType: action.action_type,
      status,
      message,
      output,
      checks,
      startedAt,
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    };
    const result = await this.writer.write(record);
    if (result.written) this.metrics.runs.inc({ action_type: action.action_type, status });
    return { kind: 'run', status, ...result };
  }

  private async runHandler(
    type: RegisteredActionType,
    action: ActionRow,
    config: unknown,
    job: CheckJob,
    startedAt: Date,
    trigger: RunTrigger,
  ): Promise<{ status: RunStatus; message: string; output: Record<string, unknown>; checks: readonly Check[] }> {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(new Error(`timed out after ${action.timeout_ms} ms`)), action.timeout_ms);
    const onShutdown = (): void => controller.abort(new Error('engine shutting down'));
    job.signal?.addEventListener('abort', onShutdown, { once: true });
    const ctx: ActionContext = {
      signal: controller.signal,
      now: () => new Date(),
      scheduledAt: job.scheduledAt,
      trigger,
      logger: new Logger(`action:${action.action_type}`),
    };
    let aborted: (() => void) | undefined;
    try {
      // A handler that ignores the signal still cannot hold the run past its timeout.
      const abortedPromise = new Promise<never>((_, reject) => {
        aborted = () => reject(controller.signal.reason);
        controller.signal.addEventListener('abort', aborted, { once: true });
      });
      const outcome: RunOutcome = await Promise.race([
        type.handler.run(
          { id: action.id, projectId: action.project_id, name: action.name, actionType: action.action_type, config, timeoutMs: action.timeout_ms },
          ctx,
        ),
        abortedPromise,
      ]);
      return this.normalise(type, outcome);
    } catch (error) {
      const timedOut = controller.signal.aborted;
      const reason = error instanceof Error ? error.message : String(error);
      const code: RunErrorCode = timedOut ? RUN_ERROR_CODES.timeout : RUN_ERROR_CODES.handlerFailed;
      const message = timedOut ? `the run did not finish: ${reason}` : `the ${type.type} handler failed: ${reason}`;
      this.logger.warn(`action ${action.id} (${Date.now() - startedAt.getTime()} ms): ${message}`);
      return { status: 'error', message, output: { checks: [], error: { code, message: message.slice(0, 4000) } }, checks: [] };
    } finally {
      clearTimeout(timeout);
      if (aborted) controller.signal.removeEventListener('abort', aborted);
      job.signal?.removeEventListener('abort', onShutdown);
    }
  }

  /** Validates what a handler returned; the status comes from the checks unless the handler reports `error`. */
  private normalise(
    type: RegisteredActionType,
    outcome: RunOutcome,
  ): { status: RunStatus; message: string; output: Record<string, unknown>; checks: readonly Check[] } {
    const checks = ChecksSchema.safeParse(outcome.checks ?? []);
    if (!checks.success) {
      const message = `the ${type.type} handler returned invalid checks: ${formatIssues(checks.error).slice(0, 5).join('; ')}`;
      return { status: 'error', message, output: { checks: [], error: { code: RUN_ERROR_CODES.outputInvalid, message } }, checks: [] };
    }
    let extra: Record<string, unknown> = {};
    if (outcome.output !== undefined) {
      const result = type.result ? type.result.safeParse(outcome.output) : { success: true as const, data: outcome.output };
      if (!result.success) {
        const message = `the ${type.type} handler returned an output that fails its result schema: ${formatIssues(result.error).slice(0, 5).join('; ')}`;
        return { status: 'error', message, output: { checks: checks.data, error: { code: RUN_ERROR_CODES.outputInvalid, message } }, checks: checks.data };
      }
      extra = { details: result.data as Record<string, unknown> };
    }
    const status: RunStatus = outcome.status === 'error' ? 'error' : checks.data.length > 0 ? statusFromChecks(checks.data) : outcome.status;
    const message = outcome.message || summariseChecks(checks.data);
    return { status, message, output: { checks: checks.data, ...extra }, checks: checks.data };
  }
}
