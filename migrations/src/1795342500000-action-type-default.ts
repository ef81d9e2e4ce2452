import { SqlMigration } from './sql-migration';

/**
 * Seed 000's operations workbook adds an action with
 * `INSERT INTO audit.actions (project_id, name, schedule, description, status)`
 * — no `action_type`. The column keeps NOT NULL (every reader types it as a
 * string) and gets the default `''`, which means "no action type": the
 * schedule sync does not schedule such a row and records one `error` run
 * "no action type: …" per version of it, and the overview card is red with
 * "<name>: cannot be scheduled — no action type" (docs/operations.md).
 * The API still requires a registered `action_type`.
 */
export class ActionTypeDefault1795342500000 extends SqlMigration {
  readonly name = 'ActionTypeDefault1795342500000';

  readonly upSql = [`ALTER TABLE audit.actions ALTER COLUMN action_type SET DEFAULT ''`];

  readonly downSql = [`ALTER TABLE audit.actions ALTER COLUMN action_type DROP DEFAULT`];
}
