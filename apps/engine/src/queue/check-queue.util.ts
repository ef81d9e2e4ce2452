import { JOB_ID_PREFIXES } from '@auditstack/audit-core';

/**
 * The small interface the engine needs from a queue, implemented by BullMQ
 * (service mode) and by an in-process timer queue (embedded mode).
 */

/** Data of a check job. Persisted in Redis: keep it small and backwards compatible. */
export interface CheckJobData {
  actionId: string;
  /** Set for run-now: the run id the API already returned. */
  runId?: string;
  /** Set for run-now: when it was requested (the run's `scheduled_at`). */
  requestedAt?: string;
}

/** One firing handed to the processor. */
export interface CheckJob {
  /** Stable across retries: `repeat:<actionId>:<firing ms>` for scheduled firings, `manual-<runId>` for run-now (BullMQ refuses custom ids with one colon). */
  readonly id: string;
  /** The action type (job name); the action row stays the source of truth. */
  readonly name: string;
  readonly data: CheckJobData;
  /** The firing time the scheduler intended. */
  readonly scheduledAt: Date;
  /** 1 on the first attempt; more when the job is retried (an error, or a worker that died). */
  readonly attempt: number;
  /** Aborted when the worker shuts down. */
  readonly signal?: AbortSignal;
}

/** Returns normally when the job is done; throws to retry; throws `UnrecoverableError` to fail without retry. */
export type CheckProcessor = (job: CheckJob) => Promise<void>;

/** What the scheduler keeps per active action. */
export interface ScheduleSpec {
  actionId: string;
  actionType: string;
  /** Cron pattern, evaluated in UTC. */
  pattern: string;
}

export interface CheckQueue {
  readonly mode: 'service' | 'embedded';
  /** Creates or replaces the schedule of one action. */
  upsertSchedule(spec: ScheduleSpec): Promise<void>;
  removeSchedule(actionId: string): Promise<void>;
  /** The schedule of one action, or null. */
  getSchedule(actionId: string): Promise<ScheduleSpec | null>;
  /** Every schedule the queue holds. */
  listSchedules(): Promise<ScheduleSpec[]>;
  /** Enqueues a one-off job now (run-now). */
  enqueue(name: string, data: CheckJobData, jobId: string): Promise<void>;
  /** Starts this process's workers. */
  startWorkers(processor: CheckProcessor): Promise<void>;
  /** Jobs waiting for a worker. */
  depth(): Promise<number>;
  /** Resolves when the queue's store answers (Redis PING in service mode); rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const CHECK_QUEUE = Symbol('CHECK_QUEUE');

/** The job id of a scheduled firing; BullMQ uses the same shape for job-scheduler jobs. */
export function firingJobId(actionId: string, firingMs: number): string {
  return `${JOB_ID_PREFIXES.schedule}${actionId}:${firingMs}`;
}

/** The firing time encoded in a scheduler job id (`repeat:<id>:<ms>`), or null. */
export function firingTimeOf(jobId: string): Date | null {
  if (!jobId.startsWith(JOB_ID_PREFIXES.schedule)) return null;
  const match = /.:(\d{10,16})$/.exec(jobId.slice(JOB_ID_PREFIXES.schedule.length));
  return match?.[1] ? new Date(Number(match[1])) : null;
}
