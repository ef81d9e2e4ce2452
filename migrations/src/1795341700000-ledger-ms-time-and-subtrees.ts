import { SqlMigration } from './sql-migration';

/**
 * Evidence ledger, two changes:
 *
 * 1. `audit.ledger.ts` becomes `timestamptz(3)`. A leaf hashes its time as
 *    ISO-8601 with milliseconds; the column held microseconds, so a sub-millisecond
 *    edit was stored but not covered by any hash. Now the column holds exactly the
 *    hashed value. Rows written before were written from JavaScript `Date`s
 *    (milliseconds), so the rewrite changes no value and old ledgers still verify.
 * 2. `audit.ledger_subtrees`: hashes of the perfect, aligned subtrees of at least
 *    2^8 leaves (MTH of leaves [idx·2^level, (idx+1)·2^level)), written by the
 *    ledger writer in the same statement as the leaves that complete them. Proofs
 *    read O(log n) of them plus fewer than 512 leaf hashes instead of scanning the
 *    ledger from leaf 0. A cache, not evidence: a proof built from it is checked
 *    against the signed checkpoint root before it is served, and rebuilt from the
 *    leaves when it does not verify. Existing ledgers are backfilled here with
 *    PostgreSQL's own sha256() (RFC 6962 §2.1: SHA-256(0x01 ‖ left ‖ right)).
 */
export class LedgerMsTimeAndSubtrees1795341700000 extends SqlMigration {
  readonly name = 'LedgerMsTimeAndSubtrees1795341700000';

  readonly upSql = [
    `ALTER TABLE audit.ledger ALTER COLUMN ts TYPE timestamptz(3)`,
    `CREATE TABLE audit.ledger_subtrees (
      level smallint NOT NULL,
      idx bigint NOT NULL,
      hash bytea NOT NULL,
      CONSTRAINT pk_ledger_subtrees PRIMARY KEY (level, idx)
    )`,
    `GRANT SELECT, INSERT ON audit.ledger_subtrees TO auditstack_ingest`,
    `DO $fn$
    DECLARE
      lvl int := 0;
      made bigint;
    BEGIN
      CREATE TEMP TABLE ledger_level ON COMMIT DROP AS SELECT seq AS idx, leaf_hash AS hash FROM audit.ledger;
      LOOP
        CREATE TEMP TABLE ledger_next ON COMMIT DROP AS
          SELECT a.idx / 2 AS idx, sha256('\\x01'::bytea || a.hash || b.hash) AS hash
          FROM ledger_level a JOIN ledger_level b ON b.idx = a.idx + 1
          WHERE a.idx % 2 = 0;
        GET DIAGNOSTICS made = ROW_COUNT;
        lvl := lvl + 1;
        EXIT WHEN made = 0;
        IF lvl >= 8 THEN
          INSERT INTO audit.ledger_subtrees (level, idx, hash) SELECT lvl, idx, hash FROM ledger_next;
        END IF;
        DROP TABLE ledger_level;
        ALTER TABLE ledger_next RENAME TO ledger_level;
      END LOOP;
      DROP TABLE ledger_next;
      DROP TABLE ledger_level;
    END
    $fn$`,
  ];

  readonly downSql = [`DROP TABLE audit.ledger_subtrees`, `ALTER TABLE audit.ledger ALTER COLUMN ts TYPE timestamptz`];
}
