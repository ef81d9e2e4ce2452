import { Body, Controller, Param, Query } from '@nestjs/common';
import {
  ActionCursorSchema,
  decodeCursor,
  encodeCursor,
  ENGINE_ROUTES,
  ENTITLEMENTS,
  type RouteBody,
  type RouteParams,
  type RouteQuery,
  type RouteResult,
} from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import { actorOf } from '../config-changes/config-change.repository';
import { ActionsService } from './actions.service';

const R = ENGINE_ROUTES;

/** Actions (`/v1/actions`): requests and responses as declared in `ENGINE_ROUTES`. */
@Controller()
export class ActionsController {
  constructor(private readonly actions: ActionsService) {}

  @ContractRoute(R.listActions)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  async list(@Query() query: RouteQuery<typeof R.listActions>): Promise<RouteResult<typeof R.listActions>> {
    const page = await this.actions.list({ project_id: query.project_id, limit: query.limit, after: decodeCursor(query.cursor, ActionCursorSchema) });
    return { items: page.items, next_cursor: page.next_cursor ? encodeCursor(page.next_cursor) : null };
  }

  @ContractRoute(R.getAction)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  get(@Param() params: RouteParams<typeof R.getAction>): Promise<RouteResult<typeof R.getAction>> {
    return this.actions.get(params.id);
  }

  /** Creates an action; `config` must pass the action type's schema (see GET /v1/action-types). */
  @ContractRoute(R.createAction)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  create(@Body() body: RouteBody<typeof R.createAction>, @CurrentPrincipal() principal: Principal): Promise<RouteResult<typeof R.createAction>> {
    return this.actions.create(body, actorOf(principal));
  }

  @ContractRoute(R.updateAction)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  update(
    @Param() params: RouteParams<typeof R.updateAction>,
    @Body() body: RouteBody<typeof R.updateAction>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RouteResult<typeof R.updateAction>> {
    return this.actions.update(params.id, body, actorOf(principal));
  }

  @ContractRoute(R.deleteAction)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  remove(@Param() params: RouteParams<typeof R.deleteAction>, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.actions.remove(params.id, actorOf(principal));
  }

  @ContractRoute(R.pauseAction)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  pause(@Param() params: RouteParams<typeof R.pauseAction>, @CurrentPrincipal() principal: Principal): Promise<RouteResult<typeof R.pauseAction>> {
    return this.actions.update(params.id, { status: 'paused' }, actorOf(principal));
  }

  @ContractRoute(R.resumeAction)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  resume(@Param() params: RouteParams<typeof R.resumeAction>, @CurrentPrincipal() principal: Principal): Promise<RouteResult<typeof R.resumeAction>> {
    return this.actions.update(params.id, { status: 'active' }, actorOf(principal));
  }

  /** Runs the action now (trigger `manual`); returns the run id at once, the run appears within the action's timeout. */
  @ContractRoute(R.runAction)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  run(@Param() params: RouteParams<typeof R.runAction>): Promise<RouteResult<typeof R.runAction>> {
    return this.actions.runNow(params.id);
  }
}
