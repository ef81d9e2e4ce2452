import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TEST_PG_ADMIN_URL } from './services';

/** Name of the migrated template database made by the global setup. */
export const TEMPLATE_DB_ENV = 'AUDITSTACK_TEST_TEMPLATE_DB';
/** Every database a test run creates starts with this, so teardown can find leftovers. */
export const TEST_DB_PREFIX = 'auditstack_t_';
/** Id of the jest run (the pid of the process that ran the global setup), shared with its workers. */
export const TEST_RUN_ENV = 'AUDITSTACK_TEST_RUN';

/** This run's id; databases are named after it so concurrent runs never touch each other's. */
export function testRunId(): string {
  return process.env[TEST_RUN_ENV] ?? String(process.pid);
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function urlFor(database: string): string {
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A database of its own for one test file: empty, or a copy of the migrated
 * template (fast: PostgreSQL copies files instead of replaying migrations).
 */
export async function createTestDatabase(options: { migrated: boolean }): Promise<TestDatabase> {
  const name = `${TEST_DB_PREFIX}${testRunId()}_${randomBytes(4).toString('hex')}`;
  const template = process.env[TEMPLATE_DB_ENV];
  if (options.migrated && !template) throw new Error(`${TEMPLATE_DB_ENV} is not set: run integration specs through jest's integration project`);
  await withAdmin(async (admin) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(options.migrated ? `CREATE DATABASE "${name}" TEMPLATE "${template}"` : `CREATE DATABASE "${name}"`);
        return;
      } catch (error) {
        // 55006: the template is being copied by another worker right now.
        if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  return {
    name,
    url: urlFor(name),
    drop: () => withAdmin(async (admin) => void (await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Drops the databases of one run (`runId`), or, without it, those left behind by
 * runs whose process is gone (crashed runs). A run never drops another live run's.
 */
export async function dropTestDatabases(runId?: string): Promise<void> {
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'auditstack\_t\_%' OR datname LIKE 'auditstack\_template\_%'`,
    );
    for (const { datname } of rows) {
      const owner = /^auditstack_(?:t|template)_(\d+)/.exec(datname)?.[1];
      const drop = runId !== undefined ? owner === runId : owner === undefined || !processAlive(Number(owner));
      if (drop) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}

export { urlFor as testDatabaseUrl };
