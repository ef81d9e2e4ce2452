import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A migration written as plain SQL. Keeping the SQL as data (not as calls)
 * lets `auditstack migrate --dry-run` print exactly what `up` would execute.
 * Each migration runs in its own transaction (`migrationsTransactionMode: 'each'`).
 */
export abstract class SqlMigration implements MigrationInterface {
  abstract readonly name: string;
  /** Statements executed by `up`, in order. */
  abstract readonly upSql: readonly string[];
  /** Statements executed by `down`, in order. */
  abstract readonly downSql: readonly string[];

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of this.upSql) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of this.downSql) await queryRunner.query(statement);
  }
}
