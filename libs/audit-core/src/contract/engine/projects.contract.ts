import { z } from 'zod';
import { ApiCountSchema, ApiTimestampSchema } from '../api-types.schema';
import { pageOf } from '../page.schema';
import { AUTHENTICATED_ERRORS, defineRoute } from '../route.contract';
import { ENTITLEMENTS } from '../../constants/entitlements';
import { CHECK_STATUSES } from '../../schemas/check-result.schema';
import { named, UuidSchema } from '../../schemas/common.schema';
import { ProjectCreateSchema, ProjectUpdateSchema } from '../../schemas/project.schema';
import { IdParamsSchema, LIST_ERRORS, PlainPageQuerySchema, READ_ERRORS, ResponseJsonObjectSchema } from './engine-shared.schema';

/** A project as the API returns it (`audit.projects` row). */
export const ProjectResponseSchema = z
  .object({
    id: UuidSchema,
    name: z.string().meta({ description: 'Unique project name: a repo, product or tenant.', example: 'acme-web' }),
    description: z.string().meta({ example: 'Public website and its mail domain' }),
    created_at: ApiTimestampSchema,
    updated_at: ApiTimestampSchema,
  })
  .meta({ id: 'Project', description: 'A project: a repo, product or tenant that actions belong to.' });

/** Body of `POST /v1/projects`. */
export const ProjectCreateBodySchema = ProjectCreateSchema.meta({
  id: 'ProjectCreate',
  description: 'A new project. `name` is unique (1–200 characters); `description` defaults to "".',
  example: { name: 'acme-web', description: 'Public website and its mail domain' },
});
/** Body of `PATCH /v1/projects/{id}`: at least one field. */
export const ProjectUpdateBodySchema = ProjectUpdateSchema.meta({
  id: 'ProjectUpdate',
  description: 'The fields to change (at least one); omitted fields are left unchanged.',
  example: { description: 'Website, mail and DNS' },
});

/** Scorecard colour: all pass → green; any warn → amber; any fail or error → red; no results yet → grey. */
export const BadgeSchema = z.enum(['green', 'amber', 'red', 'grey']).meta({
  description:
    "green: all pass; amber: a warn; red: a fail or error, an active action whose latest run is `fail` or `error` (with or without checks) or an active action that cannot be scheduled (see `reasons`); grey: no active action has run yet. Paused actions' results do not count.",
});

/** Why a card is red beyond its check counts (issue 15 item 4). */
export const CardReasonSchema = z
  .object({
    action_id: UuidSchema,
    action_name: z.string().meta({ example: 'nightly' }),
    kind: z
      .enum(['fail', 'error', 'unschedulable'])
      .meta({ description: "The latest run's status, or `unschedulable`: no or unknown action type, invalid cron, or a config the type's schema refuses." }),
    text: z.string().meta({
      description: 'The line the card shows.',
      example: "nightly: cannot be scheduled — invalid cron '61 * * * *'",
    }),
    run_id: UuidSchema.nullable().meta({ description: 'The latest run the reason rests on; null when the action cannot be scheduled.' }),
    at: ApiTimestampSchema.nullable().meta({ description: 'When that run started; null when the action cannot be scheduled.' }),
  })
  .meta({ id: 'CardReason' });

const healthFields = {
  reasons: z.array(CardReasonSchema).meta({
    description:
      'Why the badge is red besides failing checks, one per active action, by action name (at most 10; `reason_count` has them all). Empty on a scorecard of one `target` (a run without checks names no target).',
  }),
  reason_count: ApiCountSchema.meta({ description: 'Active actions that are a reason.' }),
  last_run_at: ApiTimestampSchema.nullable().meta({
    description:
      "End of the newest latest run of an active action (a run without checks included; not the scheduler's 'cannot be scheduled' error runs); null when none has run.",
  }),
};

const StatusCountsSchema = z
  .object({ pass: ApiCountSchema, warn: ApiCountSchema, fail: ApiCountSchema, error: ApiCountSchema })
  .meta({ id: 'CheckStatusCounts', description: 'Latest check results by status.' });

const scoreFields = {
  score: ApiCountSchema.meta({ description: 'Checks whose latest result is pass or warn.' }),
  total: ApiCountSchema.meta({ description: 'Checks with a latest result.' }),
  score_text: z.string().meta({ description: '`score/total`.', example: '7/9' }),
  badge: BadgeSchema,
  last_audit_at: ApiTimestampSchema.nullable().meta({ description: 'Time of the newest result; null before the first.' }),
  counts: StatusCountsSchema,
};

/** One card of the overview: a project's score, badge and counts. */
export const ProjectCardSchema = z
  .object({
    project_id: UuidSchema,
    name: z.string(),
    description: z.string(),
    ...scoreFields,
    ...healthFields,
    actions: z.object({ active: ApiCountSchema, paused: ApiCountSchema }).meta({ description: 'Actions of the project by status.' }),
    targets: z.array(z.string()).meta({ description: 'Targets with a latest result (hosts, domains).' }),
  })
  .meta({ id: 'ProjectCard' });

/** `GET /v1/overview`: one card per project, by name. */
export const OverviewResponseSchema = z
  .object({ projects: z.array(ProjectCardSchema) })
  .meta({ id: 'Overview', description: 'One card per project, by name.' });

/** One check of a scorecard: its latest result and its recent history. */
export const ScorecardCheckSchema = z
  .object({
    check_id: z.string().meta({ example: 'spf.record' }),
    target: z.string().meta({ example: 'example.com' }),
    status: z.enum(CHECK_STATUSES),
    message: z.string(),
    rule: ResponseJsonObjectSchema.meta({ description: 'The rule applied: `{ id, description, reference? }`.' }),
    evidence: ResponseJsonObjectSchema.meta({ description: 'What the verdict rests on (DNS answers, certificate summary, …).' }),
    checked_at: ApiTimestampSchema,
    run_id: UuidSchema,
    action_id: UuidSchema,
    history: z
      .array(
        z.object({
          run_id: UuidSchema,
          status: z.string().meta({ description: 'The check status in that run.', example: 'pass' }),
          started_at: ApiTimestampSchema,
        }),
      )
      .meta({ description: 'Earlier results of this check, newest first (up to 10).' }),
  })
  .meta({ id: 'ScorecardCheck' });

/** `GET /v1/projects/{id}/scorecard`. */
export const ScorecardResponseSchema = z
  .object({
    project_id: UuidSchema,
    name: z.string(),
    target: z.string().nullable().meta({ description: 'The target asked for; null for all.' }),
    ...scoreFields,
    ...healthFields,
    checks: z.array(ScorecardCheckSchema),
  })
  .meta({ id: 'Scorecard', description: 'The latest result of each check of a project, with its history.' });

/** Query of `GET /v1/projects/{id}/scorecard`. */
export const ScorecardQuerySchema = z.strictObject({
  target: z
    .string(named('must be 1–500 characters'))
    .min(1)
    .max(500)
    .optional()
    .meta({ description: 'Only this target (e.g. a mail domain).', example: 'example.com' }),
});

/** Keyset position of the project list (by name, then id). */
export const ProjectCursorSchema = z.strictObject({ name: z.string().max(400), id: UuidSchema });

const tags = ['projects'];

/** Projects, the overview and scorecards. */
export const PROJECT_ROUTES = {
  listProjects: defineRoute({
    operationId: 'listProjects',
    method: 'GET',
    path: '/v1/projects',
    summary: 'List projects',
    description: 'Every project, by name, a page at a time.',
    tags,
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsRead,
    query: PlainPageQuerySchema,
    response: { description: 'A page of projects.', schema: pageOf(ProjectResponseSchema).meta({ id: 'ProjectPage' }) },
    errors: LIST_ERRORS,
  }),
  getProject: defineRoute({
    operationId: 'getProject',
    method: 'GET',
    path: '/v1/projects/{id}',
    summary: 'Get a project',
    tags,
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsRead,
    params: IdParamsSchema,
    response: { description: 'The project.', schema: ProjectResponseSchema },
    errors: READ_ERRORS,
  }),
  createProject: defineRoute({
    operationId: 'createProject',
    method: 'POST',
    path: '/v1/projects',
    summary: 'Create a project',
    description: 'The change is recorded in the evidence ledger (a `config` leaf). 409 when the name is taken.',
    tags,
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsWrite,
    body: ProjectCreateBodySchema,
    bodyExample: { name: 'acme-web', description: 'Public website and its mail domain' },
    response: { status: 201, description: 'The stored project.', schema: ProjectResponseSchema },
    errors: [400, 409, ...AUTHENTICATED_ERRORS],
  }),
  updateProject: defineRoute({
    operationId: 'updateProject',
    method: 'PATCH',
    path: '/v1/projects/{id}',
    summary: 'Update a project',
    description: 'Changes the given fields (recorded in the ledger). 409 when the new name is taken.',
    tags,
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsWrite,
    params: IdParamsSchema,
    body: ProjectUpdateBodySchema,
    response: { description: 'The updated project.', schema: ProjectResponseSchema },
    errors: [400, 404, 409, ...AUTHENTICATED_ERRORS],
  }),
  deleteProject: defineRoute({
    operationId: 'deleteProject',
    method: 'DELETE',
    path: '/v1/projects/{id}',
    summary: 'Delete a project',
    description: 'Deletes the project and its actions (their schedules are removed); stored runs are kept. Each deletion is recorded in the ledger.',
    tags,
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsWrite,
    params: IdParamsSchema,
    response: { status: 204, description: 'Deleted.' },
    errors: READ_ERRORS,
  }),
  getProjectScorecard: defineRoute({
    operationId: 'getProjectScorecard',
    method: 'GET',
    path: '/v1/projects/{id}/scorecard',
    summary: "A project's scorecard",
    description: 'The latest result of each check of the project (optionally of one target), with each check’s recent history.',
    tags,
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsRead,
    params: IdParamsSchema,
    query: ScorecardQuerySchema,
    response: { description: 'The scorecard.', schema: ScorecardResponseSchema },
    errors: READ_ERRORS,
  }),
  getOverview: defineRoute({
    operationId: 'getOverview',
    method: 'GET',
    path: '/v1/overview',
    summary: 'Overview cards',
    description:
      "One card per project: score X/N over its active actions' latest check results, badge (green/amber/red; grey until an active action has run), the reasons a card is red (an active action's latest run failed or errored, or it cannot be scheduled), last audit and run times, counts. A summary of every project, not a paged collection.",
    tags: ['overview'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsRead,
    response: { description: 'The cards.', schema: OverviewResponseSchema },
    errors: [...AUTHENTICATED_ERRORS],
  }),
} as const;
