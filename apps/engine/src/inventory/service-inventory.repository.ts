import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { ENGINE_ROUTES, RouteResult, ServiceUpsert } from '@auditstack/audit-core';
import { recordConfigChanges } from '../config-changes/config-change.repository';
import { ENGINE_PG, inTransaction } from '../database/engine-pg.util';

/** A recorded platform element (`audit.services` row) as the API returns it. */
export type ServiceRecord = RouteResult<typeof ENGINE_ROUTES.upsertService>;

const COLUMNS = 'id, service_name, service_type, host, status, compliance_workbook, workbook_url, compliance_notes, updated_at';

/**
 * Queries of the inventory (`audit.services`, plain SQL). Every write records
 * its change (a `config` ledger leaf) in the same transaction.
 */
@Injectable()
export class ServiceInventoryRepository {
  constructor(@Inject(ENGINE_PG) private readonly pool: Pool) {}

  /** At most `limit` elements after `afterName`, by name. */
  async list(limit: number, afterName: string | null): Promise<ServiceRecord[]> {
    const { rows } = await this.pool.query<ServiceRecord>(
      `SELECT ${COLUMNS} FROM audit.services WHERE ($1::text IS NULL OR service_name > $1) ORDER BY service_name LIMIT $2`,
      [afterName, limit],
    );
    return rows;
  }

  /** Creates or replaces the element named `name`; `actor` names the token. */
  upsert(name: string, body: ServiceUpsert, actor: string): Promise<ServiceRecord> {
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
      await recordConfigChanges(client, [{ actor, subjectKind: 'service', subjectId: name, change: before ? 'update' : 'create', before, after }]);
      return after;
    });
  }

  /** Deletes the element named `name`; false when there is none. */
  remove(name: string, actor: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query(`DELETE FROM audit.services WHERE service_name = $1 RETURNING ${COLUMNS}`, [name]);
      if (!rows[0]) return false;
      await recordConfigChanges(client, [{ actor, subjectKind: 'service', subjectId: name, change: 'delete', before: rows[0] as object, after: null }]);
      return true;
    });
  }
}
