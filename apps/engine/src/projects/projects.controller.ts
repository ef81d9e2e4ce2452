import { Body, Controller, Param, Query } from '@nestjs/common';
import {
  decodeCursor,
  ENTITLEMENTS,
  encodeCursor,
  ENGINE_ROUTES,
  ProjectCursorSchema,
  type RouteBody,
  type RouteParams,
  type RouteQuery,
  type RouteResult,
} from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import { actorOf } from '../config-changes/config-change.repository';
import { ScheduleSync } from '../scheduling/schedule-sync.service';
import { ProjectsService } from './projects.service';

const R = ENGINE_ROUTES;

/** Projects (`/v1/projects`): requests and responses as declared in `ENGINE_ROUTES`. */
@Controller()
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly sync: ScheduleSync,
  ) {}

  @ContractRoute(R.listProjects)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  async list(@Query() query: RouteQuery<typeof R.listProjects>): Promise<RouteResult<typeof R.listProjects>> {
    const page = await this.projects.list(query.limit, decodeCursor(query.cursor, ProjectCursorSchema));
    return { items: page.items, next_cursor: page.next_cursor ? encodeCursor(page.next_cursor) : null };
  }

  @ContractRoute(R.getProject)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  get(@Param() params: RouteParams<typeof R.getProject>): Promise<RouteResult<typeof R.getProject>> {
    return this.projects.get(params.id);
  }

  @ContractRoute(R.createProject)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  create(@Body() body: RouteBody<typeof R.createProject>, @CurrentPrincipal() principal: Principal): Promise<RouteResult<typeof R.createProject>> {
    return this.projects.create(body, actorOf(principal));
  }

  @ContractRoute(R.updateProject)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  update(
    @Param() params: RouteParams<typeof R.updateProject>,
    @Body() body: RouteBody<typeof R.updateProject>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RouteResult<typeof R.updateProject>> {
    return this.projects.update(params.id, body, actorOf(principal));
  }

  /** Deletes the project and its actions (their schedules are removed); stored runs are kept. */
  @ContractRoute(R.deleteProject)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  async remove(@Param() params: RouteParams<typeof R.deleteProject>, @CurrentPrincipal() principal: Principal): Promise<void> {
    const actionIds = await this.projects.remove(params.id, actorOf(principal));
    await this.sync.reconcileIds(actionIds);
  }
}
