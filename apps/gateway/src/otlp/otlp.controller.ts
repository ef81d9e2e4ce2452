import { Body, Controller, Headers, Query } from '@nestjs/common';
import { DomainError, ENTITLEMENTS, OTLP_ROUTES, type RouteBody, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import type { GatewayErrorCode } from '../gateway.errors';
import { CallerService } from '../governance/caller.service';
import { ObservabilityQueryService } from './observability-query.service';
import { OtlpService } from './otlp.service';

/**
 * `POST /v1/otlp/v1/logs` (`events.write`): OpenTelemetry logs over OTLP/HTTP,
 * JSON or protobuf, optionally gzip (the encodings are read by
 * {@link OtlpBodyEncodings} before this handler; the answer goes back in the
 * request's encoding). A workspace-scoped caller writes tool calls of its
 * workspace only; its other records are refused one by one.
 */
@Controller()
export class OtlpController {
  constructor(
    private readonly otlp: OtlpService,
    private readonly queries: ObservabilityQueryService,
    private readonly callers: CallerService,
  ) {}

  @RequireEntitlements(ENTITLEMENTS.eventsWrite)
  @ContractRoute(OTLP_ROUTES.exportOtlpLogs)
  async exportLogs(
    @Body() body: RouteBody<typeof OTLP_ROUTES.exportOtlpLogs>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RouteResult<typeof OTLP_ROUTES.exportOtlpLogs>> {
    return (await this.otlp.export(body, principal.workspaceId)).response;
  }

  /**
   * `GET /v1/observability-events` (`events.read`): newest first, keyset-paginated.
   * Engine logs belong to no workspace: a workspace-scoped caller gets 403, not the fleet's.
   */
  @RequireEntitlements(ENTITLEMENTS.eventsRead)
  @ContractRoute(OTLP_ROUTES.listObservabilityEvents)
  list(
    @Query() q: RouteQuery<typeof OTLP_ROUTES.listObservabilityEvents>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Record<string, string | string[] | undefined>,
  ): Promise<RouteResult<typeof OTLP_ROUTES.listObservabilityEvents>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.eventsRead);
    if (caller.workspaceId !== null) {
      throw new DomainError<GatewayErrorCode>(
        'WORKSPACE_FORBIDDEN',
        `observability events are fleet-wide; a caller scoped to workspace ${caller.workspaceId} cannot read them`,
      );
    }
    return this.queries.list(q);
  }
}
