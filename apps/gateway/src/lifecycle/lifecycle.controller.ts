import { Controller, ForbiddenException, Get, Headers, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ENTITLEMENTS, IdentifierSchema, LifecycleActionSchema, named, UtcTimestampSchema } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { CurrentPrincipal, RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { CallerService } from '../governance/caller.service';
import { LifecycleQueryService } from './lifecycle-query.service';
import { ApiQueryFrom } from './openapi-query.util';
import { LimitSchema, OptionalId, PageQuerySchema, WindowHoursSchema } from './query-params.schema';

const ListQuerySchema = PageQuerySchema.extend({
  engine_id: OptionalId,
  user_id: OptionalId,
  product_id: OptionalId,
  actor: OptionalId,
  action: LifecycleActionSchema.optional(),
});
const WindowQuerySchema = z.object({ window_hours: WindowHoursSchema, limit: LimitSchema });
const EngineHoursQuerySchema = z.object({
  group_by: z.enum(['product', 'user'], named('must be product or user')).default('product'),
  from: UtcTimestampSchema.optional(),
  to: UtcTimestampSchema.optional(),
});
const LimitQuerySchema = z.object({ limit: LimitSchema });
const IdParam = new ZodValidationPipe(IdentifierSchema);

type Headers_ = Record<string, string | string[] | undefined>;

/**
 * Lifecycle queries (`events.read`): the filtered, keyset-paginated list and
 * the canned reports. Lifecycle events belong to no workspace, so a
 * workspace-scoped caller gets 403 here rather than another workspace's fleet.
 */
@ApiTags('lifecycle')
@ApiBearerAuth()
@RequireEntitlements(ENTITLEMENTS.eventsRead)
@Controller('v1')
export class LifecycleController {
  constructor(
    private readonly queries: LifecycleQueryService,
    private readonly callers: CallerService,
  ) {}

  private authorize(principal: Principal, headers: Headers_): void {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.eventsRead);
    if (caller.workspaceId !== null) {
      throw new ForbiddenException(`lifecycle events are fleet-wide; a caller scoped to workspace ${caller.workspaceId} cannot read them`);
    }
  }

  @Get('lifecycle-events')
  @ApiQueryFrom(ListQuerySchema)
  list(
    @Query(new ZodValidationPipe(ListQuerySchema)) q: z.output<typeof ListQuerySchema>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<Record<string, unknown>> {
    this.authorize(principal, headers);
    return this.queries.list(q);
  }

  @Get('lifecycle/engines/:engine_id/recent')
  @ApiQueryFrom(LimitQuerySchema)
  engineRecent(
    @Param('engine_id', IdParam) engineId: string,
    @Query(new ZodValidationPipe(LimitQuerySchema)) q: { limit: number },
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<Record<string, unknown>> {
    this.authorize(principal, headers);
    return this.queries.engineRecent(engineId, q.limit);
  }

  @Get('lifecycle/provisions')
  @ApiQueryFrom(WindowQuerySchema)
  provisions(
    @Query(new ZodValidationPipe(WindowQuerySchema)) q: z.output<typeof WindowQuerySchema>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<Record<string, unknown>> {
    this.authorize(principal, headers);
    return this.queries.provisions(q.window_hours);
  }

  @Get('lifecycle/auto-restart-hotspots')
  @ApiQueryFrom(WindowQuerySchema)
  hotspots(
    @Query(new ZodValidationPipe(WindowQuerySchema)) q: z.output<typeof WindowQuerySchema>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<Record<string, unknown>> {
    this.authorize(principal, headers);
    return this.queries.autoRestartHotspots(q.window_hours, q.limit);
  }

  @Get('lifecycle/actors')
  @ApiQueryFrom(WindowQuerySchema)
  actors(
    @Query(new ZodValidationPipe(WindowQuerySchema)) q: z.output<typeof WindowQuerySchema>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<Record<string, unknown>> {
    this.authorize(principal, headers);
    return this.queries.byActor(q.window_hours);
  }

  @Get('lifecycle/users/:user_id/lifetime')
  @ApiQueryFrom(LimitQuerySchema)
  userLifetime(
    @Param('user_id', IdParam) userId: string,
    @Query(new ZodValidationPipe(LimitQuerySchema)) q: { limit: number },
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<Record<string, unknown>> {
    this.authorize(principal, headers);
    return this.queries.userLifetime(userId, q.limit);
  }

  @Get('lifecycle/engine-hours')
  @ApiQueryFrom(EngineHoursQuerySchema)
  engineHours(
    @Query(new ZodValidationPipe(EngineHoursQuerySchema)) q: z.output<typeof EngineHoursQuerySchema>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<Record<string, unknown>> {
    this.authorize(principal, headers);
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - 24 * 3_600_000);
    return this.queries.engineHours(q.group_by, from, to);
  }
}
