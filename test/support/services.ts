import { Client } from 'pg';
import Redis from 'ioredis';

/** Server-level connection used to create and drop test databases. */
export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const HOW_TO_START = {
  postgres: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  redis: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
};

/**
 * Integration tests run against the real PostgreSQL and Redis of the machine.
 * A missing service fails the run with how to start it; it is never a skip.
 */
export async function assertServicesUp(): Promise<void> {
  const problems: string[] = [];
  const pg = new Client({ connectionString: TEST_PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch (error) {
    problems.push(`PostgreSQL at ${TEST_PG_ADMIN_URL} is not reachable (${(error as Error).message}); start it: ${HOW_TO_START.postgres}`);
  } finally {
    await pg.end().catch(() => undefined);
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(`Redis at ${TEST_REDIS_URL} is not reachable (${(error as Error).message}); start it: ${HOW_TO_START.redis}`);
  } finally {
    redis.disconnect();
  }
  if (problems.length > 0) throw new Error(`integration tests need real services:\n- ${problems.join('\n- ')}`);
}
