import { Controller, Headers, Query } from '@nestjs/common';
import { ENTITLEMENTS, GATEWAY_ROUTES, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import { CallerService } from '../governance/caller.service';
import { DigestsService } from './digests.service';

type Headers_ = Record<string, string | string[] | undefined>;

/** The tool-governance dashboards. A workspace-scoped caller sees only its workspace. */
@Controller()
export class DigestsController {
  constructor(
    private readonly digests: DigestsService,
    private readonly callers: CallerService,
  ) {}

  /** `GET /v1/finops/dashboard?window_hours=24` (`tools.cost.read`). */
  @ContractRoute(GATEWAY_ROUTES.finopsDashboard)
  @RequireEntitlements(ENTITLEMENTS.toolsCostRead)
  finops(
    @Query() q: RouteQuery<typeof GATEWAY_ROUTES.finopsDashboard>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof GATEWAY_ROUTES.finopsDashboard>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.toolsCostRead);
    return this.digests.finops(q.window_hours, caller.workspaceId);
  }

  /** `GET /v1/privacy/dashboard?window_hours=24` (`tools.data_gov.read`). */
  @ContractRoute(GATEWAY_ROUTES.privacyDashboard)
  @RequireEntitlements(ENTITLEMENTS.toolsDataGovRead)
  privacy(
    @Query() q: RouteQuery<typeof GATEWAY_ROUTES.privacyDashboard>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof GATEWAY_ROUTES.privacyDashboard>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.toolsDataGovRead);
    return this.digests.privacy(q.window_hours, caller.workspaceId);
  }
}
