/**
 * Prefixes of queue job ids (`audit.runs.job_id`, BullMQ job ids). A run is
 * unique per (job id, firing time), so a retried job can never write a
 * second run: the shapes are persisted and must not change.
 */
export const JOB_ID_PREFIXES = {
  /** A scheduled firing: `repeat:<actionId>:<firing ms>` (BullMQ's job-scheduler shape). */
  schedule: 'repeat:',
  /** A run-now: `manual-<runId>` (BullMQ refuses custom ids with exactly one colon). */
  manual: 'manual-',
  /** A workbook dry run: `dry-run:<runId>`. */
  dryRun: 'dry-run:',
  /** The error run recording an action that cannot be scheduled: `invalid:<actionId>`. */
  invalid: 'invalid:',
} as const;

/** One of {@link JOB_ID_PREFIXES}. */
export type JobIdPrefix = (typeof JOB_ID_PREFIXES)[keyof typeof JOB_ID_PREFIXES];
