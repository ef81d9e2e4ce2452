import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The `pg` pool under the service's TypeORM DataSource. Hot paths (run
 * writes, scorecards, run lists) use plain SQL through it (CONVENTIONS "Data").
 */
export const ENGINE_PG = Symbol('ENGINE_PG');

export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

/** Runs `work` inside one transaction on one connection; rolls back on any error. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
