import type { SqlExecutor } from '@auditstack/evidence';

/** A connection checked out of a pool (`pg`'s `PoolClient` satisfies it structurally). */
export interface SqlClient extends SqlExecutor {
  release(err?: Error | boolean): void;
}

/**
 * What the store needs from a database driver: one-off queries and dedicated
 * connections for transactions. `pg`'s `Pool` satisfies it; the gateway adapts
 * its TypeORM `DataSource` (see `apps/gateway/src/evidence`).
 */
export interface SqlPool extends SqlExecutor {
  connect(): Promise<SqlClient>;
}

/** Transaction options of {@link withTransaction}. */
export interface TransactionOptions {
  /** @defaultValue `'read committed'` */
  readonly isolation?: 'read committed' | 'repeatable read' | 'serializable';
  /** @defaultValue false */
  readonly readOnly?: boolean;
}

/**
 * Runs `work` in one transaction on a dedicated connection: COMMIT when it
 * resolves, ROLLBACK when it throws (the error is rethrown). A connection whose
 * ROLLBACK failed is discarded rather than returned to the pool.
 */
export async function withTransaction<T>(pool: SqlPool, work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${(options.isolation ?? 'read committed').toUpperCase()}${options.readOnly ? ' READ ONLY' : ''}`);
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError as Error;
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

/** Parses a `bigint` column (`pg` returns text) into a safe integer, or throws. */
export function toSafeInt(value: unknown, what: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new TypeError(`${what} ${String(value)} is not a safe integer`);
  return n;
}
