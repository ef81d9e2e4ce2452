import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { ACTION_TYPE_ID_PATTERN } from '../constants/action-types';
import { boundedText, JsonObjectSchema, named, strictObject, UtcTimestampSchema, UuidSchema, withPath } from './common.schema';

/** Longest schedule accepted (a cron line is short; anything longer is noise or an attack). */
const MAX_CRON_LENGTH = 200;
/** Longest parser reason quoted back in a message. */
const MAX_REASON_LENGTH = 160;

/**
 * Why `expression` is not a standard 5-field cron evaluated in UTC, or `null`
 * when it is. Exactly five whitespace-separated fields (minute hour
 * day-of-month month day-of-week) are required: `cron-parser` also accepts a
 * 6-field form with seconds and fewer fields, which BullMQ would then read
 * differently from what a reader of the row expects. Ranges and names are
 * checked by `cron-parser` v5 with `tz: 'UTC'` (the same parser BullMQ uses).
 */
export function cronProblem(expression: string): string | null {
  if (expression.length > MAX_CRON_LENGTH) return `must be at most ${MAX_CRON_LENGTH} characters`;
  const fields = expression
    .trim()
    .split(/\s+/)
    .filter((field) => field !== '');
  if (fields.length !== 5) {
    return `must have exactly 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  }
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' });
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason;
  }
}

/**
 * `schedule`: a standard 5-field cron expression, evaluated in UTC
 * (`*\/5 * * * *`, `0 3 * * MON-FRI`). Output: the fields joined by single spaces.
 */
export const CronScheduleSchema = z
  .string(named('must be a 5-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC'))
  .refine((expression) => cronProblem(expression) === null, {
    error: (issue) =>
      withPath(issue.path, `not a valid 5-field cron expression in UTC: ${typeof issue.input === 'string' ? cronProblem(issue.input) : 'expected a string'}`),
  })
  .transform((expression) => expression.trim().split(/\s+/).join(' '));

/** Action status (`audit.actions.status`): a paused action keeps its row but is never scheduled. */
export const ACTION_STATUSES = ['active', 'paused'] as const;

/** One of {@link ACTION_STATUSES}. */
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** An action status. */
export const ActionStatusSchema = z.enum(ACTION_STATUSES, named(`must be one of ${ACTION_STATUSES.join(', ')}`));

/** `action_type`: a registered type id (see `ACTION_TYPES`); the engine registry decides whether it exists. */
export const ActionTypeIdSchema = z
  .string(named('must be an action type id: lowercase snake_case, 2–63 characters, starting with a letter'))
  .regex(ACTION_TYPE_ID_PATTERN);

/** An action name (unique per project): 1–200 characters of text, trimmed. */
export const ActionNameSchema = z.string(named('must be 1–200 characters of text without control characters')).trim().pipe(boundedText(200, 1));

/** Bounds of `timeout_ms`. */
export const ACTION_TIMEOUT_MS = { min: 100, max: 600_000, default: 30_000 } as const;

/** `timeout_ms`: how long one run may take, 100–600000 ms. */
export const ActionTimeoutSchema = z
  .number(named(`must be an integer between ${ACTION_TIMEOUT_MS.min} and ${ACTION_TIMEOUT_MS.max} (ms)`))
  .int()
  .min(ACTION_TIMEOUT_MS.min)
  .max(ACTION_TIMEOUT_MS.max);

/** The fields a client may set; `config` is validated later against the action type's own schema. */
const editable = {
  name: ActionNameSchema,
  action_type: ActionTypeIdSchema,
  schedule: CronScheduleSchema,
  config: JsonObjectSchema,
  description: boundedText(2000),
  status: ActionStatusSchema,
  timeout_ms: ActionTimeoutSchema,
};

/**
 * Input of `POST /v1/actions`. `config` is a JSON object here; the engine then
 * validates it with the action type's schema before anything is scheduled.
 */
export const ActionCreateSchema = strictObject(
  {
    project_id: UuidSchema,
    name: editable.name,
    action_type: editable.action_type,
    schedule: editable.schedule,
    /** @defaultValue `{}` */
    config: editable.config.default({}),
    /** @defaultValue `''` */
    description: editable.description.default(''),
    /** @defaultValue `'active'` */
    status: editable.status.default('active'),
    /** @defaultValue 30000 */
    timeout_ms: editable.timeout_ms.default(ACTION_TIMEOUT_MS.default),
  },
  'an action',
);

/** A parsed action creation request (defaults applied). */
export type ActionCreate = z.output<typeof ActionCreateSchema>;

/** An action creation request as a client sends it. */
export type ActionCreateInput = z.input<typeof ActionCreateSchema>;

/**
 * Input of `PATCH /v1/actions/:id`: any editable field, at least one; no
 * defaults are applied (an omitted field is left unchanged). `project_id`
 * cannot change.
 */
export const ActionUpdateSchema = strictObject(
  {
    name: editable.name.optional(),
    action_type: editable.action_type.optional(),
    schedule: editable.schedule.optional(),
    config: editable.config.optional(),
    description: editable.description.optional(),
    status: editable.status.optional(),
    timeout_ms: editable.timeout_ms.optional(),
  },
  'an action update',
).refine((update) => Object.keys(update).length > 0, {
  error: 'an action update must change at least one field',
});

/** A parsed action update. */
export type ActionUpdate = z.output<typeof ActionUpdateSchema>;

/** A stored action (`audit.actions` row, API response). */
export const ActionSchema = strictObject(
  {
    id: UuidSchema,
    project_id: UuidSchema,
    ...editable,
    created_at: UtcTimestampSchema,
    updated_at: UtcTimestampSchema,
  },
  'an action',
);

/** A stored action. */
export type Action = z.output<typeof ActionSchema>;
