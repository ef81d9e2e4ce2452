import { Body, Controller, Inject, Param, Query } from '@nestjs/common';
import type { Pool } from 'pg';
import { decodeCursor, encodeCursor, ENGINE_ROUTES, ENTITLEMENTS, ServiceCursorSchema, type RouteBody, type RouteParams, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import { actorOf, recordConfigChanges } from '../config-changes/config-change.repository';
import { ENGINE_PG, inTransaction } from '../database/engine-pg.util';
import { EngineError } from '../engine.errors';

const R = ENGINE_ROUTES;

/** A recorded platform element as the route returns it. */
type ServiceRecord = RouteResult<typeof R.upsertService>;

const COLUMNS = 'id, service_name, service_type, host, status, compliance_workbook, workbook_url, compliance_notes, updated_at';

/**
 * The inventory of platform elements (`audit.services`) that the
 * documentation-compliance check (`infra_docs_check`) reads. Automation keeps
 * it current with idempotent PUTs by name.
 */
@Controller()
export class ServicesController {
  constructor(@Inject(ENGINE_PG) private readonly pool: Pool) {}

  /** A page of elements by name: `limit + 1` rows are read to know whether another page follows. */
  @ContractRoute(R.listServices)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  async list(@Query() query: RouteQuery<typeof R.listServices>): Promise<RouteResult<typeof R.listServices>> {
    const after = decodeCursor(query.cursor, ServiceCursorSchema);
    const { rows } = await this.pool.query<ServiceRecord>(
      `SELECT ${COLUMNS} FROM audit.services WHERE ($1::text IS NULL OR service_name > $1) ORDER BY service_name LIMIT $2`,
      [after?.name ?? null, query.limit + 1],
    );
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return { items, next_cursor: rows.length > query.limit && last ? encodeCursor({ name: last.service_name }) : null };
  }

  /** Creates or replaces the element named `service_name`; the change is recorded (a `config` ledger leaf) in the same transaction. */
  @ContractRoute(R.upsertService)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  async upsert(
    @Param() params: RouteParams<typeof R.upsertService>,
    @Body() body: RouteBody<typeof R.upsertService>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ServiceRecord> {
    const name = params.service_name;
    return inTransaction(this.pool, async (client) => {
      const before = (await client.query(`SELECT ${COLUMNS} FROM audit.services WHERE service_name = $1 FOR UPDATE`, [name])).rows[0] ?? null;
      const { rows } = await client.query<ServiceRecord>(
        `INSERT INTO audit.services (service_name, service_type, host, status, compliance_workbook, workbook_url, compliance_notes)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (service_name) DO UPDATE SET service_type = EXCLUDED.service_type, host = EXCLUDED.host, status = EXCLUDED.status,
           compliance_workbook = EXCLUDED.compliance_workbook, workbook_url = EXCLUDED.workbook_url,
           compliance_notes = EXCLUDED.compliance_notes, updated_at = now()
         RETURNING ${COLUMNS}`,
        [name, body.service_type, body.host, body.status, body.compliance_workbook, body.workbook_url, body.compliance_notes],
      );
      const after = rows[0]!;
      await recordConfigChanges(client, [
        { actor: actorOf(principal), subjectKind: 'service', subjectId: name, change: before ? 'update' : 'create', before, after },
      ]);
      return after;
    });
  }

  @ContractRoute(R.deleteService)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  async remove(@Param() params: RouteParams<typeof R.deleteService>, @CurrentPrincipal() principal: Principal): Promise<void> {
    const name = params.service_name;
    const deleted = await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query(`DELETE FROM audit.services WHERE service_name = $1 RETURNING ${COLUMNS}`, [name]);
      if (!rows[0]) return false;
      await recordConfigChanges(client, [{ actor: actorOf(principal), subjectKind: 'service', subjectId: name, change: 'delete', before: rows[0] as object, after: null }]);
      return true;
    });
    if (!deleted) throw new EngineError('SERVICE_NOT_FOUND', `service ${name} not found`);
  }
}
