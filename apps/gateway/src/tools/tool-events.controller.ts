import { Controller, Headers, Query } from '@nestjs/common';
import { DomainError, ENTITLEMENTS, GATEWAY_ROUTES, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import type { GatewayErrorCode } from '../gateway.errors';
import { CallerService } from '../governance/caller.service';
import { ToolQueryService } from './tool-query.service';

/** `GET /v1/tool-events` (`events.read`): filters and keyset pagination; a workspace-scoped caller sees only its workspace. */
@RequireEntitlements(ENTITLEMENTS.eventsRead)
@Controller()
export class ToolEventsController {
  constructor(
    private readonly queries: ToolQueryService,
    private readonly callers: CallerService,
  ) {}

  @ContractRoute(GATEWAY_ROUTES.listToolEvents)
  list(
    @Query() q: RouteQuery<typeof GATEWAY_ROUTES.listToolEvents>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Record<string, string | string[] | undefined>,
  ): Promise<RouteResult<typeof GATEWAY_ROUTES.listToolEvents>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.eventsRead);
    if (caller.workspaceId !== null && q.workspace_id !== undefined && q.workspace_id !== caller.workspaceId) {
      throw new DomainError<GatewayErrorCode>('WORKSPACE_FORBIDDEN', `workspace_id: this caller is scoped to workspace ${caller.workspaceId}`, {
        errors: [{ path: 'workspace_id', rule: `this caller is scoped to workspace ${caller.workspaceId}`, in: 'query' }],
      });
    }
    return this.queries.list(q, caller.workspaceId);
  }
}
