import { SqlMigration } from './sql-migration';

/**
 * API tokens become ledgered config: `audit.config_changes` accepts subject
 * kind `token` and change `revoke`. Token creation and revocation are written
 * there (one ledger leaf each, in the same transaction), so `verify` can
 * compare `audit.api_tokens` with what the ledger says was created and revoked.
 */
export class TokenConfigChanges1795342000000 extends SqlMigration {
  readonly name = 'TokenConfigChanges1795342000000';

  readonly upSql = [
    `ALTER TABLE audit.config_changes DROP CONSTRAINT ck_config_changes_subject_kind`,
    `ALTER TABLE audit.config_changes ADD CONSTRAINT ck_config_changes_subject_kind CHECK (subject_kind IN ('action', 'project', 'workbook', 'service', 'token'))`,
    `ALTER TABLE audit.config_changes DROP CONSTRAINT ck_config_changes_change`,
    `ALTER TABLE audit.config_changes ADD CONSTRAINT ck_config_changes_change CHECK (change IN ('create', 'update', 'pause', 'resume', 'delete', 'save', 'revoke'))`,
  ];

  readonly downSql = [
    `ALTER TABLE audit.config_changes DROP CONSTRAINT ck_config_changes_change`,
    `ALTER TABLE audit.config_changes ADD CONSTRAINT ck_config_changes_change CHECK (change IN ('create', 'update', 'pause', 'resume', 'delete', 'save'))`,
    `ALTER TABLE audit.config_changes DROP CONSTRAINT ck_config_changes_subject_kind`,
    `ALTER TABLE audit.config_changes ADD CONSTRAINT ck_config_changes_subject_kind CHECK (subject_kind IN ('action', 'project', 'workbook', 'service'))`,
  ];
}
