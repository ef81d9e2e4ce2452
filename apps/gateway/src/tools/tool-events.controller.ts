import { Controller, ForbiddenException, Get, Headers, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { ENTITLEMENTS, ToolEventStatusSchema } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { CurrentPrincipal, RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { CallerService } from '../governance/caller.service';
import { ApiQueryFrom } from '../lifecycle/openapi-query.util';
import { OptionalId, PageQuerySchema } from '../lifecycle/query-params.schema';
import { ToolQueryService } from './tool-query.service';

const ToolListQuerySchema = PageQuerySchema.extend({
  workspace_id: OptionalId,
  agent_id: OptionalId,
  user_id: OptionalId,
  tool: OptionalId,
  action: OptionalId,
  status: ToolEventStatusSchema.optional(),
  req_id: OptionalId,
  graph_run_id: OptionalId,
});

/** `GET /v1/tool-events` (`events.read`): filters and keyset pagination; a workspace-scoped caller sees only its workspace. */
@ApiTags('tools')
@ApiBearerAuth()
@RequireEntitlements(ENTITLEMENTS.eventsRead)
@Controller('v1')
export class ToolEventsController {
  constructor(
    private readonly queries: ToolQueryService,
    private readonly callers: CallerService,
  ) {}

  @Get('tool-events')
  @ApiQueryFrom(ToolListQuerySchema)
  list(
    @Query(new ZodValidationPipe(ToolListQuerySchema)) q: z.output<typeof ToolListQuerySchema>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Record<string, string | string[] | undefined>,
  ): Promise<Record<string, unknown>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.eventsRead);
    if (caller.workspaceId !== null && q.workspace_id !== undefined && q.workspace_id !== caller.workspaceId) {
      throw new ForbiddenException(`workspace_id: this caller is scoped to workspace ${caller.workspaceId}`);
    }
    return this.queries.list(q, caller.workspaceId);
  }
}
