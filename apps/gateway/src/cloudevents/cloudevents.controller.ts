import { Body, Controller, Headers } from '@nestjs/common';
import { ENTITLEMENTS, GATEWAY_ROUTES, type RouteBody, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import { CloudEventsService } from './cloudevents.service';

const R = GATEWAY_ROUTES.ingestCloudEvents;

/**
 * `POST /v1/cloudevents`: CloudEvents 1.0 in binary, structured or batched
 * mode. Entitlement `events.write`. One event: 200 `{event_id, status,
 * backend}` or a 400 `CLOUDEVENT_REJECTED` naming the attribute; a batch: 200
 * with per-index outcomes (partial success). A workspace-scoped caller writes
 * tool events of its workspace only, and no lifecycle events.
 */
@RequireEntitlements(ENTITLEMENTS.eventsWrite)
@Controller()
export class CloudEventsController {
  constructor(private readonly cloudEvents: CloudEventsService) {}

  @ContractRoute(R)
  async ingest(
    @Body() body: RouteBody<typeof R>,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RouteResult<typeof R>> {
    const { single, response } = await this.cloudEvents.receive(headers, body, principal.workspaceId);
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
