import { Controller, Headers, Query } from '@nestjs/common';
import { DomainError, ENTITLEMENTS, GATEWAY_ROUTES, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import type { GatewayErrorCode } from '../gateway.errors';
import { CallerService } from '../governance/caller.service';
import { TimelineService } from './timeline.service';

type Headers_ = Record<string, string | string[] | undefined>;

/**
 * `GET /v1/timeline` (`events.read`): every domain merged newest first. A
 * workspace-scoped caller sees its workspace's tool events and the markers
 * naming it, never fleet-wide rows; naming another workspace is 403.
 */
@RequireEntitlements(ENTITLEMENTS.eventsRead)
@Controller()
export class TimelineController {
  constructor(
    private readonly timeline: TimelineService,
    private readonly callers: CallerService,
  ) {}

  @ContractRoute(GATEWAY_ROUTES.timeline)
  list(
    @Query() q: RouteQuery<typeof GATEWAY_ROUTES.timeline>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof GATEWAY_ROUTES.timeline>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.eventsRead);
    if (caller.workspaceId !== null && q.workspace_id !== undefined && q.workspace_id !== caller.workspaceId) {
      throw new DomainError<GatewayErrorCode>('WORKSPACE_FORBIDDEN', `workspace_id: this caller is scoped to workspace ${caller.workspaceId}`, {
        errors: [{ path: 'workspace_id', rule: `this caller is scoped to workspace ${caller.workspaceId}`, in: 'query' }],
      });
    }
    return this.timeline.page(q, caller.workspaceId);
  }
}
