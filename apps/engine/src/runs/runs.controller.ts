import { Controller, Param, Query } from '@nestjs/common';
import {
  decodeCursor,
  encodeCursor,
  ENGINE_ROUTES,
  ENTITLEMENTS,
  RunCursorSchema,
  type RouteParams,
  type RouteQuery,
  type RouteResult,
} from '@auditstack/audit-core';
import { ContractRoute, RequireEntitlements } from '@auditstack/service-kit';
import { RunsService } from './runs.service';

const R = ENGINE_ROUTES;

/** Run history (`/v1/runs`), newest first. */
@Controller()
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @ContractRoute(R.listRuns)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  async list(@Query() query: RouteQuery<typeof R.listRuns>): Promise<RouteResult<typeof R.listRuns>> {
    const { cursor, ...filters } = query;
    const page = await this.runs.list(filters, decodeCursor(cursor, RunCursorSchema));
    return { items: page.items, next_cursor: page.next_cursor ? encodeCursor(page.next_cursor) : null };
  }

  @ContractRoute(R.getRun)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  get(@Param() params: RouteParams<typeof R.getRun>): Promise<RouteResult<typeof R.getRun>> {
    return this.runs.get(params.id);
  }
}
