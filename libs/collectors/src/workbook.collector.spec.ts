import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WorkbookSpecSchema, type WorkbookAssertion } from '@auditstack/audit-core';
import { testContext } from './testing/collector-context.util';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.util';
import { evaluateAssertion, parameterizeSql, runWorkbook, worstStatus, type WorkbookRunContext } from './workbook.collector';

describe('runWorkbook', () => {
  let dns: TestDnsServer;
  let tcp: Server;
  let port: number;
  beforeAll(async () => {
    tcp = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    port = (tcp.address() as AddressInfo).port;
    dns = await startTestDnsServer({
      'mail.test': { MX: [{ priority: 10, exchange: 'mx1.mail.test' }] },
      'mx1.mail.test': { A: ['127.0.0.1'] },
      '_dmarc.mail.test': { TXT: ['v=DMARC1; p=quarantine; rua=mailto:dmarc@mail.test'] },
    });
  });
  afterAll(async () => {
    dns.close();
    await new Promise((resolve) => tcp.close(resolve));
  });

  const context = (sql?: WorkbookRunContext['sql']): WorkbookRunContext => ({ ...testContext(dns), ...(sql ? { sql } : {}) });
  const parse = (spec: unknown) => WorkbookSpecSchema.parse(spec);

  it('chains a dns step into a tcp step (address from the context) and a parameterised sql step', async () => {
    const queries: Array<{ datasource: string; text: string; params: readonly unknown[] }> = [];
    const spec = parse({
      name: 'mail',
      steps: [
        {
          id: 'mx',
          kind: 'dns',
          rule: 'mx',
          domain: 'mail.test',
          extract: { mx_host: "$.checks['mx.records'].evidence.mx[0].exchange", mx_ip: "$.checks['mx.addresses'].evidence.addresses['mx1.mail.test'].a[0]" },
          assert: [{ path: '$.outcome', op: 'eq', value: 'pass' }],
        },
        { id: 'dmarc', kind: 'dns', rule: 'dmarc', domain: 'mail.test', extract: { policy: "$.checks['dmarc.policy'].evidence.effective" } },
        { id: 'smtp', kind: 'tcp', host: '${ctx.mx_ip}', port },
        {
          id: 'owner',
          kind: 'sql',
          sql: 'SELECT ${ctx.policy} AS policy, ${ctx.policy} = ${ctx.mx_host} AS same',
          assert: [{ path: '$.row_count', op: 'eq', value: 1 }],
        },
      ],
    });
    const result = await runWorkbook(
      spec,
      context(async (datasource, text, params) => {
        queries.push({ datasource, text, params });
        return [{ policy: params[0] }];
      }),
    );
    expect(result.steps.map((s) => [s.id, s.status])).toEqual([
      ['mx', 'pass'],
      ['dmarc', expect.stringMatching(/^(pass|warn)$/)],
      ['smtp', 'pass'],
      ['owner', 'pass'],
    ]);
    expect(result.context).toEqual({ mx_host: 'mx1.mail.test', mx_ip: '127.0.0.1', policy: 'quarantine' });
    // Template values are bound parameters, never SQL text; one parameter per distinct key.
    expect(queries).toEqual([{ datasource: 'audit', text: 'SELECT $1 AS policy, $1 = $2 AS same', params: ['quarantine', 'mx1.mail.test'] }]);
    expect(result.checks.map((c) => c.check_id)).toEqual(['mx', 'dmarc', 'smtp', 'owner']);
    expect(result.checks[2]!.target).toBe(`127.0.0.1:${port}`);
  });

  it('marks a step whose extraction finds nothing as error and skips the steps that need the value', async () => {
    const spec = parse({
      name: 'mail',
      steps: [
        { id: 'mx', kind: 'dns', rule: 'mx', domain: 'mail.test', extract: { nope: '$.checks.missing' } },
        { id: 'smtp', kind: 'tcp', host: '${ctx.nope}', port: 25 },
        { id: 'independent', kind: 'tcp', host: '127.0.0.1', port },
      ],
    });
    const result = await runWorkbook(spec, context());
    expect(result.steps.map((s) => [s.id, s.status, s.message])).toEqual([
      ['mx', 'error', expect.stringContaining('extract nope: $.checks.missing not found')],
      ['smtp', 'error', 'skipped: depends on mx'],
      ['independent', 'pass', expect.any(String)],
    ]);
    expect(result.verdict).toBe('error');
  });

  it('an sql step without a datasource is an error, not a throw', async () => {
    const result = await runWorkbook(parse({ name: 'q', steps: [{ id: 'q', kind: 'sql', sql: 'SELECT 1' }] }), context());
    expect(result.steps[0]).toMatchObject({ status: 'error', message: expect.stringContaining('no SQL datasource') });
  });
});

describe('evaluateAssertion', () => {
  const doc = { n: 3, s: 'Hello world', list: ['a', 'b'], obj: { x: 1 }, nil: null };
  const check = (assertion: WorkbookAssertion, ctx: Record<string, unknown> = {}) => evaluateAssertion(assertion, doc, ctx).ok;

  it.each<[WorkbookAssertion, boolean]>([
    [{ path: '$.n', op: 'eq', value: 3 }, true],
    [{ path: '$.n', op: 'ne', value: 3 }, false],
    [{ path: '$.n', op: 'gt', value: 2 }, true],
    [{ path: '$.n', op: 'lte', value: 2 }, false],
    [{ path: '$.s', op: 'gt', value: 2 }, false],
    [{ path: '$.s', op: 'contains', value: 'world' }, true],
    [{ path: '$.list', op: 'contains', value: 'b' }, true],
    [{ path: '$.list', op: 'not_contains', value: 'b' }, false],
    [{ path: '$.s', op: 'matches', value: '^Hello\\s' }, true],
    [{ path: '$.obj', op: 'eq', value: { x: 1 } }, true],
    [{ path: '$.nil', op: 'exists' }, true],
    [{ path: '$.missing', op: 'exists' }, false],
    [{ path: '$.missing', op: 'absent' }, true],
    [{ path: '$.missing', op: 'eq', value: null }, false],
    [{ path: '$.list[1]', op: 'in', value: ['b', 'c'] }, true],
  ])('%j → %s', (assertion, ok) => {
    expect(check(assertion)).toBe(ok);
  });

  it('renders template values, keeping the type of a whole-value template', () => {
    expect(check({ path: '$.n', op: 'eq', value: '${ctx.n}' }, { n: 3 })).toBe(true);
    expect(check({ path: '$.s', op: 'eq', value: 'Hello ${ctx.w}' }, { w: 'world' })).toBe(true);
  });
});

describe('helpers', () => {
  it('worstStatus orders pass < warn < fail < error', () => {
    expect(worstStatus([])).toBe('pass');
    expect(worstStatus(['pass', 'warn'])).toBe('warn');
    expect(worstStatus(['fail', 'warn', 'pass'])).toBe('fail');
    expect(worstStatus(['fail', 'error'])).toBe('error');
  });

  it('parameterizeSql binds objects as JSON text', () => {
    expect(parameterizeSql('SELECT ${ctx.o}::jsonb', { o: { a: 1 } })).toEqual({ text: 'SELECT $1::jsonb', params: ['{"a":1}'] });
  });
});
