import { z } from 'zod';
import { ApiTimestampSchema } from '../api-types.schema';
import { pageOf, PageQuerySchema } from '../page.schema';
import { AUTHENTICATED_ERRORS, defineRoute } from '../route.contract';
import { ENTITLEMENTS } from '../../constants/entitlements';
import { ACTION_STATUSES, ACTION_TIMEOUT_MS, ActionCreateSchema, ActionUpdateSchema } from '../../schemas/action.schema';
import { UuidSchema } from '../../schemas/common.schema';
import { IdParamsSchema, LIST_ERRORS, PlainPageQuerySchema, READ_ERRORS, ResponseJsonObjectSchema } from './engine-shared.schema';

/** An action as the API returns it (`audit.actions` row). */
export const ActionResponseSchema = z
  .object({
    id: UuidSchema,
    project_id: UuidSchema,
    name: z.string().meta({ description: 'Unique within the project.', example: 'SPF of example.com' }),
    action_type: z.string().meta({ description: 'A registered action type (`GET /v1/action-types`).', example: 'dns_spf' }),
    schedule: z.string().meta({ description: '5-field cron expression, evaluated in UTC.', example: '*/15 * * * *' }),
    config: ResponseJsonObjectSchema.meta({
      description: "The action type's config (its schema: `config_schema` of the action type).",
      example: { domain: 'example.com' },
    }),
    description: z.string(),
    status: z.enum(ACTION_STATUSES).meta({ description: 'A paused action is kept but never scheduled.' }),
    timeout_ms: z
      .number()
      .int()
      .meta({ description: `How long one run may take (${ACTION_TIMEOUT_MS.min}–${ACTION_TIMEOUT_MS.max} ms).`, example: ACTION_TIMEOUT_MS.default }),
    created_at: ApiTimestampSchema,
    updated_at: ApiTimestampSchema,
  })
  .meta({ id: 'Action', description: 'A scheduled check or operation of a project.' });

const ACTION_EXAMPLE = {
  project_id: '0193a7e2-5b7c-7d3e-9a4f-2b1c3d4e5f60',
  name: 'SPF of example.com',
  action_type: 'dns_spf',
  schedule: '*/15 * * * *',
  config: { domain: 'example.com' },
};

/** Body of `POST /v1/actions`. */
export const ActionCreateBodySchema = ActionCreateSchema.meta({
  id: 'ActionCreate',
  description: "A new action. `config` must pass the action type's schema (`config_schema` in `GET /v1/action-types`); `schedule` is a 5-field cron in UTC.",
  example: ACTION_EXAMPLE,
});
/** Body of `PATCH /v1/actions/{id}`: at least one field. */
export const ActionUpdateBodySchema = ActionUpdateSchema.meta({
  id: 'ActionUpdate',
  description: 'The fields to change (at least one); omitted fields are left unchanged. `project_id` cannot change.',
  example: { schedule: '0 * * * *' },
});

/** `202` of `POST /v1/actions/{id}/run`: the run to expect. */
export const RunRequestedSchema = z
  .object({
    run_id: UuidSchema.meta({ description: 'The id the run will have (`GET /v1/runs/{id}` once it finished).' }),
    action_id: UuidSchema,
    requested_at: ApiTimestampSchema,
  })
  .meta({ id: 'RunRequested', description: 'A manual run was queued; the run appears within the action’s timeout.' });

/** A registered action type with the JSON Schemas of its config and result. */
export const ActionTypeSchema = z
  .object({
    id: z.string().meta({ description: 'The type id (`action_type` of an action).', example: 'tls_cert' }),
    description: z.string(),
    config_schema: ResponseJsonObjectSchema.meta({ description: 'JSON Schema (draft 2020-12) of the config; forms are rendered from it.' }),
    result_schema: ResponseJsonObjectSchema.optional().meta({ description: "JSON Schema of the run's `output.details`, when the type declares one." }),
  })
  .meta({ id: 'ActionType' });

/** Query of `GET /v1/actions`. */
export const ActionListQuerySchema = z.strictObject({
  ...PageQuerySchema.shape,
  project_id: UuidSchema.optional().meta({ description: 'Only the actions of this project.' }),
});

/** Keyset position of the action list (by project, then name). */
export const ActionCursorSchema = z.strictObject({ project_id: UuidSchema, name: z.string().max(400) });
/** Keyset position of the action-type list (by id). */
export const ActionTypeCursorSchema = z.strictObject({ id: z.string().max(63) });

const tags = ['actions'];
const write = { auth: 'bearer', entitlement: ENTITLEMENTS.actionsWrite } as const;
const read = { auth: 'bearer', entitlement: ENTITLEMENTS.actionsRead } as const;

/** Actions and action types. */
export const ACTION_ROUTES = {
  listActions: defineRoute({
    operationId: 'listActions',
    method: 'GET',
    path: '/v1/actions',
    summary: 'List actions',
    description: 'Actions by project, then name; optionally of one project.',
    tags,
    ...read,
    query: ActionListQuerySchema,
    response: { description: 'A page of actions.', schema: pageOf(ActionResponseSchema).meta({ id: 'ActionPage' }) },
    errors: LIST_ERRORS,
  }),
  getAction: defineRoute({
    operationId: 'getAction',
    method: 'GET',
    path: '/v1/actions/{id}',
    summary: 'Get an action',
    tags,
    ...read,
    params: IdParamsSchema,
    response: { description: 'The action.', schema: ActionResponseSchema },
    errors: READ_ERRORS,
  }),
  createAction: defineRoute({
    operationId: 'createAction',
    method: 'POST',
    path: '/v1/actions',
    summary: 'Create an action',
    description:
      "`config` must pass the action type's schema (400 naming `config.<field>`); an unregistered `action_type` or `project_id` is a 422; a name taken in the project a 409. Scheduled at once; the change is recorded in the ledger.",
    tags,
    ...write,
    body: ActionCreateBodySchema,
    bodyExample: ACTION_EXAMPLE,
    response: { status: 201, description: 'The stored action.', schema: ActionResponseSchema },
    errors: [400, 409, 422, ...AUTHENTICATED_ERRORS],
  }),
  updateAction: defineRoute({
    operationId: 'updateAction',
    method: 'PATCH',
    path: '/v1/actions/{id}',
    summary: 'Update an action',
    description: 'Changes the given fields; a new `config` or `action_type` is checked like on create. Rescheduled at once.',
    tags,
    ...write,
    params: IdParamsSchema,
    body: ActionUpdateBodySchema,
    response: { description: 'The updated action.', schema: ActionResponseSchema },
    errors: [400, 404, 409, 422, ...AUTHENTICATED_ERRORS],
  }),
  deleteAction: defineRoute({
    operationId: 'deleteAction',
    method: 'DELETE',
    path: '/v1/actions/{id}',
    summary: 'Delete an action',
    description: 'Its schedule is removed; its runs are kept.',
    tags,
    ...write,
    params: IdParamsSchema,
    response: { status: 204, description: 'Deleted.' },
    errors: READ_ERRORS,
  }),
  pauseAction: defineRoute({
    operationId: 'pauseAction',
    method: 'POST',
    path: '/v1/actions/{id}/pause',
    summary: 'Pause an action',
    description: 'Keeps the action, stops scheduling it (recorded as `pause`).',
    tags,
    ...write,
    params: IdParamsSchema,
    response: { description: 'The paused action.', schema: ActionResponseSchema },
    errors: READ_ERRORS,
  }),
  resumeAction: defineRoute({
    operationId: 'resumeAction',
    method: 'POST',
    path: '/v1/actions/{id}/resume',
    summary: 'Resume an action',
    description: 'Schedules a paused action again (recorded as `resume`).',
    tags,
    ...write,
    params: IdParamsSchema,
    response: { description: 'The active action.', schema: ActionResponseSchema },
    errors: READ_ERRORS,
  }),
  runAction: defineRoute({
    operationId: 'runAction',
    method: 'POST',
    path: '/v1/actions/{id}/run',
    summary: 'Run an action now',
    description: 'Queues a run with trigger `manual` and answers at once with the run id; the run appears within the action’s timeout.',
    tags,
    ...write,
    params: IdParamsSchema,
    response: { status: 202, description: 'The run is queued.', schema: RunRequestedSchema },
    errors: READ_ERRORS,
  }),
  listActionTypes: defineRoute({
    operationId: 'listActionTypes',
    method: 'GET',
    path: '/v1/action-types',
    summary: 'List action types',
    description: 'The registered action types, by id, with the JSON Schema of their config (the dashboard renders forms from it) and result.',
    tags: ['action-types'],
    ...read,
    query: PlainPageQuerySchema,
    response: { description: 'A page of action types.', schema: pageOf(ActionTypeSchema).meta({ id: 'ActionTypePage' }) },
    errors: LIST_ERRORS,
  }),
} as const;
