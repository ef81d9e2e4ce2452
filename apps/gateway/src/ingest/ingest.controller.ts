import { Body, Controller } from '@nestjs/common';
import { DomainError, ENTITLEMENTS, EVENT_KINDS, GATEWAY_ROUTES, type RouteBody, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import type { GatewayErrorCode } from '../gateway.errors';
import type { EventKind } from '../storage/storage.types';
import { IngestService } from './ingest.service';

/** The ingest paths (Fastify body limit raised to 5 MB for them by {@link IngestBodyLimit}). */
export const INGEST_PATHS = [
  GATEWAY_ROUTES.ingestLifecycleEvents.path,
  GATEWAY_ROUTES.ingestToolEvents.path,
  // The standard formats (issue 14): OTLP/HTTP logs, CloudEvents, the Kubernetes audit webhook.
  '/v1/otlp/v1/logs',
  '/v1/cloudevents',
  '/v1/k8s-audit',
] as const;

type IngestResult = RouteResult<typeof GATEWAY_ROUTES.ingestLifecycleEvents>;

/**
 * `POST /v1/lifecycle-events` and `POST /v1/tool-events`: one event (object)
 * or a batch (array, ≤ 10,000 events, ≤ 5 MB). Entitlement `events.write`.
 * One event: 200 `{event_id, status, backend}` or a 400 problem naming the
 * field. A batch: 200 with per-index `accepted` / `duplicate` / `rejected`
 * (partial success; a rejected event is never stored, an accepted one is
 * stored whole). A workspace-scoped caller (a scoped token, or an agent named
 * by a trusted proxy) writes tool events of its workspace only, and no
 * lifecycle events (403).
 */
@RequireEntitlements(ENTITLEMENTS.eventsWrite)
@Controller()
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @ContractRoute(GATEWAY_ROUTES.ingestLifecycleEvents)
  lifecycle(@Body() body: RouteBody<typeof GATEWAY_ROUTES.ingestLifecycleEvents>, @CurrentPrincipal() principal: Principal): Promise<IngestResult> {
    return this.handle(EVENT_KINDS.lifecycle, body, principal);
  }

  @ContractRoute(GATEWAY_ROUTES.ingestToolEvents)
  tool(@Body() body: RouteBody<typeof GATEWAY_ROUTES.ingestToolEvents>, @CurrentPrincipal() principal: Principal): Promise<IngestResult> {
    return this.handle(EVENT_KINDS.tool, body, principal);
  }

  private async handle(kind: EventKind, body: unknown, principal: Principal): Promise<IngestResult> {
    // Lifecycle events belong to no workspace (fleet-wide): only an unscoped writer may add them.
    if (kind === EVENT_KINDS.lifecycle && principal.workspaceId !== null) {
      throw new DomainError<GatewayErrorCode>(
        'WORKSPACE_FORBIDDEN',
        `lifecycle events are fleet-wide; a caller scoped to workspace ${principal.workspaceId} cannot write them`,
      );
    }
    const { single, response } = await this.ingest.ingest(kind, body, principal.workspaceId);
    if (single) {
      const only = response.results[0]!;
      return {
        event_id: only.event_id!,
        status: only.status as 'accepted' | 'duplicate',
        backend: response.backend,
        ...(only.warnings ? { warnings: only.warnings } : {}),
      };
    }
    return response;
  }
}
