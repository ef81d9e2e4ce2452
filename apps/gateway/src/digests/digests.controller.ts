import { Controller, Get, Headers, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { CurrentPrincipal, RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { CallerService } from '../governance/caller.service';
import { ApiQueryFrom } from '../lifecycle/openapi-query.util';
import { WindowHoursSchema } from '../lifecycle/query-params.schema';
import { DigestsService } from './digests.service';

const WindowQuery = z.object({ window_hours: WindowHoursSchema });
type Headers_ = Record<string, string | string[] | undefined>;

/** The tool-governance dashboards. A workspace-scoped caller sees only its workspace. */
@ApiTags('tools')
@ApiBearerAuth()
@Controller('v1')
export class DigestsController {
  constructor(
    private readonly digests: DigestsService,
    private readonly callers: CallerService,
  ) {}

  /** `GET /v1/finops/dashboard?window_hours=24` (`tools.cost.read`). */
  @Get('finops/dashboard')
  @ApiQueryFrom(WindowQuery)
  @RequireEntitlements(ENTITLEMENTS.toolsCostRead)
  finops(
    @Query(new ZodValidationPipe(WindowQuery)) q: z.output<typeof WindowQuery>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<Record<string, unknown>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.toolsCostRead);
    return this.digests.finops(q.window_hours, caller.workspaceId);
  }

  /** `GET /v1/privacy/dashboard?window_hours=24` (`tools.data_gov.read`). */
  @Get('privacy/dashboard')
  @ApiQueryFrom(WindowQuery)
  @RequireEntitlements(ENTITLEMENTS.toolsDataGovRead)
  privacy(
    @Query(new ZodValidationPipe(WindowQuery)) q: z.output<typeof WindowQuery>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<Record<string, unknown>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.toolsDataGovRead);
    return this.digests.privacy(q.window_hours, caller.workspaceId);
  }
}
