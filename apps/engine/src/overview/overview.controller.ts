import { Controller, Param, Query } from '@nestjs/common';
import { ENGINE_ROUTES, ENTITLEMENTS, type RouteParams, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import { ContractRoute, RequireEntitlements } from '@auditstack/service-kit';
import { OverviewService } from './overview.service';

const R = ENGINE_ROUTES;

/** The overview cards and per-project scorecards. */
@Controller()
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  /** One card per project: score X/N, badge, last audit time, counts. */
  @ContractRoute(R.getOverview)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  async cards(): Promise<RouteResult<typeof R.getOverview>> {
    return { projects: await this.overview.overview() };
  }

  @ContractRoute(R.getProjectScorecard)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  scorecard(
    @Param() params: RouteParams<typeof R.getProjectScorecard>,
    @Query() query: RouteQuery<typeof R.getProjectScorecard>,
  ): Promise<RouteResult<typeof R.getProjectScorecard>> {
    return this.overview.scorecard(params.id, query.target);
  }
}
