import type { z } from 'zod';
import type { Check, RunStatus, RunTrigger } from '@auditstack/audit-core';

/** The part of a stored action a handler sees. `config` is already parsed by the type's schema. */
export interface ActionView<C> {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly actionType: string;
  readonly config: C;
  readonly timeoutMs: number;
}

/** A minimal logger (Nest's `Logger` satisfies it). */
export interface ActionLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What a handler receives for one run. */
export interface ActionContext {
  /** Aborted when the action's `timeout_ms` elapses or the engine shuts down: pass it to all network I/O. */
  readonly signal: AbortSignal;
  /** The clock the run is judged against (the firing time is `scheduledAt`). */
  now(): Date;
  readonly scheduledAt: Date;
  readonly logger: ActionLogger;
  readonly trigger: RunTrigger;
}

/** What a handler returns. The run's status is derived from the checks unless the handler says `error`. */
export interface RunOutcome {
  readonly status: RunStatus;
  readonly message: string;
  readonly checks: readonly Check[];
  /** Type-specific output (validated by the type's `result` schema when it declares one). */
  readonly output?: Record<string, unknown>;
}

/** One action type: a class decorated with `@ActionType`, discovered at boot. */
export interface ActionHandler<C = unknown> {
  run(action: ActionView<C>, ctx: ActionContext): Promise<RunOutcome>;
  /**
   * Optional: checks a config that passed the schema against stored state
   * before the API saves it (e.g. that a referenced workbook exists). Returns
   * the problems, each naming its field (`config.workbook: …`); empty when fine.
   */
  checkConfig?(config: C): Promise<string[]>;
}

/** Metadata given to `@ActionType`. */
export interface ActionTypeOptions {
  /** Persisted id (`audit.actions.action_type`, job name): a constant from `ACTION_TYPES`, or lowercase snake_case. */
  readonly type: string;
  /** Zod schema of `config`; the API, the worker and the dashboard form all read it. */
  readonly config: z.ZodType;
  /** Zod schema of the type-specific `output` of a run. */
  readonly result?: z.ZodType;
  /** One line for the action-types list. */
  readonly description?: string;
}

/**
 * A run's status from its checks: any `fail` or `error` check → `fail`;
 * otherwise (all `pass`/`warn`) → `pass`. No checks at all → `pass`.
 */
export function statusFromChecks(checks: readonly Check[]): RunStatus {
  return checks.some((c) => c.status === 'fail' || c.status === 'error') ? 'fail' : 'pass';
}

/** A one-line summary such as `3/4 checks pass (1 fail: http.status)`. */
export function summariseChecks(checks: readonly Check[]): string {
  if (checks.length === 0) return 'no checks produced';
  const pass = checks.filter((c) => c.status === 'pass').length;
  const bad = checks.filter((c) => c.status !== 'pass');
  const detail = bad
    .slice(0, 5)
    .map((c) => `${c.status}: ${c.check_id}`)
    .join(', ');
  const more = bad.length > 5 ? `, +${bad.length - 5} more` : '';
  return `${pass}/${checks.length} checks pass${bad.length ? ` (${detail}${more})` : ''}`;
}

/** The usual outcome of a collector-backed type: status and message derived from the checks. */
export function outcomeFromChecks(checks: readonly Check[], output?: Record<string, unknown>): RunOutcome {
  return { status: statusFromChecks(checks), message: summariseChecks(checks), checks, ...(output ? { output } : {}) };
}
