import { ENGINE_ROUTES, GATEWAY_ROUTES, type AnyRoute, type RouteBodyInput } from '@auditstack/audit-core';
import type { ApiClient, CallParameters, PageItem, PageRoute } from '@auditstack/client';
import { callRoute, failureOf, serviceClient, type ApiResult } from './api-client.util';
import {
  engineHoursOf,
  finopsOf,
  overviewOf,
  privacyOf,
  scorecardOf,
  type ActionRow,
  type ActionType,
  type ActorsReport,
  type Checkpoint,
  type CheckpointList,
  type DryRunReport,
  type EmergencyStop,
  type EngineHoursReport,
  type EvidenceStatus,
  type Finops,
  type HotspotsReport,
  type LedgerEntryAnswer,
  type LifecycleEventPage,
  type MarkersPage,
  type Overview,
  type Privacy,
  type ProjectRow,
  type ProvisionsReport,
  type RunDetail,
  type RunPage,
  type Scorecard,
  type UserLifetime,
  type Whoami,
  type WorkbookDetail,
  type WorkbookSummary,
  type WorkbookVersionRow,
} from './api-views.util';

/**
 * One function per service call the pages make, each a route of the contract called through the
 * SDK (`@auditstack/client`) on the server with the signed-in user's token. Nothing here declares
 * a path or a response shape: both come from `ENGINE_ROUTES` / `GATEWAY_ROUTES`.
 */

/** Where to call and with which token; built on the server from the env and the session cookie. */
export interface ServiceContext {
  readonly engineUrl: string;
  readonly gatewayUrl: string;
  readonly token: string;
  /** @defaultValue `DEFAULT_API_TIMEOUT_MS` */
  readonly timeoutMs?: number;
  /** For tests. @defaultValue global `fetch` */
  readonly fetchImpl?: typeof fetch;
}

const engine = (ctx: ServiceContext): ApiClient =>
  serviceClient({ baseUrl: ctx.engineUrl, token: ctx.token, timeoutMs: ctx.timeoutMs, fetchImpl: ctx.fetchImpl });
const gateway = (ctx: Pick<ServiceContext, 'gatewayUrl' | 'token' | 'timeoutMs' | 'fetchImpl'>): ApiClient =>
  serviceClient({ baseUrl: ctx.gatewayUrl, token: ctx.token, timeoutMs: ctx.timeoutMs, fetchImpl: ctx.fetchImpl });

/** Applies a view transform to a successful result. */
function mapResult<T, U>(result: ApiResult<T>, view: (data: T) => U): ApiResult<U> {
  return result.ok ? { ok: true, status: result.status, data: view(result.data) } : result;
}

/** The most items a page reads from one list (whole lists: actions, action types, workbooks). */
export const MAX_LIST_ITEMS = 2000;

/** Every item of a `{items, next_cursor}` list (pages of 500), at most {@link MAX_LIST_ITEMS}. Never throws. */
async function allItems<R extends PageRoute>(client: ApiClient, route: R, ...args: CallParameters<R>): Promise<ApiResult<PageItem<R>[]>> {
  const items: PageItem<R>[] = [];
  try {
    for await (const item of client.paginate(route, ...args)) {
      items.push(item);
      if (items.length >= MAX_LIST_ITEMS) break;
    }
    return { ok: true, status: 200, data: items };
  } catch (error) {
    return failureOf(error);
  }
}

/** The page size used to read a whole list. */
const WHOLE_LIST = { limit: 500 } as const;

// ---------------------------------------------------------------------------
// Identity.

/** `whoami` on the gateway: checks a token at sign-in and on every page. */
export function whoami(ctx: Pick<ServiceContext, 'gatewayUrl' | 'token' | 'timeoutMs' | 'fetchImpl'>): Promise<ApiResult<Whoami>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.whoami);
}

// ---------------------------------------------------------------------------
// Engine.

/** `getOverview`: one card per project (the page filters and pages them). */
export async function getOverview(ctx: ServiceContext): Promise<ApiResult<Overview>> {
  return mapResult(await callRoute(engine(ctx), ENGINE_ROUTES.getOverview), overviewOf);
}

/** `getProjectScorecard`. */
export async function getScorecard(ctx: ServiceContext, projectId: string): Promise<ApiResult<Scorecard>> {
  return mapResult(await callRoute(engine(ctx), ENGINE_ROUTES.getProjectScorecard, { params: { id: projectId } }), scorecardOf);
}

/** `listProjects`, every page (by name). */
export function listProjects(ctx: ServiceContext): Promise<ApiResult<ProjectRow[]>> {
  return allItems(engine(ctx), ENGINE_ROUTES.listProjects, { query: WHOLE_LIST });
}

/** `listActions`, every page. */
export function listActions(ctx: ServiceContext, query: { project_id?: string } = {}): Promise<ApiResult<ActionRow[]>> {
  return allItems(engine(ctx), ENGINE_ROUTES.listActions, { query: { ...WHOLE_LIST, ...query } });
}

/** `listActionTypes`, every page: each type's id and the JSON Schema of its config. */
export function listActionTypes(ctx: ServiceContext): Promise<ApiResult<ActionType[]>> {
  return allItems(engine(ctx), ENGINE_ROUTES.listActionTypes, { query: WHOLE_LIST });
}

/** Body of `createAction` (the engine applies defaults and validates `config` with the type's schema). */
export type ActionCreateBody = RouteBodyInput<typeof ENGINE_ROUTES.createAction>;

/** `createAction`: a 400 problem names each failing field (`config.url`). */
export function createAction(ctx: ServiceContext, body: ActionCreateBody): Promise<ApiResult<ActionRow>> {
  return callRoute(engine(ctx), ENGINE_ROUTES.createAction, { body });
}

/** What the Actions page can ask the engine to do to one action. */
export type ActionCommand = 'pause' | 'resume' | 'run';

const COMMAND_ROUTES = { pause: ENGINE_ROUTES.pauseAction, resume: ENGINE_ROUTES.resumeAction, run: ENGINE_ROUTES.runAction } as const;

/** `pauseAction` / `resumeAction` / `runAction`; the answer body is not needed. */
export async function commandAction(ctx: ServiceContext, id: string, command: ActionCommand): Promise<ApiResult<undefined>> {
  return mapResult(await callRoute(engine(ctx), COMMAND_ROUTES[command], { params: { id } }), () => undefined);
}

/** `listRuns` (newest first, keyset-paginated). */
export function listRuns(
  ctx: ServiceContext,
  query: { limit?: number; cursor?: string; status?: string; action_id?: string; project_id?: string } = {},
): Promise<ApiResult<RunPage>> {
  return callRoute(engine(ctx), ENGINE_ROUTES.listRuns, { query: query as RouteQueryOf<typeof ENGINE_ROUTES.listRuns> });
}

/** `getRun`. */
export function getRun(ctx: ServiceContext, id: string): Promise<ApiResult<RunDetail>> {
  return callRoute(engine(ctx), ENGINE_ROUTES.getRun, { params: { id } });
}

// ---------------------------------------------------------------------------
// Engine: workbooks (docs/workbooks.md).

/** `listWorkbooks`, every page: one line per workbook with its latest version. */
export function listWorkbooks(ctx: ServiceContext): Promise<ApiResult<WorkbookSummary[]>> {
  return allItems(engine(ctx), ENGINE_ROUTES.listWorkbooks, { query: WHOLE_LIST });
}

/** `getWorkbook`: the latest version and the list of versions. */
export function getWorkbook(ctx: ServiceContext, name: string): Promise<ApiResult<WorkbookDetail>> {
  return callRoute(engine(ctx), ENGINE_ROUTES.getWorkbook, { params: { name } });
}

/** `getWorkbookVersion`. */
export function getWorkbookVersion(ctx: ServiceContext, name: string, version: number): Promise<ApiResult<WorkbookVersionRow>> {
  return callRoute(engine(ctx), ENGINE_ROUTES.getWorkbookVersion, { params: { name, version } });
}

/** `saveWorkbook`: saves the spec as the next version; 400 names each path, 409 a stale `version`. */
export function saveWorkbook(ctx: ServiceContext, spec: Record<string, unknown>): Promise<ApiResult<WorkbookVersionRow>> {
  return callRoute(engine(ctx), ENGINE_ROUTES.saveWorkbook, { body: spec as RouteBodyInput<typeof ENGINE_ROUTES.saveWorkbook> });
}

/** Time budget the dashboard gives a dry run, in ms (the engine allows 100–120000). */
export const DRY_RUN_BUDGET_MS = 30_000;

/**
 * `dryRunWorkbook`: executes the spec without storing it. The request may take the whole budget,
 * so the call waits a little longer than it. The spec is the editor's text, parsed but not
 * validated here: the engine validates it and names each failing path.
 */
export function dryRunWorkbook(ctx: ServiceContext, spec: Record<string, unknown>, budgetMs = DRY_RUN_BUDGET_MS): Promise<ApiResult<DryRunReport>> {
  const client = engine({ ...ctx, timeoutMs: Math.max(ctx.timeoutMs ?? 0, budgetMs + 5000) });
  return callRoute(client, ENGINE_ROUTES.dryRunWorkbook, {
    query: { timeout_ms: budgetMs },
    body: spec as RouteBodyInput<typeof ENGINE_ROUTES.dryRunWorkbook>,
  });
}

// ---------------------------------------------------------------------------
// Gateway.

/** Filters of the lifecycle explorer. */
export interface LifecycleQuery {
  readonly limit?: number;
  readonly cursor?: string;
  readonly engine_id?: string;
  readonly user_id?: string;
  readonly product_id?: string;
  readonly actor?: string;
  readonly action?: string;
  readonly from?: string;
  readonly to?: string;
}

/** `listLifecycleEvents` (keyset-paginated; filters as query parameters). */
export function listLifecycleEvents(ctx: ServiceContext, query: LifecycleQuery = {}): Promise<ApiResult<LifecycleEventPage>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.listLifecycleEvents, { query: query as RouteQueryOf<typeof GATEWAY_ROUTES.listLifecycleEvents> });
}

/** Windows the tools dashboards offer, in hours. */
export const TOOLS_WINDOWS = { '1h': 1, '24h': 24, '7d': 168, '30d': 720 } as const;
export type ToolsWindow = keyof typeof TOOLS_WINDOWS;

/** `finopsDashboard` (needs `tools.cost.read`; a scoped token sees its workspace only). */
export async function getFinopsDashboard(ctx: ServiceContext, window: ToolsWindow = '24h'): Promise<ApiResult<Finops>> {
  return mapResult(await callRoute(gateway(ctx), GATEWAY_ROUTES.finopsDashboard, { query: { window_hours: TOOLS_WINDOWS[window] } }), finopsOf);
}

/** `privacyDashboard` (needs `tools.data_gov.read`). */
export async function getPrivacyDashboard(ctx: ServiceContext, window: ToolsWindow = '24h'): Promise<ApiResult<Privacy>> {
  return mapResult(await callRoute(gateway(ctx), GATEWAY_ROUTES.privacyDashboard, { query: { window_hours: TOOLS_WINDOWS[window] } }), privacyOf);
}

/** `emergencyStopState` (needs `admin`). */
export function getEmergencyStop(ctx: ServiceContext): Promise<ApiResult<EmergencyStop>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.emergencyStopState);
}

/** `listMarkers` (needs unscoped `evidence.read`): the gateway's markers, newest first. */
export function getMarkers(ctx: ServiceContext, limit = 20): Promise<ApiResult<MarkersPage>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.listMarkers, { query: { limit: Math.max(1, Math.min(100, Math.trunc(limit))) } });
}

/** `engageEmergencyStop` (needs `admin`): engages the stop; lifting it is out of band. */
export async function engageEmergencyStop(ctx: ServiceContext, reason: string): Promise<ApiResult<EmergencyStop>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.engageEmergencyStop, { body: reason ? { reason } : {} });
}

/** `latestCheckpoint` (needs `evidence.read`). */
export function getLatestCheckpoint(ctx: ServiceContext): Promise<ApiResult<Checkpoint>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.latestCheckpoint);
}

/** `evidenceStatus`: ledger size, uncovered leaves, configured cadence, anchor (needs `evidence.read`). */
export function getEvidenceStatus(ctx: ServiceContext): Promise<ApiResult<EvidenceStatus>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.evidenceStatus);
}

/** `listCheckpoints` (newest first, with the verifier key). */
export function listCheckpoints(ctx: ServiceContext, query: { limit?: number } = {}): Promise<ApiResult<CheckpointList>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.listCheckpoints, { query });
}

/** `ledgerEntry`: one ledger entry and the first checkpoint covering it. */
export function getLedgerEntry(ctx: ServiceContext, seq: number): Promise<ApiResult<LedgerEntryAnswer>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.ledgerEntry, { params: { seq } });
}

// ---------------------------------------------------------------------------
// Gateway: canned lifecycle reports (`events.read`, fleet-wide: a workspace-scoped token gets 403).

/** `provisionsReport`. */
export function getProvisionsReport(ctx: ServiceContext, windowHours: number): Promise<ApiResult<ProvisionsReport>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.provisionsReport, { query: { window_hours: windowHours } });
}

/** `autoRestartHotspots`. */
export function getHotspotsReport(ctx: ServiceContext, windowHours: number, limit = 20): Promise<ApiResult<HotspotsReport>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.autoRestartHotspots, { query: { window_hours: windowHours, limit } });
}

/** `actorActivity`. */
export function getActorsReport(ctx: ServiceContext, windowHours: number): Promise<ApiResult<ActorsReport>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.actorActivity, { query: { window_hours: windowHours } });
}

/** `userLifetime`. */
export function getUserLifetime(ctx: ServiceContext, userId: string, limit = 500): Promise<ApiResult<UserLifetime>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.userLifetime, { params: { user_id: userId }, query: { limit } });
}

/** `engineHours`. */
export async function getEngineHoursReport(
  ctx: ServiceContext,
  query: { group_by: 'product' | 'user'; from?: string; to?: string },
): Promise<ApiResult<EngineHoursReport>> {
  return mapResult(await callRoute(gateway(ctx), GATEWAY_ROUTES.engineHours, { query }), engineHoursOf);
}

/** The query a route's client sends (input side). */
type RouteQueryOf<R extends AnyRoute> = NonNullable<CallParameters<R>[0]> extends { readonly query?: infer Q } ? Q : never;
