import { SqlMigration } from './sql-migration';

/**
 * `audit.config_changes`: every mutation made through the engine API
 * (projects, actions incl. pause/resume/delete, workbook saves, the services
 * inventory) with the subject's state before and after. Each row is a ledger
 * leaf of kind `config` (ref = id), written in the same transaction as the
 * change itself. Low volume: not partitioned.
 */
export class ConfigChanges1795341600000 extends SqlMigration {
  readonly name = 'ConfigChanges1795341600000';

  readonly upSql = [
    `CREATE TABLE audit.config_changes (
      id uuid NOT NULL,
      at timestamptz NOT NULL,
      actor text NOT NULL,
      subject_kind text NOT NULL,
      subject_id text NOT NULL,
      change text NOT NULL,
      before jsonb,
      after jsonb,
      ledger_seq bigint,
      CONSTRAINT pk_config_changes PRIMARY KEY (id),
      CONSTRAINT ck_config_changes_subject_kind CHECK (subject_kind IN ('action', 'project', 'workbook', 'service')),
      CONSTRAINT ck_config_changes_change CHECK (change IN ('create', 'update', 'pause', 'resume', 'delete', 'save'))
    )`,
    `CREATE INDEX ix_config_changes_subject ON audit.config_changes (subject_kind, subject_id, at)`,
    `CREATE INDEX ix_config_changes_at ON audit.config_changes (at)`,
  ];

  readonly downSql = [`DROP TABLE audit.config_changes`];
}
