/**
 * Why a run ended in `error` (`audit.runs.output.error.code`). Persisted in
 * every error run and read by dashboards and alerts: never rename one
 * without a migration of the stored runs.
 */
export const RUN_ERROR_CODES = {
  /** The action names an action type no handler is registered for. */
  unknownType: 'unknown_type',
  /** The stored config does not pass the action type's schema. */
  configInvalid: 'config_invalid',
  /** The stored schedule is not a valid cron expression. */
  invalidSchedule: 'invalid_schedule',
  /** The run exceeded the action's `timeout_ms`. */
  timeout: 'timeout',
  /** The handler threw. */
  handlerFailed: 'handler_failed',
  /** The handler's outcome did not match the run output or check schema. */
  outputInvalid: 'output_invalid',
  /** A scheduled firing left no run (engine, database or queue down); recorded after recovery. */
  missed: 'missed',
} as const;

/** One of {@link RUN_ERROR_CODES}. */
export type RunErrorCode = (typeof RUN_ERROR_CODES)[keyof typeof RUN_ERROR_CODES];
