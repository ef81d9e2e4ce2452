import { SqlMigration } from './sql-migration';

/**
 * `audit.ledger.appended_at`: when each leaf was appended, by the database's
 * clock (not hashed). `ts` is the event's own time, which a client may
 * back-date by hours; the verifier's uncovered-tail rule ("a leaf left without
 * a checkpoint for longer than the cadence plus a grace") must judge the
 * append time, or a back-filled event raises a false alarm the moment it
 * arrives. Rows written before this migration keep NULL, which the verifier
 * treats as "appended long ago": an old uncovered tail is still reported, and
 * it clears at the next checkpoint. Adding a nullable column with no default
 * first keeps the migration instant on a large ledger (no table rewrite).
 */
export class LedgerAppendTime1795342200000 extends SqlMigration {
  readonly name = 'LedgerAppendTime1795342200000';

  readonly upSql = [
    `ALTER TABLE audit.ledger ADD COLUMN appended_at timestamptz`,
    `ALTER TABLE audit.ledger ALTER COLUMN appended_at SET DEFAULT clock_timestamp()`,
  ];

  readonly downSql = [`ALTER TABLE audit.ledger DROP COLUMN appended_at`];
}
