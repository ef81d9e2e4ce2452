import { z } from 'zod';
import { ActionTypeIdSchema } from './action.schema';
import { CHECK_STATUSES, CheckRuleSchema, CheckSchema } from './check-result.schema';
import {
  boundedText,
  CodeSchema,
  JsonObjectSchema,
  named,
  NonNegativeIntSchema,
  SeqSchema,
  strictObject,
  UtcTimestampSchema,
  UuidSchema,
  withPath,
} from './common.schema';

/** What started a run (`audit.runs.trigger`); `dry_run`: a workbook dry-run (`POST /v1/workbooks/dry-run`), recorded like any execution. */
export const RUN_TRIGGERS = ['schedule', 'manual', 'retry', 'dry_run'] as const;

/** One of {@link RUN_TRIGGERS}. */
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** A run trigger. */
export const RunTriggerSchema = z.enum(RUN_TRIGGERS, named(`must be one of ${RUN_TRIGGERS.join(', ')}`));

/**
 * Outcome of a run (`audit.runs.status`): `pass` — every check passed (or
 * warned); `fail` — a check failed; `error` — the run itself could not
 * complete (timeout, exception, bad config).
 */
export const RUN_STATUSES = ['pass', 'fail', 'error'] as const;

/** One of {@link RUN_STATUSES}. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run status. */
export const RunStatusSchema = z.enum(RUN_STATUSES, named(`must be one of ${RUN_STATUSES.join(', ')}`));

/** Why a run ended in `error`: a code and a bounded message. */
export const RunErrorSchema = strictObject(
  {
    code: CodeSchema,
    message: boundedText(4000),
  },
  'a run error',
);

/**
 * `output` of a run (jsonb): the per-check results a scorecard reads, an
 * optional `error`, and an optional `details` object for what an
 * operational action produces (report paths, counts). Other keys are kept
 * as given (an action type may add its own).
 */
export const RunOutputSchema = z.looseObject(
  {
    /** @defaultValue `[]` */
    checks: z.array(CheckSchema, named('must be an array of checks')).default([]),
    error: RunErrorSchema.optional(),
    details: JsonObjectSchema.optional(),
  },
  named('must be a JSON object'),
);

/** A run's output. */
export type RunOutput = z.output<typeof RunOutputSchema>;

/** A run's message: up to 4000 characters of text. */
const RunMessageSchema = boundedText(4000);

/** Queue job id of a firing (BullMQ ids are strings of this shape; a retry cannot write a second run). */
const JobIdSchema = z
  .string(named("must be a job id: 1–255 characters of A–Z, a–z, 0–9, '.', '_', ':', '/', '-'"))
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,254}$/);

const runFields = strictObject(
  {
    id: UuidSchema,
    action_id: UuidSchema,
    project_id: UuidSchema,
    action_type: ActionTypeIdSchema,
    job_id: JobIdSchema,
    trigger: RunTriggerSchema,
    status: RunStatusSchema,
    message: RunMessageSchema,
    output: RunOutputSchema,
    /** The firing time the scheduler intended (partition key). */
    scheduled_at: UtcTimestampSchema,
    started_at: UtcTimestampSchema,
    finished_at: UtcTimestampSchema,
    duration_ms: NonNegativeIntSchema,
    ledger_seq: SeqSchema.nullable(),
  },
  'a run',
);

function finishedAfterStart(run: { started_at: Date; finished_at: Date }): boolean {
  return run.finished_at.getTime() >= run.started_at.getTime();
}

const FINISHED_AFTER_START = {
  path: ['finished_at'],
  error: (issue: z.core.$ZodRawIssue) => withPath(issue.path, 'must not be before started_at'),
};

/**
 * A stored run (`audit.runs` row, API response): one execution of an
 * action. `finished_at` is not before `started_at`. `ledger_seq` is null
 * until the ledger entry is written (number, or the decimal string `pg`
 * returns for `bigint`).
 */
export const RunSchema = runFields.refine(finishedAfterStart, FINISHED_AFTER_START);

/** A stored run. */
export type Run = z.output<typeof RunSchema>;

/**
 * A run as a worker writes it: the stored shape without `id` (generated)
 * and `ledger_seq` (set by the ledger append in the same transaction).
 */
export const RunWriteSchema = runFields.omit({ id: true, ledger_seq: true }).refine(finishedAfterStart, FINISHED_AFTER_START);

/** A run ready to be written. */
export type RunWrite = z.output<typeof RunWriteSchema>;

/**
 * A `check_results` row: the latest result per (`project_id`, `target`,
 * `check_id`), upserted by every run; what scorecards read.
 */
export const CheckResultRowSchema = strictObject(
  {
    project_id: UuidSchema,
    target: z.string(named('must be 1–500 characters')).min(1).max(500),
    check_id: z.string(named('must be 1–200 characters')).min(1).max(200),
    action_id: UuidSchema,
    run_id: UuidSchema,
    status: z.enum(CHECK_STATUSES, named(`must be one of ${CHECK_STATUSES.join(', ')}`)),
    message: RunMessageSchema,
    rule: CheckRuleSchema,
    evidence: JsonObjectSchema,
    checked_at: UtcTimestampSchema,
  },
  'a check result',
);

/** A latest-check-result row. */
export type CheckResultRow = z.output<typeof CheckResultRowSchema>;
