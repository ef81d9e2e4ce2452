import { SqlMigration } from './sql-migration';

/**
 * `audit.gateway_markers`: facts the gateway itself records about its own
 * operation — a storage fallback starting and ending, an emergency stop, a
 * denied tool call. Each row is a ledger leaf of kind `marker` (ref = id), so
 * an outage gap or a kill switch is audited like any event. Low volume: not
 * partitioned. The ingest role may insert and read, never update or delete.
 */
export class GatewayMarkers1795341500000 extends SqlMigration {
  readonly name = 'GatewayMarkers1795341500000';

  readonly upSql = [
    `CREATE TABLE audit.gateway_markers (
      id uuid NOT NULL,
      ts timestamptz NOT NULL,
      marker text NOT NULL,
      details jsonb NOT NULL DEFAULT '{}',
      ledger_seq bigint,
      CONSTRAINT pk_gateway_markers PRIMARY KEY (id)
    )`,
    `CREATE INDEX ix_gateway_markers_marker_ts ON audit.gateway_markers (marker, ts)`,
    `GRANT SELECT, INSERT ON audit.gateway_markers TO auditstack_ingest`,
  ];

  readonly downSql = [`DROP TABLE audit.gateway_markers`];
}
