import { Body, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { z } from 'zod';
import { ENTITLEMENTS, boundedText, named, strictObject } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { CurrentPrincipal, RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { actorOf, recordConfigChanges } from '../config-changes/config-change.repository';
import { ENGINE_PG, inTransaction } from '../database/engine-pg.util';

/** A platform element's name (`audit.services.service_name`, unique). */
const ServiceNameSchema = z
  .string(named('must be 1–200 characters of A–Z, a–z, 0–9, ".", "_", "-"'))
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/);

/** Body of `PUT /v1/services/:service_name`: the element as it should be recorded. */
export const ServiceUpsertSchema = strictObject(
  {
    service_type: boundedText(100, 1),
    /** @defaultValue `''` */
    host: boundedText(500).default(''),
    /** @defaultValue `'active'` (only active elements are audited by infra_docs_check) */
    status: z.enum(['active', 'inactive', 'retired'], named('must be one of active, inactive, retired')).default('active'),
    /** `yes` when the element has a compliance workbook. @defaultValue `'no'` */
    compliance_workbook: z.enum(['yes', 'no', 'partial'], named('must be one of yes, no, partial')).default('no'),
    workbook_url: z.url(named('must be an http(s) URL')).max(2000).nullable().default(null),
    /** @defaultValue `''` */
    compliance_notes: boundedText(2000).default(''),
  },
  'a service',
);
export type ServiceUpsert = z.output<typeof ServiceUpsertSchema>;

const COLUMNS = 'id, service_name, service_type, host, status, compliance_workbook, workbook_url, compliance_notes, updated_at';

/**
 * The inventory of platform elements (`audit.services`) that the
 * documentation-compliance check (`infra_docs_check`) reads. Automation keeps
 * it current with idempotent PUTs by name.
 */
@ApiTags('services')
@ApiBearerAuth()
@Controller('v1/services')
export class ServicesController {
  constructor(@Inject(ENGINE_PG) private readonly pool: Pool) {}

  @Get()
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  @ApiOkResponse({ description: 'every recorded platform element, by name' })
  async list(): Promise<Record<string, unknown>[]> {
    return (await this.pool.query(`SELECT ${COLUMNS} FROM audit.services ORDER BY service_name`)).rows;
  }

  /** Creates or replaces the element named `service_name`; the change is recorded (a `config` ledger leaf) in the same transaction. */
  @Put(':service_name')
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  async upsert(
    @Param('service_name', new ZodValidationPipe(ServiceNameSchema)) name: string,
    @Body(new ZodValidationPipe(ServiceUpsertSchema)) body: ServiceUpsert,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Record<string, unknown>> {
    return inTransaction(this.pool, async (client) => {
      const before = (await client.query(`SELECT ${COLUMNS} FROM audit.services WHERE service_name = $1 FOR UPDATE`, [name])).rows[0] ?? null;
      const { rows } = await client.query(
        `INSERT INTO audit.services (service_name, service_type, host, status, compliance_workbook, workbook_url, compliance_notes)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (service_name) DO UPDATE SET service_type = EXCLUDED.service_type, host = EXCLUDED.host, status = EXCLUDED.status,
           compliance_workbook = EXCLUDED.compliance_workbook, workbook_url = EXCLUDED.workbook_url,
           compliance_notes = EXCLUDED.compliance_notes, updated_at = now()
         RETURNING ${COLUMNS}`,
        [name, body.service_type, body.host, body.status, body.compliance_workbook, body.workbook_url, body.compliance_notes],
      );
      const after = rows[0]! as Record<string, unknown>;
      await recordConfigChanges(client, [
        { actor: actorOf(principal), subjectKind: 'service', subjectId: name, change: before ? 'update' : 'create', before, after },
      ]);
      return after;
    });
  }

  @Delete(':service_name')
  @HttpCode(204)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  async remove(
    @Param('service_name', new ZodValidationPipe(ServiceNameSchema)) name: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const deleted = await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query(`DELETE FROM audit.services WHERE service_name = $1 RETURNING ${COLUMNS}`, [name]);
      if (!rows[0]) return false;
      await recordConfigChanges(client, [{ actor: actorOf(principal), subjectKind: 'service', subjectId: name, change: 'delete', before: rows[0] as object, after: null }]);
      return true;
    });
    if (!deleted) throw new NotFoundException(`service ${name} not found`);
  }
}
