import { DnsMxConfigSchema, collectDnsMx } from './dns-mx.collector';
import { checkById } from './testing/checks.util';
import { testContext } from './testing/collector-context.util';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.util';

describe('collectDnsMx', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startTestDnsServer({
      'good.test': {
        MX: [
          { priority: 20, exchange: 'mx2.good.test' },
          { priority: 10, exchange: 'mx1.good.test' },
        ],
      },
      'mx1.good.test': { A: ['192.0.2.1'] },
      'mx2.good.test': { AAAA: ['2001:db8::2'] },
      'nullmx.test': { MX: [{ priority: 0, exchange: '.' }] },
      'mixed.test': {
        MX: [
          { priority: 0, exchange: '.' },
          { priority: 10, exchange: 'mx1.good.test' },
        ],
      },
      'bad.test': {
        MX: [
          { priority: 10, exchange: '192.0.2.7' },
          { priority: 20, exchange: 'alias.bad.test' },
          { priority: 30, exchange: 'noaddr.bad.test' },
        ],
      },
      'alias.bad.test': { CNAME: 'mx1.good.test' },
      'noaddr.bad.test': { TXT: ['nothing here'] },
      'nomx.test': { A: ['192.0.2.9'] },
      'hang.test': { hang: true },
    });
  });
  afterAll(() => dns.close());
  const run = (domain: string, signal?: AbortSignal) => collectDnsMx(DnsMxConfigSchema.parse({ domain }), testContext(dns, signal ? { signal } : {}));

  it('passes MX hosts that are names with addresses', async () => {
    const checks = await run('good.test');
    expect(checks.map((c) => [c.check_id, c.status])).toEqual([
      ['mx.records', 'pass'],
      ['mx.hostnames', 'pass'],
      ['mx.no_cname', 'pass'],
      ['mx.addresses', 'pass'],
    ]);
    expect(checkById(checks, 'mx.records').evidence).toEqual({
      mx: [
        { priority: 10, exchange: 'mx1.good.test' },
        { priority: 20, exchange: 'mx2.good.test' },
      ],
    });
  });

  it('passes a null MX as "does not accept mail" (RFC 7505)', async () => {
    expect(await run('nullmx.test')).toEqual([
      expect.objectContaining({ check_id: 'mx.records', status: 'pass', message: expect.stringContaining('does not accept mail') }),
    ]);
  });

  it('fails a null MX mixed with other MX records', async () => {
    expect(await run('mixed.test')).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringContaining('mixed') })]);
  });

  it('fails IP literals, CNAME exchanges and exchanges without addresses', async () => {
    const checks = await run('bad.test');
    expect(checkById(checks, 'mx.hostnames')).toMatchObject({ status: 'fail', message: expect.stringContaining('192.0.2.7') });
    expect(checkById(checks, 'mx.no_cname')).toMatchObject({ status: 'fail', message: expect.stringContaining('alias.bad.test → mx1.good.test') });
    expect(checkById(checks, 'mx.addresses')).toMatchObject({ status: 'fail', message: expect.stringContaining('noaddr.bad.test') });
  });

  it('warns on a missing MX and fails a missing domain', async () => {
    expect((await run('nomx.test'))[0]).toMatchObject({ status: 'warn' });
    expect((await run('nowhere.test'))[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('NXDOMAIN') });
  });

  it('returns an error check when aborted against a hung server', async () => {
    expect(await run('hang.test', AbortSignal.timeout(200))).toEqual([expect.objectContaining({ status: 'error' })]);
  });
});
