import { SqlMigration } from './sql-migration';

/**
 * The `audit` schema: checks (projects, actions, runs, check_results, workbooks,
 * services), events (lifecycle_events, tool_events), the evidence ledger
 * (ledger, ledger_head, checkpoints) and API tokens.
 *
 * Event tables and runs are range-partitioned by month so retention drops a
 * partition instead of deleting rows; `audit.ensure_partitions()` creates the
 * current and next months and a DEFAULT partition catches anything else.
 */
export class AuditSchema1795340000000 extends SqlMigration {
  readonly name = 'AuditSchema1795340000000';

  readonly upSql = [
    `CREATE SCHEMA IF NOT EXISTS audit`,

    `CREATE TABLE audit.projects (
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_projects PRIMARY KEY (id),
      CONSTRAINT uq_projects_name UNIQUE (name)
    )`,

    `CREATE TABLE audit.actions (
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      project_id uuid NOT NULL,
      name text NOT NULL,
      action_type text NOT NULL,
      schedule text NOT NULL,
      config jsonb NOT NULL DEFAULT '{}',
      description text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'active',
      timeout_ms integer NOT NULL DEFAULT 30000,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_actions PRIMARY KEY (id),
      CONSTRAINT uq_actions_project_name UNIQUE (project_id, name),
      CONSTRAINT fk_actions_project FOREIGN KEY (project_id) REFERENCES audit.projects (id) ON DELETE CASCADE,
      CONSTRAINT ck_actions_status CHECK (status IN ('active', 'paused')),
      CONSTRAINT ck_actions_timeout CHECK (timeout_ms > 0)
    )`,
    `CREATE INDEX ix_actions_status ON audit.actions (status)`,

    // Runs: partitioned by the firing time, so (job_id, scheduled_at) can be
    // unique: a retried job writes the same firing at most once.
    `CREATE TABLE audit.runs (
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      scheduled_at timestamptz NOT NULL,
      job_id text NOT NULL,
      action_id uuid NOT NULL,
      project_id uuid NOT NULL,
      action_type text NOT NULL,
      trigger text NOT NULL,
      status text NOT NULL,
      message text NOT NULL DEFAULT '',
      output jsonb NOT NULL DEFAULT '{}',
      started_at timestamptz NOT NULL,
      finished_at timestamptz NOT NULL,
      duration_ms integer NOT NULL,
      ledger_seq bigint,
      CONSTRAINT pk_runs PRIMARY KEY (id, scheduled_at),
      CONSTRAINT uq_runs_firing UNIQUE (job_id, scheduled_at),
      CONSTRAINT ck_runs_trigger CHECK (trigger IN ('schedule', 'manual', 'retry')),
      CONSTRAINT ck_runs_status CHECK (status IN ('pass', 'fail', 'error'))
    ) PARTITION BY RANGE (scheduled_at)`,
    `CREATE INDEX ix_runs_action_started ON audit.runs (action_id, started_at)`,
    `CREATE INDEX ix_runs_project_started ON audit.runs (project_id, started_at)`,
    `CREATE INDEX ix_runs_status_started ON audit.runs (status, started_at)`,

    `CREATE TABLE audit.check_results (
      project_id uuid NOT NULL,
      target text NOT NULL,
      check_id text NOT NULL,
      action_id uuid NOT NULL,
      run_id uuid NOT NULL,
      status text NOT NULL,
      message text NOT NULL DEFAULT '',
      rule jsonb NOT NULL DEFAULT '{}',
      evidence jsonb NOT NULL DEFAULT '{}',
      checked_at timestamptz NOT NULL,
      CONSTRAINT pk_check_results PRIMARY KEY (project_id, target, check_id),
      CONSTRAINT fk_check_results_project FOREIGN KEY (project_id) REFERENCES audit.projects (id) ON DELETE CASCADE,
      CONSTRAINT ck_check_results_status CHECK (status IN ('pass', 'warn', 'fail', 'error'))
    )`,

    `CREATE TABLE audit.workbooks (
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      name text NOT NULL,
      version integer NOT NULL,
      spec jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_workbooks PRIMARY KEY (id),
      CONSTRAINT uq_workbooks_name_version UNIQUE (name, version)
    )`,

    `CREATE TABLE audit.services (
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      service_name text NOT NULL,
      service_type text NOT NULL,
      host text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'active',
      compliance_workbook text NOT NULL DEFAULT 'no',
      workbook_url text,
      compliance_notes text NOT NULL DEFAULT '',
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_services PRIMARY KEY (id),
      CONSTRAINT uq_services_name UNIQUE (service_name)
    )`,

    // Events: the natural key is (event_id, ts); event_id is the idempotency key.
    `CREATE TABLE audit.lifecycle_events (
      event_id uuid NOT NULL,
      ts timestamptz NOT NULL,
      action text NOT NULL,
      actor text NOT NULL,
      product_id text,
      user_id text,
      engine_id text,
      metadata jsonb NOT NULL DEFAULT '{}',
      duration_ms integer,
      ledger_seq bigint,
      CONSTRAINT pk_lifecycle_events PRIMARY KEY (event_id, ts)
    ) PARTITION BY RANGE (ts)`,
    `CREATE INDEX ix_lifecycle_events_ts ON audit.lifecycle_events (ts)`,
    `CREATE INDEX ix_lifecycle_events_engine_ts ON audit.lifecycle_events (engine_id, ts)`,
    `CREATE INDEX ix_lifecycle_events_user_ts ON audit.lifecycle_events (user_id, ts)`,
    `CREATE INDEX ix_lifecycle_events_product_ts ON audit.lifecycle_events (product_id, ts)`,
    `CREATE INDEX ix_lifecycle_events_actor_ts ON audit.lifecycle_events (actor, ts)`,
    `CREATE INDEX ix_lifecycle_events_action_ts ON audit.lifecycle_events (action, ts)`,

    `CREATE TABLE audit.tool_events (
      event_id uuid NOT NULL,
      ts timestamptz NOT NULL,
      req_id text,
      workspace_id text,
      user_id text,
      agent_id text,
      tool text NOT NULL,
      action text NOT NULL,
      status text NOT NULL,
      duration_ms integer NOT NULL,
      in_size integer NOT NULL,
      out_size integer NOT NULL,
      input_hash text,
      graph_run_id text,
      graph_node text,
      job_id text,
      ledger_seq bigint,
      CONSTRAINT pk_tool_events PRIMARY KEY (event_id, ts),
      CONSTRAINT ck_tool_events_sizes CHECK (in_size >= 0 AND out_size >= 0 AND duration_ms >= 0)
    ) PARTITION BY RANGE (ts)`,
    `CREATE INDEX ix_tool_events_ts ON audit.tool_events (ts)`,
    `CREATE INDEX ix_tool_events_workspace_ts ON audit.tool_events (workspace_id, ts)`,
    `CREATE INDEX ix_tool_events_tool_ts ON audit.tool_events (tool, ts)`,
    `CREATE INDEX ix_tool_events_agent_ts ON audit.tool_events (agent_id, ts)`,

    // A DEFAULT partition per table: an insert never fails for want of a partition.
    `CREATE TABLE audit.runs_default PARTITION OF audit.runs DEFAULT`,
    `CREATE TABLE audit.lifecycle_events_default PARTITION OF audit.lifecycle_events DEFAULT`,
    `CREATE TABLE audit.tool_events_default PARTITION OF audit.tool_events DEFAULT`,

    // Monthly partitions ahead of time. Rows that already sit in the DEFAULT
    // partition for a month being created are moved into it (ATTACH would
    // otherwise fail), so the function is safe to call at any time.
    `CREATE FUNCTION audit.ensure_partitions(p_months_ahead integer DEFAULT 1) RETURNS integer
    LANGUAGE plpgsql AS $fn$
    DECLARE
      t record;
      i integer;
      month_start timestamptz;
      month_end timestamptz;
      part text;
      created integer := 0;
    BEGIN
      FOR t IN SELECT * FROM (VALUES ('runs', 'scheduled_at'), ('lifecycle_events', 'ts'), ('tool_events', 'ts')) AS v(tbl, col) LOOP
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
    $fn$`,
    `SELECT audit.ensure_partitions(1)`,

    // The evidence ledger. seq is the 0-based RFC 6962 leaf index.
    `CREATE TABLE audit.ledger (
      seq bigint NOT NULL,
      kind text NOT NULL,
      ref text NOT NULL,
      ts timestamptz NOT NULL,
      payload_hash bytea NOT NULL,
      leaf_hash bytea NOT NULL,
      chain_hash bytea NOT NULL,
      CONSTRAINT pk_ledger PRIMARY KEY (seq)
    )`,
    `CREATE INDEX ix_ledger_kind_ref ON audit.ledger (kind, ref)`,
    `CREATE FUNCTION audit.ledger_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $fn$
    BEGIN
      RAISE EXCEPTION 'audit.ledger is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END
    $fn$`,
    `CREATE TRIGGER tg_ledger_append_only BEFORE UPDATE OR DELETE ON audit.ledger
      FOR EACH ROW EXECUTE FUNCTION audit.ledger_refuse_change()`,
    `CREATE TRIGGER tg_ledger_no_truncate BEFORE TRUNCATE ON audit.ledger
      FOR EACH STATEMENT EXECUTE FUNCTION audit.ledger_refuse_change()`,

    // One row: tree size, last chain hash and the Merkle frontier (compact range).
    `CREATE TABLE audit.ledger_head (
      id smallint NOT NULL DEFAULT 1,
      size bigint NOT NULL DEFAULT 0,
      chain_hash bytea NOT NULL,
      frontier bytea[] NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_ledger_head PRIMARY KEY (id),
      CONSTRAINT ck_ledger_head_single CHECK (id = 1)
    )`,
    `INSERT INTO audit.ledger_head (id, size, chain_hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'))`,

    `CREATE TABLE audit.checkpoints (
      id bigint GENERATED ALWAYS AS IDENTITY,
      tree_size bigint NOT NULL,
      root_hash bytea NOT NULL,
      checkpoint_hash bytea NOT NULL,
      prev_checkpoint_hash bytea,
      note text NOT NULL,
      key_id text NOT NULL,
      timestamp_kind text NOT NULL,
      timestamp_token bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_checkpoints PRIMARY KEY (id)
    )`,
    `CREATE INDEX ix_checkpoints_tree_size ON audit.checkpoints (tree_size)`,

    `CREATE TABLE audit.api_tokens (
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      name text NOT NULL,
      token_hash bytea NOT NULL,
      principal text NOT NULL,
      entitlements text[] NOT NULL,
      workspace_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      CONSTRAINT pk_api_tokens PRIMARY KEY (id),
      CONSTRAINT uq_api_tokens_hash UNIQUE (token_hash)
    )`,
    `CREATE UNIQUE INDEX ux_api_tokens_active_name ON audit.api_tokens (name) WHERE revoked_at IS NULL`,

    // Schedules follow the table within seconds: the engine LISTENs here.
    `CREATE FUNCTION audit.actions_notify() RETURNS trigger
    LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM pg_notify('auditstack_actions', json_build_object(
        'op', TG_OP, 'id', COALESCE(NEW.id, OLD.id))::text);
      RETURN NULL;
    END
    $fn$`,
    `CREATE TRIGGER tg_actions_notify AFTER INSERT OR UPDATE OR DELETE ON audit.actions
      FOR EACH ROW EXECUTE FUNCTION audit.actions_notify()`,

    // Least privilege for event ingest: insert and read events and the ledger,
    // move the ledger head; never UPDATE or DELETE a stored event.
    `DO $do$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditstack_ingest') THEN
        CREATE ROLE auditstack_ingest NOLOGIN;
      END IF;
    END $do$`,
    `GRANT USAGE ON SCHEMA audit TO auditstack_ingest`,
    `GRANT SELECT, INSERT ON audit.lifecycle_events, audit.tool_events, audit.ledger, audit.checkpoints TO auditstack_ingest`,
    `GRANT SELECT, UPDATE ON audit.ledger_head TO auditstack_ingest`,
    `GRANT SELECT ON audit.api_tokens TO auditstack_ingest`,
  ];

  readonly downSql = [`DROP SCHEMA audit CASCADE`];
}
