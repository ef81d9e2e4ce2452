import { SqlMigration } from './sql-migration';

/**
 * Checks that read, and nothing else (issue 11, item 1).
 *
 * - `auditstack_audit_reader`: the role of the built-in `audit` datasource
 *   that `sql_assertion` actions and workbook `sql` steps use. It may only
 *   `SELECT` `audit.services` (what the `infra_docs_check` preset reads):
 *   never tokens, events, the ledger, runs or config. Roles are cluster-wide,
 *   so it is created only when missing, and its attributes are (re)set every
 *   time: no superuser, no role or database creation, no replication, no RLS
 *   bypass, no inherited privileges. It may LOGIN but has no password: with
 *   password authentication it cannot log in until an operator sets one
 *   (docs/operations.md, "Datasources"); with trust/peer/cert it can.
 * - `audit.runs.trigger` accepts `dry_run`: a workbook dry-run is recorded
 *   and ledgered like any other execution.
 */
export class CheckDatasources1795342100000 extends SqlMigration {
  readonly name = 'CheckDatasources1795342100000';

  readonly upSql = [
    // Roles are cluster-wide and other databases of the cluster may migrate at the same time:
    // create only when missing (a concurrent creation is fine), alter only when an attribute differs
    // (an unconditional ALTER ROLE fails with "tuple concurrently updated" under concurrency).
    `DO $do$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditstack_audit_reader') THEN
        BEGIN
          CREATE ROLE auditstack_audit_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
      END IF;
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditstack_audit_reader'
                 AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolinherit OR rolreplication OR rolbypassrls OR rolconnlimit <> -1)) THEN
        ALTER ROLE auditstack_audit_reader NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1;
      END IF;
    END $do$`,
    // The reader sees audit.services and nothing else of this database.
    `REVOKE ALL ON ALL TABLES IN SCHEMA audit FROM auditstack_audit_reader`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA audit FROM auditstack_audit_reader`,
    `REVOKE ALL ON SCHEMA audit FROM PUBLIC`,
    `GRANT USAGE ON SCHEMA audit TO auditstack_audit_reader`,
    `GRANT SELECT ON audit.services TO auditstack_audit_reader`,
    `ALTER TABLE audit.runs DROP CONSTRAINT ck_runs_trigger`,
    `ALTER TABLE audit.runs ADD CONSTRAINT ck_runs_trigger CHECK (trigger IN ('schedule', 'manual', 'retry', 'dry_run'))`,
  ];

  readonly downSql = [
    `ALTER TABLE audit.runs DROP CONSTRAINT ck_runs_trigger`,
    `ALTER TABLE audit.runs ADD CONSTRAINT ck_runs_trigger CHECK (trigger IN ('schedule', 'manual', 'retry'))`,
    `REVOKE ALL ON audit.services FROM auditstack_audit_reader`,
    `REVOKE ALL ON SCHEMA audit FROM auditstack_audit_reader`,
  ];
}
