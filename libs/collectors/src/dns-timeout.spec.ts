import { CachingDnsResolver } from './dns-cache.util';
import { DnsDkimConfigSchema, collectDnsDkim } from './dns-dkim.collector';
import { DnsDmarcConfigSchema, collectDnsDmarc } from './dns-dmarc.collector';
import { DnsMxConfigSchema, collectDnsMx } from './dns-mx.collector';
import { DnsSpfConfigSchema, collectDnsSpf } from './dns-spf.collector';
import { NodeDnsResolver, WireDnsResolver, type DnsResolver } from './dns-resolver.util';
import { checkHost } from './spf-evaluator.util';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.util';
import { TlsRptConfigSchema, collectTlsRpt } from './tls-rpt.collector';
import type { Check } from '@auditstack/audit-core';
import type { CollectorContext } from './collector-context.util';

/** A DNS check's `timeout_ms` bounds each of its queries, whatever resolver the context has (its own timeout: 10 s). */
describe('timeout_ms of the DNS checks', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startTestDnsServer({
      'hang.test': { hang: true },
      '_dmarc.hang.test': { hang: true },
      '_smtp._tls.hang.test': { hang: true },
      's1._domainkey.hang.test': { hang: true },
    });
  });
  afterAll(() => dns.close());

  const resolvers: Array<[string, () => DnsResolver]> = [
    ['NodeDnsResolver', () => new NodeDnsResolver({ servers: [dns.server], timeoutMs: 10_000, tries: 1 })],
    ['WireDnsResolver', () => new WireDnsResolver({ servers: [dns.server], timeoutMs: 10_000, tries: 1 })],
    ['CachingDnsResolver', () => new CachingDnsResolver(new WireDnsResolver({ servers: [dns.server], timeoutMs: 10_000, tries: 1 }))],
  ];
  const checks: Array<[string, (ctx: CollectorContext) => Promise<Check[]>]> = [
    ['dns_mx', (ctx) => collectDnsMx(DnsMxConfigSchema.parse({ domain: 'hang.test', timeout_ms: 150 }), ctx)],
    ['dns_dmarc', (ctx) => collectDnsDmarc(DnsDmarcConfigSchema.parse({ domain: 'hang.test', timeout_ms: 150 }), ctx)],
    ['dns_dkim', (ctx) => collectDnsDkim(DnsDkimConfigSchema.parse({ domain: 'hang.test', selectors: ['s1'], timeout_ms: 150 }), ctx)],
    ['tls_rpt', (ctx) => collectTlsRpt(TlsRptConfigSchema.parse({ domain: 'hang.test', timeout_ms: 150 }), ctx)],
  ];

  it.each(resolvers)('%s: each check ends in error "TIMEOUT … 150 ms" well before the resolver timeout', async (_name, make) => {
    for (const [type, collect] of checks) {
      const ctx: CollectorContext = { resolver: make(), now: () => new Date(), signal: new AbortController().signal };
      const started = Date.now();
      const result = await collect(ctx);
      expect({ type, elapsedUnder2s: Date.now() - started < 2000 }).toEqual({ type, elapsedUnder2s: true });
      expect(result).toEqual([expect.objectContaining({ status: 'error', message: expect.stringMatching(/TIMEOUT.*150 ms/) })]);
    }
  });

  it.each(resolvers)('%s: dns_spf ends in an error naming the 150 ms timeout', async (_name, make) => {
    const ctx: CollectorContext = { resolver: make(), now: () => new Date(), signal: new AbortController().signal };
    const started = Date.now();
    const result = await collectDnsSpf(DnsSpfConfigSchema.parse({ domain: 'hang.test', senders: ['192.0.2.1'], timeout_ms: 150 }), ctx);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toContainEqual(expect.objectContaining({ status: 'error', message: expect.stringMatching(/TIMEOUT.*150 ms/) }));
  });

  it('check_host() with timeoutMs answers temperror within it (the sender evaluation of dns_spf)', async () => {
    const resolver = new WireDnsResolver({ servers: [dns.server], timeoutMs: 10_000, tries: 1 });
    const started = Date.now();
    const outcome = await checkHost('192.0.2.1', 'hang.test', { resolver, timeoutMs: 150 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(outcome.result).toBe('temperror');
  });

  it('refuses a timeout_ms below 100 ms or above 120 s', () => {
    expect(DnsMxConfigSchema.safeParse({ domain: 'a.test', timeout_ms: 50 }).success).toBe(false);
    expect(TlsRptConfigSchema.safeParse({ domain: 'a.test', timeout_ms: 120_001 }).success).toBe(false);
    expect(DnsDmarcConfigSchema.safeParse({ domain: 'a.test' }).success).toBe(true);
  });
});
