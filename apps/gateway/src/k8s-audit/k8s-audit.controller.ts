import { Body, Controller, Headers, Query } from '@nestjs/common';
import { DomainError, ENTITLEMENTS, GATEWAY_ROUTES, type RouteBody, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import type { GatewayErrorCode } from '../gateway.errors';
import { CallerService } from '../governance/caller.service';
import { ClusterAuditQueryService } from './cluster-audit-query.service';
import { K8sAuditService } from './k8s-audit.service';

const R = GATEWAY_ROUTES;

/** Cluster audit events belong to no workspace: a workspace-scoped caller may neither write nor read them. */
function fleetWide(workspaceId: string | null, what: 'write' | 'read'): void {
  if (workspaceId !== null) {
    throw new DomainError<GatewayErrorCode>(
      'WORKSPACE_FORBIDDEN',
      `cluster audit events are fleet-wide; a caller scoped to workspace ${workspaceId} cannot ${what} them`,
    );
  }
}

/**
 * `POST /v1/k8s-audit` (`events.write`): kube-apiserver's audit webhook
 * backend. `GET /v1/cluster-audit-events` (`events.read`): the stored cluster
 * audit events.
 */
@Controller()
export class K8sAuditController {
  constructor(
    private readonly webhook: K8sAuditService,
    private readonly queries: ClusterAuditQueryService,
    private readonly callers: CallerService,
  ) {}

  @RequireEntitlements(ENTITLEMENTS.eventsWrite)
  @ContractRoute(R.ingestK8sAudit)
  ingest(@Body() body: RouteBody<typeof R.ingestK8sAudit>, @CurrentPrincipal() principal: Principal): Promise<RouteResult<typeof R.ingestK8sAudit>> {
    fleetWide(principal.workspaceId, 'write');
    return this.webhook.ingestBody(body);
  }

  @RequireEntitlements(ENTITLEMENTS.eventsRead)
  @ContractRoute(R.listClusterAuditEvents)
  list(
    @Query() q: RouteQuery<typeof R.listClusterAuditEvents>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Record<string, string | string[] | undefined>,
  ): Promise<RouteResult<typeof R.listClusterAuditEvents>> {
    fleetWide(this.callers.resolve(principal, headers, ENTITLEMENTS.eventsRead).workspaceId, 'read');
    return this.queries.list(q);
  }
}
