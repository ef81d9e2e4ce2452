import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ENTITLEMENTS, UuidSchema, named } from '@auditstack/audit-core';
import { RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { OverviewService, type ProjectCard } from './overview.service';

const ScorecardQuerySchema = z.strictObject({
  target: z.string(named('must be 1–500 characters')).min(1).max(500).optional(),
});

@ApiTags('overview')
@ApiBearerAuth()
@Controller('v1')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  /** One card per project: score X/N, badge, last audit time, counts. */
  @Get('overview')
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  @ApiOkResponse({ description: 'cards per project: score X/N, badge green/amber/red (grey: no results yet), last audit time, counts' })
  async cards(): Promise<{ projects: ProjectCard[] }> {
    return { projects: await this.overview.overview() };
  }

  @Get('projects/:id/scorecard')
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  @ApiQuery({ name: 'target', required: false, description: 'only this target (e.g. a mail domain)' })
  scorecard(
    @Param('id', new ZodValidationPipe(UuidSchema)) id: string,
    @Query(new ZodValidationPipe(ScorecardQuerySchema)) query: z.output<typeof ScorecardQuerySchema>,
  ): Promise<Record<string, unknown>> {
    return this.overview.scorecard(id, query.target);
  }
}
