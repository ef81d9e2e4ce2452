import { Client, Pool } from 'pg';
import { createDataSource } from '@auditstack/audit-core/server';
import { MIGRATIONS } from '@auditstack/migrations';
import { readOnlyQuery } from '../../apps/engine/src/database/read-only-query.util';
import { startEmbeddedTestDatabase, type EmbeddedTestDatabase } from '../support/embedded-db';

/**
 * The SQL checks' `audit` datasource on the embedded database (what `auditstack
 * up` gives the engine as AUDIT_DATASOURCE_URL): the engine's own sandbox
 * (readOnlyQuery) runs through the wire server's reader login, confined to
 * role auditstack_audit_reader created by the migrations.
 */
describe('embedded database: the audit datasource through the engine sandbox', () => {
  let db: EmbeddedTestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await startEmbeddedTestDatabase();
    const ds = createDataSource({ url: db.url, applicationName: 'migrate', migrations: [...MIGRATIONS], poolMax: 1 });
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
    pool = new Pool({ connectionString: db.readerUrl, max: 2 });
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.release();
  });

  const run = (sql: string, params: unknown[] = []): Promise<unknown[]> => readOnlyQuery(pool, sql, params, AbortSignal.timeout(30_000), 5_000);

  it('a check reads the granted view as auditstack_audit_reader', async () => {
    await expect(run('SELECT count(*)::int >= 0 AS ok, session_user AS who FROM audit.services')).resolves.toEqual([
      { ok: true, who: 'auditstack_audit_reader' },
    ]);
  });

  it.each([
    'SELECT * FROM audit.api_tokens',
    'SELECT * FROM audit.ledger',
    "SELECT set_config('session_authorization', 'postgres', false)",
    "SELECT set_config($1, 'postgres', false)",
    'SET SESSION AUTHORIZATION postgres',
    "COPY (SELECT 1) TO PROGRAM 'id'",
  ])('attack: %s is refused and the next check still runs as the reader', async (sql) => {
    await expect(run(sql, sql.includes('$1') ? ['session_authorization'] : [])).rejects.toThrow();
    await expect(run('SELECT session_user AS who, current_user AS cur')).resolves.toEqual([{ who: 'auditstack_audit_reader', cur: 'auditstack_audit_reader' }]);
  });

  it('the superuser connections of the services are unaffected', async () => {
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      expect((await admin.query('SELECT session_user AS who, count(*) >= 0 AS ok FROM audit.api_tokens')).rows).toEqual([{ who: 'postgres', ok: true }]);
    } finally {
      await admin.end();
    }
  });
});
