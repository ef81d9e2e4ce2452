import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ENTITLEMENTS, UuidSchema, type Run } from '@auditstack/audit-core';
import { RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { RunListQuerySchema, RunsService, type RunListQuery, type RunPage } from './runs.service';

@ApiTags('runs')
@ApiBearerAuth()
@Controller('v1/runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Get()
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  @ApiQuery({ name: 'project_id', required: false })
  @ApiQuery({ name: 'action_id', required: false })
  @ApiQuery({ name: 'status', required: false, enum: ['pass', 'fail', 'error'] })
  @ApiQuery({ name: 'from', required: false, description: 'ISO-8601, inclusive, on started_at' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO-8601, exclusive, on started_at' })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'next_cursor of the previous page' })
  @ApiOkResponse({ description: '{ items: Run[], next_cursor }, newest first' })
  list(@Query(new ZodValidationPipe(RunListQuerySchema)) query: RunListQuery): Promise<RunPage> {
    return this.runs.list(query);
  }

  @Get(':id')
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  get(@Param('id', new ZodValidationPipe(UuidSchema)) id: string): Promise<Run> {
    return this.runs.get(id);
  }
}
