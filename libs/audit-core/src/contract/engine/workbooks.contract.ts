import { z } from 'zod';
import { ApiCountSchema, ApiTimestampSchema } from '../api-types.schema';
import { pageOf } from '../page.schema';
import { AUTHENTICATED_ERRORS, defineRoute } from '../route.contract';
import { ENTITLEMENTS } from '../../constants/entitlements';
import { CHECK_STATUSES } from '../../schemas/check-result.schema';
import { named, PositiveIntSchema, UuidSchema } from '../../schemas/common.schema';
import { RUN_STATUSES } from '../../schemas/run.schema';
import { WORKBOOK_STEP_KINDS, WorkbookNameSchema, WorkbookSpecSchema } from '../../schemas/workbook.schema';
import { LIST_ERRORS, PlainPageQuerySchema, READ_ERRORS, ResponseJsonObjectSchema } from './engine-shared.schema';
import { RunCheckSchema } from './runs.contract';

/** Bounds of a dry run's time budget (ms). @defaultValue 30000 */
export const DRY_RUN_TIMEOUT_MS = { min: 100, max: 120_000, default: 30_000 } as const;

const WORKBOOK_EXAMPLE = {
  name: 'website-baseline',
  description: 'Home page answers and TLS is valid',
  steps: [
    { id: 'home', kind: 'http', url: 'https://example.com/', assert: [{ path: '$.status', op: 'eq', value: 200 }] },
    { id: 'tls', kind: 'tls', host: 'example.com' },
  ],
};

/** A workbook spec as a client sends it (save and dry run). */
export const WorkbookSpecBodySchema = WorkbookSpecSchema.meta({
  id: 'WorkbookSpec',
  description:
    'A declarative, versioned check list (docs/workbooks.md): 1–50 steps (http, dns, tls, tcp, sql) with assertions; later steps may use values extracted by earlier ones (`${ctx.key}`). On save, `version`, when given, must be the version the save creates (else 409).',
});

/** One stored version of a workbook (`audit.workbooks` row). */
export const WorkbookVersionResponseSchema = z
  .object({
    id: UuidSchema,
    name: z.string().meta({ example: 'website-baseline' }),
    version: ApiCountSchema.meta({ description: 'Version number, from 1; every save creates the next one.', example: 3 }),
    spec: ResponseJsonObjectSchema.meta({ description: 'The stored spec (see the WorkbookSpec schema).' }),
    created_at: ApiTimestampSchema,
  })
  .meta({ id: 'WorkbookVersion' });

/** A version without its spec. */
export const WorkbookVersionRefSchema = z
  .object({ id: UuidSchema, name: z.string(), version: ApiCountSchema, created_at: ApiTimestampSchema })
  .meta({ id: 'WorkbookVersionRef' });

/** `GET /v1/workbooks/{name}`: the latest version and every version, newest first. */
export const WorkbookDetailSchema = z
  .object({
    name: z.string(),
    latest: WorkbookVersionResponseSchema,
    versions: z.array(WorkbookVersionRefSchema).meta({ description: 'Every version, newest first, without specs.' }),
  })
  .meta({ id: 'WorkbookDetail' });

/** One line of the workbook list. */
export const WorkbookSummarySchema = z
  .object({
    name: z.string(),
    latest_version: ApiCountSchema,
    versions: ApiCountSchema.meta({ description: 'How many versions were saved.' }),
    description: z.string(),
    steps: ApiCountSchema.meta({ description: 'Steps of the latest version.' }),
    updated_at: ApiTimestampSchema.meta({ description: 'When the latest version was saved.' }),
  })
  .meta({ id: 'WorkbookSummary' });

/** What a dry run returns: the verdict, every step with its check, and the run that records it. */
export const DryRunReportSchema = z
  .object({
    run_id: UuidSchema.meta({ description: 'The run (trigger `dry_run`) recording this execution.' }),
    ledger_seq: ApiCountSchema.nullable().meta({ description: 'Its evidence-ledger leaf.' }),
    name: z.string(),
    verdict: z.enum(CHECK_STATUSES).meta({ description: 'The worst step status.' }),
    status: z.enum(RUN_STATUSES),
    duration_ms: ApiCountSchema,
    steps: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(WORKBOOK_STEP_KINDS),
        status: z.enum(CHECK_STATUSES),
        message: z.string(),
        duration_ms: ApiCountSchema,
        check: RunCheckSchema,
      }),
    ),
    context: ResponseJsonObjectSchema.meta({ description: 'Every extracted value by key (each bounded).' }),
  })
  .meta({ id: 'DryRunReport' });

/** `{name}` of a workbook route. */
export const WorkbookNameParamsSchema = z.strictObject({ name: WorkbookNameSchema.meta({ description: 'The workbook name.', example: 'website-baseline' }) });
/** `{name}` and `{version}` of a workbook version route. */
export const WorkbookVersionParamsSchema = z.strictObject({
  name: WorkbookNameSchema.meta({ description: 'The workbook name.', example: 'website-baseline' }),
  version: z.coerce.number(named('must be a positive integer')).pipe(PositiveIntSchema).meta({ description: 'The version number.', example: 1 }),
});
/** Query of `POST /v1/workbooks/dry-run`. */
export const DryRunQuerySchema = z.strictObject({
  timeout_ms: z.coerce
    .number(named(`must be an integer between ${DRY_RUN_TIMEOUT_MS.min} and ${DRY_RUN_TIMEOUT_MS.max} (ms)`))
    .int(named(`must be an integer between ${DRY_RUN_TIMEOUT_MS.min} and ${DRY_RUN_TIMEOUT_MS.max} (ms)`))
    .min(DRY_RUN_TIMEOUT_MS.min, named(`must be an integer between ${DRY_RUN_TIMEOUT_MS.min} and ${DRY_RUN_TIMEOUT_MS.max} (ms)`))
    .max(DRY_RUN_TIMEOUT_MS.max, named(`must be an integer between ${DRY_RUN_TIMEOUT_MS.min} and ${DRY_RUN_TIMEOUT_MS.max} (ms)`))
    .optional()
    .meta({ description: `Time budget of the whole run (ms). Default ${DRY_RUN_TIMEOUT_MS.default}.`, example: 10_000 }),
});

/** Keyset position of the workbook list (by name). */
export const WorkbookCursorSchema = z.strictObject({ name: z.string().max(100) });

const tags = ['workbooks'];
const read = { auth: 'bearer', entitlement: ENTITLEMENTS.actionsRead } as const;

/** Workbooks: versioned specs and dry runs. */
export const WORKBOOK_ROUTES = {
  listWorkbooks: defineRoute({
    operationId: 'listWorkbooks',
    method: 'GET',
    path: '/v1/workbooks',
    summary: 'List workbooks',
    description: 'One line per workbook, by name, with its latest version.',
    tags,
    ...read,
    query: PlainPageQuerySchema,
    response: { description: 'A page of workbooks.', schema: pageOf(WorkbookSummarySchema).meta({ id: 'WorkbookPage' }) },
    errors: LIST_ERRORS,
  }),
  getWorkbookSchema: defineRoute({
    operationId: 'getWorkbookSchema',
    method: 'GET',
    path: '/v1/workbooks/schema',
    summary: 'The workbook spec as JSON Schema',
    description: 'JSON Schema (draft 2020-12, input side) of a workbook spec: what the dashboard editor validates against.',
    tags,
    ...read,
    response: { description: 'A JSON Schema.', schema: ResponseJsonObjectSchema.meta({ id: 'WorkbookJsonSchema' }) },
    errors: [...AUTHENTICATED_ERRORS],
  }),
  getWorkbook: defineRoute({
    operationId: 'getWorkbook',
    method: 'GET',
    path: '/v1/workbooks/{name}',
    summary: 'Get a workbook',
    tags,
    ...read,
    params: WorkbookNameParamsSchema,
    response: { description: 'Its latest version and the list of versions.', schema: WorkbookDetailSchema },
    errors: READ_ERRORS,
  }),
  getWorkbookVersion: defineRoute({
    operationId: 'getWorkbookVersion',
    method: 'GET',
    path: '/v1/workbooks/{name}/versions/{version}',
    summary: 'Get one version of a workbook',
    tags,
    ...read,
    params: WorkbookVersionParamsSchema,
    response: { description: 'The version.', schema: WorkbookVersionResponseSchema },
    errors: READ_ERRORS,
  }),
  saveWorkbook: defineRoute({
    operationId: 'saveWorkbook',
    method: 'POST',
    path: '/v1/workbooks',
    summary: 'Save a workbook version',
    description:
      'Saves the spec as the next version of its workbook (1 for a new name); nothing is overwritten. 400 naming the path of each problem; 409 when `version` is stale.',
    tags,
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsWrite,
    body: WorkbookSpecBodySchema,
    bodyExample: WORKBOOK_EXAMPLE,
    response: { status: 201, description: 'The stored version.', schema: WorkbookVersionResponseSchema },
    errors: [400, 409, ...AUTHENTICATED_ERRORS],
  }),
  dryRunWorkbook: defineRoute({
    operationId: 'dryRunWorkbook',
    method: 'POST',
    path: '/v1/workbooks/dry-run',
    summary: 'Dry-run a workbook spec',
    description:
      'Validates and executes a spec without saving it. Steps reach the network and datasources exactly as a scheduled run would (hence `actions.write`); the execution is recorded as a run with trigger `dry_run`. A failing step is a 200 with its verdict.',
    tags,
    auth: 'bearer',
    entitlement: ENTITLEMENTS.actionsWrite,
    query: DryRunQuerySchema,
    body: WorkbookSpecBodySchema,
    bodyExample: WORKBOOK_EXAMPLE,
    response: { description: 'The verdict and every step.', schema: DryRunReportSchema },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
} as const;
