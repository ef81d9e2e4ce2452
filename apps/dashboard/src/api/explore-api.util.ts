import { GATEWAY_ROUTES, type RouteQueryInput, type RouteResponse } from '@auditstack/audit-core';
import { callRoute, serviceClient, type ApiResult } from './api-client.util';
import type { ServiceContext } from './service-api.util';

/**
 * The explorer pages' service calls (timeline, single events, the tool-event
 * and marker explorers), each a route of the gateway contract called through
 * the SDK with the signed-in user's token. Paths and shapes come from
 * `GATEWAY_ROUTES`; nothing is declared here.
 */

type Gateway = typeof GATEWAY_ROUTES;
type ItemOf<T> = T extends { readonly items: readonly (infer I)[] } ? I : never;

/** `GET /v1/timeline`. */
export type TimelinePage = RouteResponse<Gateway['timeline']>;
export type TimelineRow = ItemOf<TimelinePage>;
/** `GET /v1/lifecycle-events/{event_id}`. */
export type LifecycleEventDetail = RouteResponse<Gateway['getLifecycleEvent']>;
/** `GET /v1/tool-events/{event_id}`. */
export type ToolEventDetail = RouteResponse<Gateway['getToolEvent']>;
/** `GET /v1/tool-events`. */
export type ToolEventPage = RouteResponse<Gateway['listToolEvents']>;
export type ToolEventRow = ItemOf<ToolEventPage>;
/** `GET /v1/markers`. */
export type MarkerPage = RouteResponse<Gateway['listMarkers']>;

const gateway = (ctx: ServiceContext) => serviceClient({ baseUrl: ctx.gatewayUrl, token: ctx.token, timeoutMs: ctx.timeoutMs, fetchImpl: ctx.fetchImpl });

/** `timeline` (needs `events.read`; a workspace-scoped token sees its workspace only). */
export function getTimeline(ctx: ServiceContext, query: RouteQueryInput<Gateway['timeline']>): Promise<ApiResult<TimelinePage>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.timeline, { query });
}

/** `getLifecycleEvent` (fleet-wide: a workspace-scoped token gets 403). */
export function getLifecycleEvent(ctx: ServiceContext, eventId: string): Promise<ApiResult<LifecycleEventDetail>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.getLifecycleEvent, { params: { event_id: eventId } });
}

/** `getToolEvent`. */
export function getToolEvent(ctx: ServiceContext, eventId: string): Promise<ApiResult<ToolEventDetail>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.getToolEvent, { params: { event_id: eventId } });
}

/** `listToolEvents` (keyset-paginated; filters as query parameters). */
export function listToolEvents(ctx: ServiceContext, query: RouteQueryInput<Gateway['listToolEvents']>): Promise<ApiResult<ToolEventPage>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.listToolEvents, { query });
}

/** `listMarkers` with its filters (needs unscoped `evidence.read`). */
export function listMarkers(ctx: ServiceContext, query: RouteQueryInput<Gateway['listMarkers']>): Promise<ApiResult<MarkerPage>> {
  return callRoute(gateway(ctx), GATEWAY_ROUTES.listMarkers, { query });
}
