import { Body, Controller, Query } from '@nestjs/common';
import { ENTITLEMENTS, OTLP_ROUTES, type RouteBody, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
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
  ) {}

  @RequireEntitlements(ENTITLEMENTS.eventsWrite)
  @ContractRoute(OTLP_ROUTES.exportOtlpLogs)
  async exportLogs(
    @Body() body: RouteBody<typeof OTLP_ROUTES.exportOtlpLogs>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RouteResult<typeof OTLP_ROUTES.exportOtlpLogs>> {
    return (await this.otlp.export(body, principal.workspaceId)).response;
  }

  /** `GET /v1/observability-events` (`events.read`): newest first, keyset-paginated. */
  @RequireEntitlements(ENTITLEMENTS.eventsRead)
  @ContractRoute(OTLP_ROUTES.listObservabilityEvents)
  list(@Query() q: RouteQuery<typeof OTLP_ROUTES.listObservabilityEvents>): Promise<RouteResult<typeof OTLP_ROUTES.listObservabilityEvents>> {
    return this.queries.list(q);
  }
}
