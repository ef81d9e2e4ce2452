import { dropTestDatabases, testRunId } from './db';

/** Drops this run's databases (its template included), nobody else's. */
export default async function globalTeardown(): Promise<void> {
  await dropTestDatabases(testRunId());
}
