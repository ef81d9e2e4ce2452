import { Body, Controller, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import {
  decodeCursor,
  encodeCursor,
  ENGINE_ROUTES,
  ENTITLEMENTS,
  WorkbookCursorSchema,
  WorkbookSpecSchema,
  type RouteBody,
  type RouteParams,
  type RouteQuery,
  type RouteResult,
} from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import { actorOf } from '../config-changes/config-change.repository';
import { WorkbooksService } from './workbooks.service';

const R = ENGINE_ROUTES;

/** The spec format as JSON Schema (draft 2020-12, input side): what the dashboard's workbook editor validates against. */
const WORKBOOK_SPEC_JSON_SCHEMA = Object.freeze(z.toJSONSchema(WorkbookSpecSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);

/**
 * Workbooks (`audit.workbooks`): declarative, versioned specs run by the
 * `workbook` action type (docs/workbooks.md). A save never overwrites: it
 * creates the next version. A malformed spec is a 400 naming the path.
 */
@Controller()
export class WorkbooksController {
  constructor(private readonly workbooks: WorkbooksService) {}

  @ContractRoute(R.listWorkbooks)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  async list(@Query() query: RouteQuery<typeof R.listWorkbooks>): Promise<RouteResult<typeof R.listWorkbooks>> {
    const page = await this.workbooks.list(query.limit, decodeCursor(query.cursor, WorkbookCursorSchema)?.name ?? null);
    return { items: page.items, next_cursor: page.next_cursor ? encodeCursor(page.next_cursor) : null };
  }

  @ContractRoute(R.getWorkbookSchema)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  schema(): RouteResult<typeof R.getWorkbookSchema> {
    return WORKBOOK_SPEC_JSON_SCHEMA;
  }

  @ContractRoute(R.getWorkbook)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  get(@Param() params: RouteParams<typeof R.getWorkbook>): Promise<RouteResult<typeof R.getWorkbook>> {
    return this.workbooks.get(params.name);
  }

  @ContractRoute(R.getWorkbookVersion)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  async version(@Param() params: RouteParams<typeof R.getWorkbookVersion>): Promise<RouteResult<typeof R.getWorkbookVersion>> {
    return (await this.workbooks.get(params.name, params.version)).latest;
  }

  /** Saves the spec as the next version of its workbook; 400 naming the path of each problem, 409 when `version` is stale. */
  @ContractRoute(R.saveWorkbook)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  save(@Body() spec: RouteBody<typeof R.saveWorkbook>, @CurrentPrincipal() principal: Principal): Promise<RouteResult<typeof R.saveWorkbook>> {
    return this.workbooks.save(spec, actorOf(principal));
  }

  /**
   * Validates and executes a spec without saving it (the editor's "try
   * it"). Steps reach the network and the datasources exactly as a scheduled
   * run would, hence `actions.write`; the execution is recorded as a run with
   * trigger `dry_run` (ledgered, `output.requested_by` = the caller).
   */
  @ContractRoute(R.dryRunWorkbook)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  dryRun(
    @Body() spec: RouteBody<typeof R.dryRunWorkbook>,
    @Query() query: RouteQuery<typeof R.dryRunWorkbook>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RouteResult<typeof R.dryRunWorkbook>> {
    return this.workbooks.dryRun(spec, actorOf(principal), query.timeout_ms);
  }
}
