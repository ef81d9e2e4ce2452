import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ENTITLEMENTS, ProjectCreateSchema, ProjectUpdateSchema, UuidSchema, type Project, type ProjectCreate, type ProjectUpdate } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { CurrentPrincipal, RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { actorOf } from '../config-changes/config-change.repository';
import { ScheduleSync } from '../scheduling/schedule-sync.service';
import { ProjectsService } from './projects.service';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('v1/projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly sync: ScheduleSync,
  ) {}

  @Get()
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  @ApiOkResponse({ description: 'every project, by name' })
  list(): Promise<Project[]> {
    return this.projects.list();
  }

  @Get(':id')
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  get(@Param('id', new ZodValidationPipe(UuidSchema)) id: string): Promise<Project> {
    return this.projects.get(id);
  }

  @Post()
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  create(@Body(new ZodValidationPipe(ProjectCreateSchema)) body: ProjectCreate, @CurrentPrincipal() principal: Principal): Promise<Project> {
    return this.projects.create(body, actorOf(principal));
  }

  @Patch(':id')
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  update(
    @Param('id', new ZodValidationPipe(UuidSchema)) id: string,
    @Body(new ZodValidationPipe(ProjectUpdateSchema)) body: ProjectUpdate,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Project> {
    return this.projects.update(id, body, actorOf(principal));
  }

  /** Deletes the project and its actions (their schedules are removed); stored runs are kept. */
  @Delete(':id')
  @HttpCode(204)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  async remove(@Param('id', new ZodValidationPipe(UuidSchema)) id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    const actionIds = await this.projects.remove(id, actorOf(principal));
    await this.sync.reconcileIds(actionIds);
  }
}
