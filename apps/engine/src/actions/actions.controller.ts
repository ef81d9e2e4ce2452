import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  ActionCreateSchema,
  ActionUpdateSchema,
  ENTITLEMENTS,
  UuidSchema,
  type Action,
  type ActionCreate,
  type ActionUpdate,
} from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { CurrentPrincipal, RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { actorOf } from '../config-changes/config-change.repository';
import { ActionsService } from './actions.service';

const ActionListQuerySchema = z.strictObject({ project_id: UuidSchema.optional() });

@ApiTags('actions')
@ApiBearerAuth()
@Controller('v1/actions')
export class ActionsController {
  constructor(private readonly actions: ActionsService) {}

  @Get()
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  @ApiQuery({ name: 'project_id', required: false })
  @ApiOkResponse({ description: 'actions, optionally of one project' })
  list(@Query(new ZodValidationPipe(ActionListQuerySchema)) query: z.output<typeof ActionListQuerySchema>): Promise<Action[]> {
    return this.actions.list(query.project_id);
  }

  @Get(':id')
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  get(@Param('id', new ZodValidationPipe(UuidSchema)) id: string): Promise<Action> {
    return this.actions.get(id);
  }

  /** Creates an action; `config` must pass the action type's schema (see GET /v1/action-types). */
  @Post()
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  create(@Body(new ZodValidationPipe(ActionCreateSchema)) body: ActionCreate, @CurrentPrincipal() principal: Principal): Promise<Action> {
    return this.actions.create(body, actorOf(principal));
  }

  @Patch(':id')
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  update(
    @Param('id', new ZodValidationPipe(UuidSchema)) id: string,
    @Body(new ZodValidationPipe(ActionUpdateSchema)) body: ActionUpdate,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Action> {
    return this.actions.update(id, body, actorOf(principal));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  remove(@Param('id', new ZodValidationPipe(UuidSchema)) id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.actions.remove(id, actorOf(principal));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  pause(@Param('id', new ZodValidationPipe(UuidSchema)) id: string, @CurrentPrincipal() principal: Principal): Promise<Action> {
    return this.actions.update(id, { status: 'paused' }, actorOf(principal));
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  resume(@Param('id', new ZodValidationPipe(UuidSchema)) id: string, @CurrentPrincipal() principal: Principal): Promise<Action> {
    return this.actions.update(id, { status: 'active' }, actorOf(principal));
  }

  /** Runs the action now (trigger `manual`); returns the run id at once, the run appears within the action's timeout. */
  @Post(':id/run')
  @HttpCode(202)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  @ApiAcceptedResponse({ description: '{ run_id, action_id, requested_at }' })
  run(@Param('id', new ZodValidationPipe(UuidSchema)) id: string): Promise<{ run_id: string; action_id: string; requested_at: string }> {
    return this.actions.runNow(id);
  }
}
