import { TlsRptConfigSchema, collectTlsRpt } from './tls-rpt.collector';
import { testContext } from './testing/collector-context.util';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.util';

describe('collectTlsRpt', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startTestDnsServer({
      '_smtp._tls.good.test': { TXT: ['v=TLSRPTv1; rua=mailto:tlsrpt@good.test,https://reports.example/tlsrpt'] },
      '_smtp._tls.norua.test': { TXT: ['v=TLSRPTv1;'] },
      '_smtp._tls.badrua.test': { TXT: ['v=TLSRPTv1; rua=ftp://x.example'] },
      '_smtp._tls.two.test': { TXT: ['v=TLSRPTv1; rua=mailto:a@two.test', 'v=TLSRPTv1; rua=mailto:b@two.test'] },
      '_smtp._tls.hang.test': { hang: true },
    });
  });
  afterAll(() => dns.close());
  const run = (domain: string, signal?: AbortSignal) => collectTlsRpt(TlsRptConfigSchema.parse({ domain }), testContext(dns, signal ? { signal } : {}));

  it('passes one record with valid destinations', async () => {
    expect((await run('good.test')).map((c) => [c.check_id, c.status])).toEqual([
      ['tls_rpt.record', 'pass'],
      ['tls_rpt.rua', 'pass'],
    ]);
  });

  it('fails a missing rua, an invalid URI, two records and no record', async () => {
    expect((await run('norua.test'))[1]).toMatchObject({ status: 'fail', message: 'no rua destination' });
    expect((await run('badrua.test'))[1]).toMatchObject({ status: 'fail', message: expect.stringContaining('ftp://') });
    expect(await run('two.test')).toEqual([expect.objectContaining({ status: 'fail' })]);
    expect(await run('none.test')).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringContaining('no TLS-RPT record') })]);
  });

  it('returns an error check when aborted', async () => {
    expect(await run('hang.test', AbortSignal.timeout(200))).toEqual([expect.objectContaining({ status: 'error' })]);
  });
});
