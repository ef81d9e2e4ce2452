import { apiFetch, type ApiResult } from './api-client.util';
import {
  ActionListSchema,
  ActionSchema,
  ActionTypeListSchema,
  CheckpointSchema,
  LifecycleEventPageSchema,
  OverviewSchema,
  parserOf,
  RunDetailSchema,
  RunPageSchema,
  ScorecardSchema,
  ToolsDashboardSchema,
  WhoamiSchema,
  type ActionRow,
  type ActionType,
  type Checkpoint,
  type LifecycleEventPage,
  type Overview,
  type RunDetail,
  type RunPage,
  type Scorecard,
  type ToolsDashboard,
  type Whoami,
} from './api-shapes.schema';

/** Where to call and with which token; built on the server from the env and the session cookie. */
export interface ServiceContext {
  readonly engineUrl: string;
  readonly gatewayUrl: string;
  readonly token: string;
  /** @defaultValue {@link DEFAULT_API_TIMEOUT_MS} */
  readonly timeoutMs?: number;
  /** For tests. @defaultValue global `fetch` */
  readonly fetchImpl?: typeof fetch;
}

/** Query of the overview page (all optional; the engine may ignore what it does not support yet). */
export interface OverviewQuery {
  readonly q?: string;
  readonly status?: 'green' | 'amber' | 'red' | 'grey';
  readonly limit?: number;
  readonly offset?: number;
}

export interface KeysetQuery {
  readonly limit?: number;
  readonly cursor?: string;
}

/** `?a=1&b=x`, skipping unset and empty values; `''` when nothing is set. */
export function queryString(params: Readonly<Record<string, string | number | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

function engine<T>(ctx: ServiceContext, path: string, parse: (body: unknown) => T, init: { method?: 'GET' | 'POST' | 'PATCH'; body?: unknown } = {}) {
  return apiFetch<T>({ baseUrl: ctx.engineUrl, token: ctx.token, path, parse, timeoutMs: ctx.timeoutMs, fetchImpl: ctx.fetchImpl, ...init });
}

function gateway<T>(ctx: ServiceContext, path: string, parse: (body: unknown) => T) {
  return apiFetch<T>({ baseUrl: ctx.gatewayUrl, token: ctx.token, path, parse, timeoutMs: ctx.timeoutMs, fetchImpl: ctx.fetchImpl });
}

const accept = (): undefined => undefined;

// ---------------------------------------------------------------------------
// Identity.

/** `GET {gateway}/v1/whoami`: checks a token at sign-in and on every page. */
export function whoami(ctx: Pick<ServiceContext, 'gatewayUrl' | 'token' | 'timeoutMs' | 'fetchImpl'>): Promise<ApiResult<Whoami>> {
  return apiFetch({
    baseUrl: ctx.gatewayUrl,
    token: ctx.token,
    path: '/v1/whoami',
    parse: parserOf(WhoamiSchema),
    timeoutMs: ctx.timeoutMs,
    fetchImpl: ctx.fetchImpl,
  });
}

// ---------------------------------------------------------------------------
// Engine.

/** `GET {engine}/v1/overview`: project cards (see {@link OverviewSchema}). */
export function getOverview(ctx: ServiceContext, query: OverviewQuery = {}): Promise<ApiResult<Overview>> {
  return engine(ctx, `/v1/overview${queryString({ ...query })}`, parserOf(OverviewSchema));
}

/** `GET {engine}/v1/projects/:id/scorecard`. */
export function getScorecard(ctx: ServiceContext, projectId: string): Promise<ApiResult<Scorecard>> {
  return engine(ctx, `/v1/projects/${encodeURIComponent(projectId)}/scorecard`, parserOf(ScorecardSchema));
}

/** `GET {engine}/v1/actions`. */
export function listActions(ctx: ServiceContext, query: { project_id?: string } = {}): Promise<ApiResult<ActionRow[]>> {
  return engine(ctx, `/v1/actions${queryString(query)}`, parserOf(ActionListSchema));
}

/** `GET {engine}/v1/action-types`: each type's id and the JSON Schema of its config. */
export function listActionTypes(ctx: ServiceContext): Promise<ApiResult<ActionType[]>> {
  return engine(ctx, '/v1/action-types', parserOf(ActionTypeListSchema));
}

/** Body of `POST /v1/actions` (the engine applies defaults and validates `config` with the type's schema). */
export interface ActionCreateBody {
  readonly project_id: string;
  readonly name: string;
  readonly action_type: string;
  readonly schedule: string;
  readonly config: Record<string, unknown>;
  readonly description?: string;
}

/** `POST {engine}/v1/actions`: a 400 carries `errors: ["config.url: must be a URL", …]`. */
export function createAction(ctx: ServiceContext, body: ActionCreateBody): Promise<ApiResult<ActionRow>> {
  return engine(ctx, '/v1/actions', parserOf(ActionSchema), { method: 'POST', body });
}

/** What the Actions page can ask the engine to do to one action. */
export type ActionCommand = 'pause' | 'resume' | 'run';

/** `POST {engine}/v1/actions/:id/{pause|resume|run}`; the answer body is not needed. */
export function commandAction(ctx: ServiceContext, id: string, command: ActionCommand): Promise<ApiResult<undefined>> {
  return engine(ctx, `/v1/actions/${encodeURIComponent(id)}/${command}`, accept, { method: 'POST' });
}

/** `GET {engine}/v1/runs` (newest first, keyset-paginated). */
export function listRuns(
  ctx: ServiceContext,
  query: KeysetQuery & { status?: string; action_id?: string; project_id?: string } = {},
): Promise<ApiResult<RunPage>> {
  return engine(ctx, `/v1/runs${queryString({ ...query })}`, parserOf(RunPageSchema));
}

/** `GET {engine}/v1/runs/:id`. */
export function getRun(ctx: ServiceContext, id: string): Promise<ApiResult<RunDetail>> {
  return engine(ctx, `/v1/runs/${encodeURIComponent(id)}`, parserOf(RunDetailSchema));
}

// ---------------------------------------------------------------------------
// Gateway.

/** `GET {gateway}/v1/lifecycle-events` (keyset-paginated; filters as query parameters). */
export function listLifecycleEvents(
  ctx: ServiceContext,
  query: KeysetQuery & { engine_id?: string; user_id?: string; product_id?: string; actor?: string; action?: string; from?: string; to?: string } = {},
): Promise<ApiResult<LifecycleEventPage>> {
  return gateway(ctx, `/v1/lifecycle-events${queryString({ ...query })}`, parserOf(LifecycleEventPageSchema));
}

/** `GET {gateway}/v1/finops/dashboard` (needs `tools.cost.read`). */
export function getFinopsDashboard(ctx: ServiceContext, query: { window?: string } = {}): Promise<ApiResult<ToolsDashboard>> {
  return gateway(ctx, `/v1/finops/dashboard${queryString(query)}`, parserOf(ToolsDashboardSchema));
}

/** `GET {gateway}/v1/privacy/dashboard` (needs `tools.data_gov.read`). */
export function getPrivacyDashboard(ctx: ServiceContext, query: { window?: string } = {}): Promise<ApiResult<ToolsDashboard>> {
  return gateway(ctx, `/v1/privacy/dashboard${queryString(query)}`, parserOf(ToolsDashboardSchema));
}

/** `GET {gateway}/v1/evidence/checkpoints/latest` (needs `evidence.read`). */
export function getLatestCheckpoint(ctx: ServiceContext): Promise<ApiResult<Checkpoint>> {
  return gateway(ctx, '/v1/evidence/checkpoints/latest', parserOf(CheckpointSchema));
}
