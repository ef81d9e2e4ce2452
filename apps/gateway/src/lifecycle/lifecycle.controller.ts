import { Controller, Headers, Param, Query } from '@nestjs/common';
import { DomainError, ENTITLEMENTS, GATEWAY_ROUTES, type RouteParams, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import type { GatewayErrorCode } from '../gateway.errors';
import { CallerService } from '../governance/caller.service';
import { LifecycleQueryService } from './lifecycle-query.service';

type Headers_ = Record<string, string | string[] | undefined>;
const R = GATEWAY_ROUTES;

/**
 * Lifecycle queries (`events.read`): the filtered, keyset-paginated list and
 * the canned reports. Lifecycle events belong to no workspace, so a
 * workspace-scoped caller gets 403 here rather than another workspace's fleet.
 */
@RequireEntitlements(ENTITLEMENTS.eventsRead)
@Controller()
export class LifecycleController {
  constructor(
    private readonly queries: LifecycleQueryService,
    private readonly callers: CallerService,
  ) {}

  private authorize(principal: Principal, headers: Headers_): void {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.eventsRead);
    if (caller.workspaceId !== null) {
      throw new DomainError<GatewayErrorCode>(
        'WORKSPACE_FORBIDDEN',
        `lifecycle events are fleet-wide; a caller scoped to workspace ${caller.workspaceId} cannot read them`,
      );
    }
  }

  @ContractRoute(R.listLifecycleEvents)
  list(
    @Query() q: RouteQuery<typeof R.listLifecycleEvents>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof R.listLifecycleEvents>> {
    this.authorize(principal, headers);
    return this.queries.list(q);
  }

  @ContractRoute(R.engineRecentActivity)
  engineRecent(
    @Param() p: RouteParams<typeof R.engineRecentActivity>,
    @Query() q: RouteQuery<typeof R.engineRecentActivity>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof R.engineRecentActivity>> {
    this.authorize(principal, headers);
    return this.queries.engineRecent(p.engine_id, q);
  }

  @ContractRoute(R.provisionsReport)
  provisions(
    @Query() q: RouteQuery<typeof R.provisionsReport>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof R.provisionsReport>> {
    this.authorize(principal, headers);
    return this.queries.provisions(q.window_hours);
  }

  @ContractRoute(R.autoRestartHotspots)
  hotspots(
    @Query() q: RouteQuery<typeof R.autoRestartHotspots>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof R.autoRestartHotspots>> {
    this.authorize(principal, headers);
    return this.queries.autoRestartHotspots(q.window_hours, q.limit);
  }

  @ContractRoute(R.actorActivity)
  actors(
    @Query() q: RouteQuery<typeof R.actorActivity>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof R.actorActivity>> {
    this.authorize(principal, headers);
    return this.queries.byActor(q.window_hours);
  }

  @ContractRoute(R.userLifetime)
  userLifetime(
    @Param() p: RouteParams<typeof R.userLifetime>,
    @Query() q: RouteQuery<typeof R.userLifetime>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof R.userLifetime>> {
    this.authorize(principal, headers);
    return this.queries.userLifetime(p.user_id, q.limit);
  }

  @ContractRoute(R.engineHours)
  engineHours(
    @Query() q: RouteQuery<typeof R.engineHours>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof R.engineHours>> {
    this.authorize(principal, headers);
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - 24 * 3_600_000);
    return this.queries.engineHours(q.group_by, from, to);
  }
}
