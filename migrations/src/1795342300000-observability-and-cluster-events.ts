import { SqlMigration } from './sql-migration';

const PARTITIONED = `('runs', 'scheduled_at'), ('lifecycle_events', 'ts'), ('tool_events', 'ts')`;
const PARTITIONED_NOW = `${PARTITIONED}, ('observability_events', 'ts'), ('cluster_audit_events', 'ts')`;

/** `audit.ensure_partitions()` over the given (table, time column) list: monthly partitions ahead of time, DEFAULT rows moved in. */
function ensurePartitionsFunction(tables: string): string {
  return `CREATE OR REPLACE FUNCTION audit.ensure_partitions(p_months_ahead integer DEFAULT 1) RETURNS integer
    LANGUAGE plpgsql AS $fn$
    DECLARE
      t record;
      i integer;
      month_start timestamptz;
      month_end timestamptz;
      part text;
      created integer := 0;
    BEGIN
      FOR t IN SELECT * FROM (VALUES ${tables}) AS v(tbl, col) LOOP
        FOR i IN 0..p_months_ahead LOOP
          month_start := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i)) AT TIME ZONE 'UTC';
          month_end := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i + 1)) AT TIME ZONE 'UTC';
          part := format('%s_p%s', t.tbl, to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM'));
          CONTINUE WHEN to_regclass(format('audit.%I', part)) IS NOT NULL;
          EXECUTE format('CREATE TABLE audit.%I (LIKE audit.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, t.tbl);
          EXECUTE format(
            'WITH moved AS (DELETE FROM audit.%I WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO audit.%I SELECT * FROM moved',
            t.tbl || '_default', t.col, t.col, part) USING month_start, month_end;
          EXECUTE format('ALTER TABLE audit.%I ATTACH PARTITION audit.%I FOR VALUES FROM (%L) TO (%L)',
            t.tbl, part, month_start, month_end);
          created := created + 1;
        END LOOP;
      END LOOP;
      RETURN created;
    END
    $fn$`;
}

/**
 * Two more event domains (issue 14), each a ledger leaf per row like the
 * lifecycle and tool events, range-partitioned by month on `ts` (retention
 * drops whole months):
 *
 * - `audit.observability_events`: engines' log records received over OTLP
 *   (or CloudEvents) that are neither a tool call nor a lifecycle
 *   transition. Payload-free: the body and the full attribute set are stored
 *   as SHA-256 + size only; `attributes` keeps an allowlist of scalar values.
 *   Seed 002 joins these with `audit.lifecycle_events` on `engine_id`.
 * - `audit.cluster_audit_events`: the Kubernetes API server's audit events
 *   (webhook backend), metadata only: request/response objects as hash + size.
 *
 * The ingest role may insert and read them, never update or delete.
 */
export class ObservabilityAndClusterEvents1795342300000 extends SqlMigration {
  readonly name = 'ObservabilityAndClusterEvents1795342300000';

  readonly upSql = [
    `CREATE TABLE audit.observability_events (
      event_id uuid NOT NULL,
      ts timestamptz NOT NULL,
      observed_ts timestamptz,
      source text NOT NULL,
      engine_id text,
      service_name text,
      scope_name text,
      severity_number integer,
      severity_text text,
      event_name text,
      trace_id text,
      span_id text,
      body_sha256 text,
      body_size integer NOT NULL DEFAULT 0,
      attributes jsonb NOT NULL DEFAULT '{}',
      attributes_sha256 text,
      attributes_size integer NOT NULL DEFAULT 0,
      attribute_count integer NOT NULL DEFAULT 0,
      ledger_seq bigint,
      CONSTRAINT pk_observability_events PRIMARY KEY (event_id, ts),
      CONSTRAINT ck_observability_events_sizes CHECK (body_size >= 0 AND attributes_size >= 0 AND attribute_count >= 0)
    ) PARTITION BY RANGE (ts)`,
    `CREATE INDEX ix_observability_events_ts ON audit.observability_events (ts)`,
    `CREATE INDEX ix_observability_events_engine_ts ON audit.observability_events (engine_id, ts)`,
    `CREATE INDEX ix_observability_events_trace ON audit.observability_events (trace_id)`,
    `CREATE TABLE audit.observability_events_default PARTITION OF audit.observability_events DEFAULT`,

    `CREATE TABLE audit.cluster_audit_events (
      event_id uuid NOT NULL,
      ts timestamptz NOT NULL,
      audit_id text NOT NULL,
      stage text NOT NULL,
      level text NOT NULL,
      cluster_id text,
      verb text NOT NULL,
      username text,
      user_groups jsonb NOT NULL DEFAULT '[]',
      impersonated_user text,
      source_ips jsonb NOT NULL DEFAULT '[]',
      user_agent text,
      api_group text,
      api_version text,
      resource text,
      subresource text,
      namespace text,
      name text,
      request_uri text NOT NULL,
      response_code integer,
      request_received_ts timestamptz,
      request_object_sha256 text,
      request_object_size integer NOT NULL DEFAULT 0,
      response_object_sha256 text,
      response_object_size integer NOT NULL DEFAULT 0,
      annotations jsonb NOT NULL DEFAULT '{}',
      ledger_seq bigint,
      CONSTRAINT pk_cluster_audit_events PRIMARY KEY (event_id, ts),
      CONSTRAINT ck_cluster_audit_events_sizes CHECK (request_object_size >= 0 AND response_object_size >= 0)
    ) PARTITION BY RANGE (ts)`,
    `CREATE INDEX ix_cluster_audit_events_ts ON audit.cluster_audit_events (ts)`,
    `CREATE INDEX ix_cluster_audit_events_username_ts ON audit.cluster_audit_events (username, ts)`,
    `CREATE INDEX ix_cluster_audit_events_verb_ts ON audit.cluster_audit_events (verb, ts)`,
    `CREATE INDEX ix_cluster_audit_events_resource_ts ON audit.cluster_audit_events (resource, ts)`,
    `CREATE INDEX ix_cluster_audit_events_namespace_ts ON audit.cluster_audit_events (namespace, ts)`,
    `CREATE TABLE audit.cluster_audit_events_default PARTITION OF audit.cluster_audit_events DEFAULT`,

    ensurePartitionsFunction(PARTITIONED_NOW),
    `SELECT audit.ensure_partitions(1)`,
    `GRANT SELECT, INSERT ON audit.observability_events, audit.cluster_audit_events TO auditstack_ingest`,
  ];

  readonly downSql = [ensurePartitionsFunction(PARTITIONED), `DROP TABLE audit.cluster_audit_events`, `DROP TABLE audit.observability_events`];
}
