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
  WhoamiSchema,
  type ActionRow,
  type ActionType,
  type Checkpoint,
  type LifecycleEventPage,
  type Overview,
  type RunDetail,
  type RunPage,
  type Scorecard,
  type Whoami,
} from './api-shapes.schema';
import {
  EmergencyStopSchema,
  FinopsSchema,
  MarkersPageSchema,
  PrivacySchema,
  type EmergencyStop,
  type Finops,
  type MarkersPage,
  type Privacy,
} from './tools-shapes.schema';
import {
  ActorsReportSchema,
  EngineHoursReportSchema,
  HotspotsReportSchema,
  ProvisionsReportSchema,
  UserLifetimeSchema,
  type ActorsReport,
  type EngineHoursReport,
  type HotspotsReport,
  type ProvisionsReport,
  type UserLifetime,
} from './lifecycle-shapes.schema';
import {
  CheckpointListSchema,
  EvidenceStatusSchema,
  LedgerEntryAnswerSchema,
  type CheckpointList,
  type EvidenceStatus,
  type LedgerEntryAnswer,
} from './evidence-shapes.schema';
import {
  DryRunReportSchema,
  WorkbookDetailSchema,
  WorkbookListSchema,
  WorkbookVersionRowSchema,
  type DryRunReport,
  type WorkbookDetail,
  type WorkbookSummary,
  type WorkbookVersionRow,
} from './workbook-shapes.schema';

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
// Engine: workbooks (docs/workbooks.md).

/** `GET {engine}/v1/workbooks`: one line per workbook with its latest version. */
export function listWorkbooks(ctx: ServiceContext): Promise<ApiResult<WorkbookSummary[]>> {
  return engine(ctx, '/v1/workbooks', parserOf(WorkbookListSchema));
}

/** `GET {engine}/v1/workbooks/:name`: the latest version and the list of versions. */
export function getWorkbook(ctx: ServiceContext, name: string): Promise<ApiResult<WorkbookDetail>> {
  return engine(ctx, `/v1/workbooks/${encodeURIComponent(name)}`, parserOf(WorkbookDetailSchema));
}

/** `GET {engine}/v1/workbooks/:name/versions/:version`. */
export function getWorkbookVersion(ctx: ServiceContext, name: string, version: number): Promise<ApiResult<WorkbookVersionRow>> {
  return engine(ctx, `/v1/workbooks/${encodeURIComponent(name)}/versions/${version}`, parserOf(WorkbookVersionRowSchema));
}

/** `POST {engine}/v1/workbooks`: saves the spec as the next version; 400 names each path, 409 a stale `version`. */
export function saveWorkbook(ctx: ServiceContext, spec: Record<string, unknown>): Promise<ApiResult<WorkbookVersionRow>> {
  return engine(ctx, '/v1/workbooks', parserOf(WorkbookVersionRowSchema), { method: 'POST', body: spec });
}

/** Time budget the dashboard gives a dry run, in ms (the engine allows 100–120000). */
export const DRY_RUN_BUDGET_MS = 30_000;

/**
 * `POST {engine}/v1/workbooks/dry-run?timeout_ms=`: executes the spec without storing it. The
 * request may take the whole budget, so the call waits a little longer than it.
 */
export function dryRunWorkbook(ctx: ServiceContext, spec: Record<string, unknown>, budgetMs = DRY_RUN_BUDGET_MS): Promise<ApiResult<DryRunReport>> {
  return engine({ ...ctx, timeoutMs: Math.max(ctx.timeoutMs ?? 0, budgetMs + 5000) }, `/v1/workbooks/dry-run${queryString({ timeout_ms: budgetMs })}`, parserOf(DryRunReportSchema), {
    method: 'POST',
    body: spec,
  });
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

/** Windows the tools dashboards offer, in hours. */
export const TOOLS_WINDOWS = { '1h': 1, '24h': 24, '7d': 168, '30d': 720 } as const;
export type ToolsWindow = keyof typeof TOOLS_WINDOWS;

/** `GET {gateway}/v1/finops/dashboard?window_hours=` (needs `tools.cost.read`; a scoped token sees its workspace only). */
export function getFinopsDashboard(ctx: ServiceContext, window: ToolsWindow = '24h'): Promise<ApiResult<Finops>> {
  return gateway(ctx, `/v1/finops/dashboard${queryString({ window_hours: TOOLS_WINDOWS[window] })}`, parserOf(FinopsSchema));
}

/** `GET {gateway}/v1/privacy/dashboard?window_hours=` (needs `tools.data_gov.read`). */
export function getPrivacyDashboard(ctx: ServiceContext, window: ToolsWindow = '24h'): Promise<ApiResult<Privacy>> {
  return gateway(ctx, `/v1/privacy/dashboard${queryString({ window_hours: TOOLS_WINDOWS[window] })}`, parserOf(PrivacySchema));
}

/** `GET {gateway}/v1/admin/emergency-stop` (needs `admin`). */
export function getEmergencyStop(ctx: ServiceContext): Promise<ApiResult<EmergencyStop>> {
  return gateway(ctx, '/v1/admin/emergency-stop', parserOf(EmergencyStopSchema));
}

/** `GET {gateway}/v1/markers?limit=` (needs unscoped `evidence.read`): the gateway's markers, newest first. */
export function getMarkers(ctx: ServiceContext, limit = 20): Promise<ApiResult<MarkersPage>> {
  return gateway(ctx, `/v1/markers?limit=${Math.max(1, Math.min(100, Math.trunc(limit)))}`, parserOf(MarkersPageSchema));
}

/** `POST {gateway}/v1/admin/emergency-stop` (needs `admin`): engages the stop; lifting it is out of band. */
export function engageEmergencyStop(ctx: ServiceContext, reason: string): Promise<ApiResult<EmergencyStop>> {
  return apiFetch({ baseUrl: ctx.gatewayUrl, token: ctx.token, path: '/v1/admin/emergency-stop', method: 'POST', body: reason ? { reason } : {}, parse: parserOf(EmergencyStopSchema), timeoutMs: ctx.timeoutMs, fetchImpl: ctx.fetchImpl });
}

/** `GET {gateway}/v1/evidence/checkpoints/latest` (needs `evidence.read`). */
export function getLatestCheckpoint(ctx: ServiceContext): Promise<ApiResult<Checkpoint>> {
  return gateway(ctx, '/v1/evidence/checkpoints/latest', parserOf(CheckpointSchema));
}

/** `GET {gateway}/v1/evidence/status`: ledger size, uncovered leaves, configured cadence, anchor (needs `evidence.read`). */
export function getEvidenceStatus(ctx: ServiceContext): Promise<ApiResult<EvidenceStatus>> {
  return gateway(ctx, '/v1/evidence/status', parserOf(EvidenceStatusSchema));
}

/** `GET {gateway}/v1/evidence/checkpoints?limit=` (newest first, with the verifier key). */
export function listCheckpoints(ctx: ServiceContext, query: { limit?: number } = {}): Promise<ApiResult<CheckpointList>> {
  return gateway(ctx, `/v1/evidence/checkpoints${queryString(query)}`, parserOf(CheckpointListSchema));
}

/** `GET {gateway}/v1/evidence/entries/:seq`: one ledger entry and the first checkpoint covering it. */
export function getLedgerEntry(ctx: ServiceContext, seq: string): Promise<ApiResult<LedgerEntryAnswer>> {
  return gateway(ctx, `/v1/evidence/entries/${encodeURIComponent(seq)}`, parserOf(LedgerEntryAnswerSchema));
}

// ---------------------------------------------------------------------------
// Gateway: canned lifecycle reports (`events.read`, fleet-wide: a workspace-scoped token gets 403).

/** `GET {gateway}/v1/lifecycle/provisions?window_hours=`. */
export function getProvisionsReport(ctx: ServiceContext, windowHours: number): Promise<ApiResult<ProvisionsReport>> {
  return gateway(ctx, `/v1/lifecycle/provisions${queryString({ window_hours: windowHours })}`, parserOf(ProvisionsReportSchema));
}

/** `GET {gateway}/v1/lifecycle/auto-restart-hotspots?window_hours=&limit=`. */
export function getHotspotsReport(ctx: ServiceContext, windowHours: number, limit = 20): Promise<ApiResult<HotspotsReport>> {
  return gateway(ctx, `/v1/lifecycle/auto-restart-hotspots${queryString({ window_hours: windowHours, limit })}`, parserOf(HotspotsReportSchema));
}

/** `GET {gateway}/v1/lifecycle/actors?window_hours=`. */
export function getActorsReport(ctx: ServiceContext, windowHours: number): Promise<ApiResult<ActorsReport>> {
  return gateway(ctx, `/v1/lifecycle/actors${queryString({ window_hours: windowHours })}`, parserOf(ActorsReportSchema));
}

/** `GET {gateway}/v1/lifecycle/users/:user_id/lifetime?limit=`. */
export function getUserLifetime(ctx: ServiceContext, userId: string, limit = 500): Promise<ApiResult<UserLifetime>> {
  return gateway(ctx, `/v1/lifecycle/users/${encodeURIComponent(userId)}/lifetime${queryString({ limit })}`, parserOf(UserLifetimeSchema));
}

/** `GET {gateway}/v1/lifecycle/engine-hours?group_by=&from=&to=`. */
export function getEngineHoursReport(ctx: ServiceContext, query: { group_by: 'product' | 'user'; from?: string; to?: string }): Promise<ApiResult<EngineHoursReport>> {
  return gateway(ctx, `/v1/lifecycle/engine-hours${queryString(query)}`, parserOf(EngineHoursReportSchema));
}
