import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ENTITLEMENTS, PositiveIntSchema, WorkbookNameSchema, WorkbookSpecSchema, named, type WorkbookSpec } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { CurrentPrincipal, RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { actorOf } from '../config-changes/config-change.repository';
import type { WorkbookRow, WorkbookSummary } from './workbook.repository';
import { DRY_RUN_TIMEOUT_MS, WorkbooksService, type DryRunReport, type WorkbookDetail } from './workbooks.service';

const DryRunQuerySchema = z.strictObject({
  timeout_ms: z.coerce
    .number(named(`must be an integer between ${DRY_RUN_TIMEOUT_MS.min} and ${DRY_RUN_TIMEOUT_MS.max} (ms)`))
    .int()
    .min(DRY_RUN_TIMEOUT_MS.min)
    .max(DRY_RUN_TIMEOUT_MS.max)
    .optional(),
});

const VersionParamSchema = z.coerce.number(named('must be a positive integer')).pipe(PositiveIntSchema);

/** The spec format as JSON Schema (draft 2020-12, input side): what the dashboard's workbook editor validates against. */
const WORKBOOK_SPEC_JSON_SCHEMA = Object.freeze(z.toJSONSchema(WorkbookSpecSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);

/**
 * Workbooks (`audit.workbooks`): declarative, versioned specs run by the
 * `workbook` action type (docs/workbooks.md). A save never overwrites: it
 * creates the next version. A malformed spec is a 400 naming the path.
 */
@ApiTags('workbooks')
@ApiBearerAuth()
@Controller('v1/workbooks')
export class WorkbooksController {
  constructor(private readonly workbooks: WorkbooksService) {}

  @Get()
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  @ApiOkResponse({ description: '[{ name, latest_version, versions, description, steps, updated_at }]' })
  list(): Promise<WorkbookSummary[]> {
    return this.workbooks.list();
  }

  @Get('schema')
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  @ApiOkResponse({ description: 'the JSON Schema of a workbook spec' })
  schema(): Record<string, unknown> {
    return WORKBOOK_SPEC_JSON_SCHEMA;
  }

  @Get(':name')
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  @ApiOkResponse({ description: '{ name, latest: { id, name, version, spec, created_at }, versions: [{ id, name, version, created_at }] }' })
  get(@Param('name', new ZodValidationPipe(WorkbookNameSchema)) name: string): Promise<WorkbookDetail> {
    return this.workbooks.get(name);
  }

  @Get(':name/versions/:version')
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  @ApiOkResponse({ description: 'one version: { id, name, version, spec, created_at }' })
  async version(
    @Param('name', new ZodValidationPipe(WorkbookNameSchema)) name: string,
    @Param('version', new ZodValidationPipe(VersionParamSchema)) version: number,
  ): Promise<WorkbookRow> {
    return (await this.workbooks.get(name, version)).latest;
  }

  /** Saves the spec as the next version of its workbook; 400 naming the path of each problem, 409 when `version` is stale. */
  @Post()
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  @ApiCreatedResponse({ description: 'the stored version: { id, name, version, spec, created_at }' })
  save(@Body(new ZodValidationPipe(WorkbookSpecSchema)) spec: WorkbookSpec, @CurrentPrincipal() principal: Principal): Promise<WorkbookRow> {
    return this.workbooks.save(spec, actorOf(principal));
  }

  /**
   * Validates and executes a spec without saving it (the editor's "try
   * it"). Steps reach the network and the datasources exactly as a scheduled
   * run would, hence `actions.write`; the execution is recorded as a run with
   * trigger `dry_run` (ledgered, `output.requested_by` = the caller).
   */
  @Post('dry-run')
  @HttpCode(200)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  @ApiQuery({ name: 'timeout_ms', required: false, description: `time budget of the whole run, ${DRY_RUN_TIMEOUT_MS.min}–${DRY_RUN_TIMEOUT_MS.max} ms (default ${DRY_RUN_TIMEOUT_MS.default})` })
  @ApiOkResponse({ description: '{ run_id, ledger_seq, name, verdict, status, duration_ms, steps: [{ id, kind, status, message, duration_ms, check }], context }' })
  dryRun(
    @Body(new ZodValidationPipe(WorkbookSpecSchema)) spec: WorkbookSpec,
    @Query(new ZodValidationPipe(DryRunQuerySchema)) query: z.output<typeof DryRunQuerySchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DryRunReport> {
    return this.workbooks.dryRun(spec, actorOf(principal), query.timeout_ms);
  }
}
