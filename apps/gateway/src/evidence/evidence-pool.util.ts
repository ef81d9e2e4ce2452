import type { DataSource } from 'typeorm';
import type { SqlClient, SqlPool } from '@auditstack/evidence-store';

async function run(
  runner: { query(q: string, p?: unknown[], structured?: boolean): Promise<unknown> },
  text: string,
  params?: unknown[],
): Promise<{ rows: never[] }> {
  // Structured results: `records` are the rows for every statement type (TypeORM returns [rows, count] for UPDATE otherwise).
  const result = (await runner.query(text, params, true)) as { records?: unknown[] };
  return { rows: (result.records ?? []) as never[] };
}

/**
 * Adapts the service's TypeORM DataSource (same `pg` driver, same type
 * parsers) to the evidence store's {@link SqlPool}: one-off queries and
 * dedicated connections (query runners) for transactions.
 */
export function dataSourcePool(dataSource: DataSource): SqlPool {
  return {
    async query(text: string, params?: unknown[]) {
      const runner = dataSource.createQueryRunner();
      try {
        return await run(runner, text, params);
      } finally {
        await runner.release();
      }
    },
    async connect(): Promise<SqlClient> {
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      return {
        query: (text: string, params?: unknown[]) => run(runner, text, params),
        release: () => void runner.release(),
      } as SqlClient;
    },
  } as SqlPool;
}
