import { CheckSchema } from '@auditstack/audit-core';
import { DnsDmarcConfigSchema, collectDnsDmarc, organisationalDomain } from './dns-dmarc.collector';
import { checkById } from './testing/checks.util';
import { testContext } from './testing/collector-context.util';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.util';

describe('collectDnsDmarc', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startTestDnsServer({
      '_dmarc.strict.test': { TXT: ['v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@strict.test, mailto:agg@reports.example; adkim=s'] },
      'strict.test._report._dmarc.reports.example': { TXT: ['v=DMARC1'] },
      '_dmarc.monitor.test': { TXT: ['v=DMARC1; p=none; rua=mailto:d@monitor.test'] },
      '_dmarc.org.test': { TXT: ['v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@org.test'] },
      'mail.org.test': { A: ['192.0.2.1'] },
      '_dmarc.weak.test': { TXT: ['v=DMARC1; p=reject; sp=none; np=none; pct=50; t=y; rua=mailto:x@weak.test'] },
      '_dmarc.unauth.test': { TXT: ['v=DMARC1; p=quarantine; rua=mailto:x@other.example'] },
      '_dmarc.two.test': { TXT: ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] },
      '_dmarc.bad.test': { TXT: ['v=DMARC1; p=block; pct=150; rua=https://x.example'] },
      '_dmarc.norua.test': { TXT: ['v=DMARC1; p=reject'] },
      '_dmarc.hang.test': { hang: true },
    });
  });
  afterAll(() => dns.close());
  const run = (config: Record<string, unknown>, signal?: AbortSignal) =>
    collectDnsDmarc(DnsDmarcConfigSchema.parse(config), testContext(dns, signal ? { signal } : {}));

  it('uses the Public Suffix List for the organisational domain', () => {
    expect(organisationalDomain('a.b.example.co.uk')).toBe('example.co.uk');
    expect(organisationalDomain('mail.org.test')).toBe('org.test');
  });

  it('passes an enforcing record whose external destination authorises it', async () => {
    const checks = await run({ domain: 'strict.test' });
    for (const c of checks) CheckSchema.parse(c);
    expect(checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(checkById(checks, 'dmarc.external_destinations').evidence).toMatchObject({ results: [{ destination: 'reports.example', authorised: true }] });
  });

  it('warns on p=none', async () => {
    const c = checkById(await run({ domain: 'monitor.test' }), 'dmarc.policy');
    expect(c).toMatchObject({ status: 'warn', rule: { reference: 'RFC 7489 §6.3 (p)' } });
  });

  it('falls back to the organisational domain and applies sp', async () => {
    const checks = await run({ domain: 'mail.org.test' });
    expect(checkById(checks, 'dmarc.record')).toMatchObject({
      status: 'pass',
      evidence: { name: '_dmarc.org.test', inherited_from_organisational_domain: true },
    });
    expect(checkById(checks, 'dmarc.policy')).toMatchObject({ status: 'pass', evidence: { effective: 'quarantine' } });
  });

  it('warns on sp/np=none, pct<100 and t=y', async () => {
    const checks = await run({ domain: 'weak.test' });
    expect(checkById(checks, 'dmarc.subdomain_policy').status).toBe('warn');
    expect(checkById(checks, 'dmarc.pct').status).toBe('warn');
    expect(checkById(checks, 'dmarc.testing_mode').status).toBe('warn');
  });

  it('fails an external destination that does not authorise the domain (RFC 7489 §7.1)', async () => {
    const c = checkById(await run({ domain: 'unauth.test' }), 'dmarc.external_destinations');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('unauth.test._report._dmarc.other.example');
  });

  it('fails two records, no record, and invalid tags; warns without rua', async () => {
    expect(await run({ domain: 'two.test' })).toEqual([expect.objectContaining({ check_id: 'dmarc.record', status: 'fail' })]);
    expect(await run({ domain: 'nothing.test' })).toEqual([expect.objectContaining({ check_id: 'dmarc.record', status: 'fail' })]);
    const bad = await run({ domain: 'bad.test' });
    expect(checkById(bad, 'dmarc.syntax').message).toMatch(/p=block.*pct=150/);
    expect(checkById(bad, 'dmarc.policy').status).toBe('fail');
    expect(checkById(await run({ domain: 'norua.test' }), 'dmarc.rua').status).toBe('warn');
  });

  it('returns an error check when the server hangs and the run is aborted', async () => {
    const started = Date.now();
    expect(await run({ domain: 'hang.test' }, AbortSignal.timeout(300))).toEqual([expect.objectContaining({ status: 'error' })]);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
