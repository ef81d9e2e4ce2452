import 'reflect-metadata';
import { Client } from 'pg';
import { createDataSource } from '@auditstack/audit-core/server';
import { MIGRATIONS } from '@auditstack/migrations';
import { TEMPLATE_DB_ENV, TEST_RUN_ENV, dropTestDatabases, testDatabaseUrl } from './db';
import { assertServicesUp, TEST_PG_ADMIN_URL } from './services';

/**
 * Once per jest run: real services are up (or the run fails), and a template
 * database holds the migrated schema that each test file copies.
 */
export default async function globalSetup(): Promise<void> {
  await assertServicesUp();
  // Databases of crashed earlier runs; concurrent live runs keep theirs.
  await dropTestDatabases();
  process.env[TEST_RUN_ENV] = String(process.pid);
  const template = `auditstack_template_${process.pid}`;
  const admin = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${template}"`);
  await admin.end();
  const dataSource = createDataSource({ url: testDatabaseUrl(template), applicationName: 'jest-global-setup', migrations: [...MIGRATIONS], poolMax: 1 });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
  process.env[TEMPLATE_DB_ENV] = template;
}
