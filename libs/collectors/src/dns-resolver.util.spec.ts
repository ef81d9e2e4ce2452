import { NodeDnsResolver, isVoidResult } from './dns-resolver.util';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.util';

describe('NodeDnsResolver against the loopback test server', () => {
  let dns: TestDnsServer;
  let resolver: NodeDnsResolver;

  beforeAll(async () => {
    dns = await startTestDnsServer({
      'example.test': {
        A: ['192.0.2.1'],
        AAAA: ['2001:db8::1'],
        MX: [{ priority: 10, exchange: 'mx.example.test' }],
        TXT: [['v=spf1 ', 'ip4:192.0.2.0/24 -all'], 'hello'],
        NS: ['ns1.example.test'],
      },
      'alias.example.test': { CNAME: 'example.test' },
      'big.example.test': { TXT: Array.from({ length: 12 }, (_, i) => `record-${i}-${'x'.repeat(60)}`) },
      'broken.example.test': { servfail: true },
      'hang.example.test': { hang: true },
    });
    resolver = new NodeDnsResolver({ servers: [dns.server], timeoutMs: 1000, tries: 1 });
  });
  afterAll(() => dns.close());

  it('returns TXT records with their character-strings unjoined', async () => {
    const result = await resolver.resolveTxt('example.test');
    expect(result.ok && result.answers).toEqual(expect.arrayContaining([['v=spf1 ', 'ip4:192.0.2.0/24 -all'], ['hello']]));
  });

  it('returns A, AAAA, MX, NS and CNAME answers', async () => {
    expect(await resolver.resolve4('example.test')).toEqual({ ok: true, answers: ['192.0.2.1'] });
    expect(await resolver.resolve6('example.test')).toEqual({ ok: true, answers: ['2001:db8::1'] });
    expect(await resolver.resolveMx('example.test')).toEqual({ ok: true, answers: [{ priority: 10, exchange: 'mx.example.test' }] });
    expect(await resolver.resolveNs('example.test')).toEqual({ ok: true, answers: ['ns1.example.test'] });
    expect(await resolver.resolveCname('alias.example.test')).toEqual({ ok: true, answers: ['example.test'] });
  });

  it('types NXDOMAIN, NODATA and SERVFAIL', async () => {
    const nx = await resolver.resolveTxt('missing.example.test');
    expect(nx).toMatchObject({ ok: false, kind: 'NXDOMAIN' });
    expect(await resolver.resolveCname('example.test')).toMatchObject({ ok: false, kind: 'NODATA' });
    expect(await resolver.resolveTxt('broken.example.test')).toMatchObject({ ok: false, kind: 'SERVFAIL' });
    expect(isVoidResult(nx)).toBe(true);
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const result = await resolver.resolveTxt('big.example.test');
    expect(result.ok && result.answers).toHaveLength(12);
    expect(dns.queries.filter((q) => q.name === 'big.example.test').map((q) => q.transport)).toContain('tcp');
  });

  it('aborts a query to a server that never answers', async () => {
    const slow = new NodeDnsResolver({ servers: [dns.server], timeoutMs: 10_000, tries: 1 });
    const started = Date.now();
    const result = await slow.resolveTxt('hang.example.test', { signal: AbortSignal.timeout(200) });
    expect(result).toMatchObject({ ok: false, kind: 'ABORTED' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
