import { z } from 'zod';
import { ApiCountSchema, ApiTimestampSchema } from '../api-types.schema';
import { pageOf, PageQuerySchema } from '../page.schema';
import { defineRoute } from '../route.contract';
import { ENTITLEMENTS } from '../../constants/entitlements';
import { CHECK_STATUSES } from '../../schemas/check-result.schema';
import { UtcTimestampSchema, UuidSchema } from '../../schemas/common.schema';
import { RUN_STATUSES, RUN_TRIGGERS, RunStatusSchema } from '../../schemas/run.schema';
import { IdParamsSchema, LIST_ERRORS, READ_ERRORS, ResponseJsonObjectSchema } from './engine-shared.schema';

/** One check of a run's output, as the API returns it. */
export const RunCheckSchema = z
  .looseObject({
    check_id: z.string().meta({ example: 'tls.expiry' }),
    target: z.string().meta({ example: 'example.com:443' }),
    status: z.enum(CHECK_STATUSES).meta({ description: 'pass, warn (counts against the badge, not the score), fail or error.' }),
    message: z.string(),
    rule: ResponseJsonObjectSchema.meta({ description: 'The rule applied: `{ id, description, reference? }` (e.g. `RFC 7208 §4.6.4`).' }),
    evidence: ResponseJsonObjectSchema.optional().meta({ description: 'What the verdict rests on.' }),
  })
  .meta({ id: 'Check', description: 'One check produced by a run.' });

/** `output` of a run. */
export const RunOutputResponseSchema = z
  .looseObject({
    checks: z.array(RunCheckSchema).optional().meta({ description: 'The per-check results (what scorecards read).' }),
    error: z
      .object({ code: z.string().meta({ description: 'A run error code (stable).', example: 'timeout' }), message: z.string() })
      .optional()
      .meta({ description: 'Why the run ended in `error`.' }),
    details: ResponseJsonObjectSchema.optional().meta({ description: 'What an operational action produced (report paths, counts).' }),
  })
  .meta({ id: 'RunOutput', description: 'Checks, an optional error and details; an action type may add keys.' });

/** A run as the API returns it (`audit.runs` row). */
export const RunResponseSchema = z
  .object({
    id: UuidSchema,
    action_id: UuidSchema.meta({ description: 'The action run (the nil UUID for a workbook dry run).' }),
    project_id: UuidSchema,
    action_type: z.string().meta({ example: 'tls_cert' }),
    job_id: z.string().meta({ description: 'The queue job of the firing (a retry cannot write a second run).' }),
    trigger: z.enum(RUN_TRIGGERS),
    status: z.enum(RUN_STATUSES).meta({ description: 'pass: every check passed or warned; fail: a check failed; error: the run could not complete.' }),
    message: z.string(),
    output: RunOutputResponseSchema,
    scheduled_at: ApiTimestampSchema.meta({ description: 'The firing time the scheduler intended.' }),
    started_at: ApiTimestampSchema,
    finished_at: ApiTimestampSchema,
    duration_ms: ApiCountSchema,
    ledger_seq: ApiCountSchema.nullable().meta({ description: 'Sequence number of the run’s evidence-ledger leaf; null until written.' }),
  })
  .meta({ id: 'Run', description: 'One execution of an action.' });

/** Query of `GET /v1/runs`: filters plus the page. `from`/`to` bound `started_at` (from inclusive, to exclusive). */
export const RunListQuerySchema = z.strictObject({
  ...PageQuerySchema.shape,
  project_id: UuidSchema.optional().meta({ description: 'Only runs of this project.' }),
  action_id: UuidSchema.optional().meta({ description: 'Only runs of this action.' }),
  status: RunStatusSchema.optional().meta({ description: 'Only runs with this status.' }),
  from: UtcTimestampSchema.optional().meta({ description: 'ISO-8601; inclusive bound on started_at.', example: '2026-01-01T00:00:00Z' }),
  to: UtcTimestampSchema.optional().meta({ description: 'ISO-8601; exclusive bound on started_at.', example: '2026-02-01T00:00:00Z' }),
});

/** Keyset position of the run list (newest first: started_at in microseconds since the epoch, then id, descending). */
export const RunCursorSchema = z.strictObject({ started_us: z.string().regex(/^-?[0-9]{1,19}$/), id: UuidSchema });

/** Run history. */
export const RUN_ROUTES = {
  listRuns: defineRoute({
    operationId: 'listRuns',
    method: 'GET',
    path: '/v1/runs',
    summary: 'List runs',
    description: 'Runs, newest first (by started_at), filtered by project, action, status and time.',
    tags: ['runs'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsRead,
    query: RunListQuerySchema,
    response: { description: 'A page of runs.', schema: pageOf(RunResponseSchema).meta({ id: 'RunPage' }) },
    errors: LIST_ERRORS,
  }),
  getRun: defineRoute({
    operationId: 'getRun',
    method: 'GET',
    path: '/v1/runs/{id}',
    summary: 'Get a run',
    tags: ['runs'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsRead,
    params: IdParamsSchema,
    response: { description: 'The run.', schema: RunResponseSchema },
    errors: READ_ERRORS,
  }),
} as const;
