import { CheckSchema } from '@auditstack/audit-core';
import { INFRA_DOCS_CHECK_CONFIG, INFRA_DOCS_CHECK_SQL, SqlAssertionConfigSchema, collectSqlAssertion, type SqlQuery } from './sql-assertion.collector';

const never = new AbortController().signal;

describe('collectSqlAssertion', () => {
  it('passes when the query returns no rows', async () => {
    const query: SqlQuery = async () => [];
    expect(await collectSqlAssertion(SqlAssertionConfigSchema.parse({ sql: 'SELECT 1 WHERE false' }), { query, signal: never })).toEqual([
      expect.objectContaining({ check_id: 'sql.assertion', status: 'pass', evidence: expect.objectContaining({ row_count: 0 }) }),
    ]);
  });

  it('fails infra_docs_check listing service name, type and host, with evidence rows truncated', async () => {
    const rows = Array.from({ length: 250 }, (_, i) => ({ service_name: `svc-${i}`, type: 'vm', host: `h${i}.internal` }));
    const seen: string[][] = [];
    const query: SqlQuery = async (sql, _signal, datasource) => {
      seen.push([datasource, sql]);
      return rows;
    };
    const [check] = await collectSqlAssertion(SqlAssertionConfigSchema.parse(INFRA_DOCS_CHECK_CONFIG), { query, signal: never });
    expect(seen).toEqual([['audit', INFRA_DOCS_CHECK_SQL]]);
    expect(CheckSchema.parse(check)).toEqual(check);
    expect(check).toMatchObject({ check_id: 'infra_docs_check', target: 'audit.services', status: 'fail' });
    expect(check?.message).toMatch(/^250 row\(s\): svc-0 \/ vm \/ h0\.internal; svc-1 \/ vm \/ h1\.internal;.* and 230 more$/);
    expect(check?.evidence).toMatchObject({ row_count: 250, rows_truncated: true });
    expect(check?.evidence['rows']).toHaveLength(200);
  });

  it('the preset selects active services whose compliance_workbook is not yes', () => {
    expect(INFRA_DOCS_CHECK_SQL).toMatch(/SELECT service_name, service_type, host\s+FROM audit\.services/);
    expect(INFRA_DOCS_CHECK_SQL).toMatch(/status = 'active'/);
    expect(INFRA_DOCS_CHECK_SQL).toMatch(/compliance_workbook IS DISTINCT FROM 'yes'/);
  });

  it('returns an error check when the query fails or hangs past the abort', async () => {
    const failing: SqlQuery = async () => {
      throw new Error('relation "audit.services" does not exist');
    };
    expect((await collectSqlAssertion(SqlAssertionConfigSchema.parse({ sql: 'SELECT 1' }), { query: failing, signal: never }))[0]).toMatchObject({
      status: 'error',
      message: expect.stringContaining('does not exist'),
    });
    const hanging: SqlQuery = () => new Promise(() => undefined);
    const started = Date.now();
    expect(
      (await collectSqlAssertion(SqlAssertionConfigSchema.parse({ sql: 'SELECT 1' }), { query: hanging, signal: AbortSignal.timeout(200) }))[0],
    ).toMatchObject({ status: 'error', message: expect.stringContaining('aborted') });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('runs on the datasource the config names (default audit) and refuses a malformed datasource name', async () => {
    const seen: string[] = [];
    const query: SqlQuery = async (_sql, _signal, datasource) => {
      seen.push(datasource);
      return [];
    };
    await collectSqlAssertion(SqlAssertionConfigSchema.parse({ sql: 'SELECT 1 WHERE false' }), { query, signal: never });
    await collectSqlAssertion(SqlAssertionConfigSchema.parse({ sql: 'SELECT 1 WHERE false', datasource: 'crm' }), { query, signal: never });
    expect(seen).toEqual(['audit', 'crm']);
    expect(SqlAssertionConfigSchema.safeParse({ sql: 'SELECT 1', datasource: 'postgres://x' }).success).toBe(false);
  });

  it('gives an early message for obvious non-SELECT text (a courtesy: the sandbox is the guard)', () => {
    expect(SqlAssertionConfigSchema.safeParse({ sql: 'DELETE FROM audit.services' }).success).toBe(false);
    expect(SqlAssertionConfigSchema.safeParse({ sql: 'SELECT 1; DROP TABLE x' }).success).toBe(false);
    expect(SqlAssertionConfigSchema.safeParse({ sql: "SELECT ';' AS semi;" }).success).toBe(true);
    expect(SqlAssertionConfigSchema.safeParse({ sql: 'WITH a AS (SELECT 1) SELECT * FROM a' }).success).toBe(true);
  });
});
