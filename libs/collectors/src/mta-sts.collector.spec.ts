import type { IncomingMessage, ServerResponse } from 'node:http';
import { MtaStsConfigSchema, collectMtaSts, mxPatternMatches, parseMtaStsPolicy } from './mta-sts.collector';
import { checkById } from './testing/checks.util';
import { testContext } from './testing/collector-context.util';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.util';
import { startTestHttpServer, type TestHttpServer } from './testing/http-server.util';
import { createTestPki, type TestPki } from './testing/test-pki.util';

const POLICIES: Record<string, { status?: number; type?: string; body?: string; hang?: boolean }> = {
  'mta-sts.good.test': { body: 'version: STSv1\r\nmode: enforce\r\nmx: mx1.good.test\r\nmx: *.backup.test\r\nmax_age: 604800\r\n' },
  'mta-sts.testing.test': { body: 'version: STSv1\nmode: testing\nmx: mx.testing.test\nmax_age: 3600\n' },
  'mta-sts.uncovered.test': { body: 'version: STSv1\nmode: enforce\nmx: mx1.uncovered.test\nmax_age: 604800\n' },
  'mta-sts.broken.test': { body: 'version: STSv2\nmode: enforce\nmax_age: 99999999999\n' },
  'mta-sts.html.test': { type: 'text/html', body: '<html></html>' },
  'mta-sts.moved.test': { status: 301 },
  'mta-sts.hang.test': { hang: true },
};

function policyServer(req: IncomingMessage, res: ServerResponse): void {
  const host = (req.headers.host ?? '').toLowerCase();
  const policy = POLICIES[host];
  if (req.url !== '/.well-known/mta-sts.txt' || !policy) {
    res.writeHead(404).end();
    return;
  }
  if (policy.hang) return;
  if (policy.status === 301) {
    res.writeHead(301, { location: 'https://elsewhere.test/' }).end();
    return;
  }
  res.writeHead(policy.status ?? 200, { 'content-type': policy.type ?? 'text/plain; charset=utf-8' }).end(policy.body ?? '');
}

describe('MTA-STS policy parsing (RFC 8461 §3.2, §4.1)', () => {
  it('parses a policy', () => {
    expect(parseMtaStsPolicy('version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 86400\r\n')).toEqual({
      version: 'STSv1',
      mode: 'enforce',
      maxAge: 86400,
      mx: ['mail.example.com', '*.example.net'],
      errors: [],
    });
  });

  it('matches a wildcard against exactly one label', () => {
    expect(mxPatternMatches('*.example.net', 'mx1.example.net')).toBe(true);
    expect(mxPatternMatches('*.example.net', 'a.b.example.net')).toBe(false);
    expect(mxPatternMatches('*.example.net', 'example.net')).toBe(false);
    expect(mxPatternMatches('mail.example.com', 'MAIL.example.com.')).toBe(true);
  });
});

describe('collectMtaSts', () => {
  let dns: TestDnsServer;
  let https: TestHttpServer;
  let pki: TestPki;

  beforeAll(async () => {
    pki = createTestPki(Object.keys(POLICIES));
    https = await startTestHttpServer(policyServer, pki.valid);
    const zone: Record<string, { TXT?: string[]; MX?: Array<{ priority: number; exchange: string }> }> = {
      'good.test': {
        MX: [
          { priority: 10, exchange: 'mx1.good.test' },
          { priority: 20, exchange: 'mx7.backup.test' },
        ],
      },
      'testing.test': { MX: [{ priority: 10, exchange: 'mx.testing.test' }] },
      'uncovered.test': {
        MX: [
          { priority: 10, exchange: 'mx1.uncovered.test' },
          { priority: 20, exchange: 'mx2.uncovered.test' },
        ],
      },
      '_mta-sts.two.test': { TXT: ['v=STSv1; id=1;', 'v=STSv1; id=2;'] },
      '_mta-sts.badid.test': { TXT: ['v=STSv1; id=not-valid!;'] },
    };
    for (const host of Object.keys(POLICIES)) zone[`_mta-sts.${host.replace('mta-sts.', '')}`] = { TXT: ['v=STSv1; id=20240101T000000;'] };
    dns = await startTestDnsServer(zone);
  });
  afterAll(async () => {
    await Promise.all([dns.close(), https.close()]);
    pki.cleanup();
  });

  const run = (domain: string, extra: Record<string, unknown> = {}, signal?: AbortSignal) =>
    collectMtaSts(
      MtaStsConfigSchema.parse({ domain, policy_endpoint: { host: '127.0.0.1', port: https.port }, ca_pem: pki.ca, ...extra }),
      testContext(dns, signal ? { signal } : {}),
    );

  it('passes a complete enforce policy covering every MX', async () => {
    const checks = await run('good.test');
    expect(checks.map((c) => [c.check_id, c.status])).toEqual([
      ['mta_sts.txt_record', 'pass'],
      ['mta_sts.policy_fetch', 'pass'],
      ['mta_sts.policy_syntax', 'pass'],
      ['mta_sts.mode', 'pass'],
      ['mta_sts.max_age', 'pass'],
      ['mta_sts.mx_coverage', 'pass'],
    ]);
    expect(checkById(checks, 'mta_sts.policy_fetch').evidence).toMatchObject({ url: 'https://mta-sts.good.test/.well-known/mta-sts.txt', status: 200 });
  });

  it('warns on testing mode and a short max_age', async () => {
    const checks = await run('testing.test');
    expect(checkById(checks, 'mta_sts.mode').status).toBe('warn');
    expect(checkById(checks, 'mta_sts.max_age').status).toBe('warn');
  });

  it('fails MX hosts the policy does not cover', async () => {
    expect(checkById(await run('uncovered.test'), 'mta_sts.mx_coverage')).toMatchObject({ status: 'fail', evidence: { uncovered: ['mx2.uncovered.test'] } });
  });

  it('fails an invalid policy, a non-text/plain policy and a redirect', async () => {
    expect(checkById(await run('broken.test'), 'mta_sts.policy_syntax').message).toMatch(/max_age.*version.*STSv2/s);
    expect(checkById(await run('html.test'), 'mta_sts.policy_fetch')).toMatchObject({ status: 'fail', message: expect.stringContaining('text/html') });
    expect(checkById(await run('moved.test'), 'mta_sts.policy_fetch')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('redirects are not followed'),
    });
  });

  it('fails when the policy host certificate is not trusted', async () => {
    expect(checkById(await run('good.test', { ca_pem: undefined }), 'mta_sts.policy_fetch')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('policy fetch failed'),
    });
  });

  it('fails a missing, duplicated or invalid TXT record', async () => {
    expect(await run('nothing.test')).toEqual([expect.objectContaining({ check_id: 'mta_sts.txt_record', status: 'fail' })]);
    expect(await run('two.test')).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringContaining('2 "v=STSv1" records') })]);
    expect(checkById(await run('badid.test'), 'mta_sts.txt_record').status).toBe('fail');
  });

  it('returns an error check within the timeout when the policy server hangs', async () => {
    const started = Date.now();
    const checks = await run('hang.test', { timeout_ms: 300 });
    expect(checkById(checks, 'mta_sts.policy_fetch')).toMatchObject({ status: 'error', message: expect.stringContaining('aborted') });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
