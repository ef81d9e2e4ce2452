import { dropTestDatabases, TEST_DB_PREFIX } from './db';

export default async function globalTeardown(): Promise<void> {
  await dropTestDatabases(TEST_DB_PREFIX);
  await dropTestDatabases('auditstack_template_');
}
