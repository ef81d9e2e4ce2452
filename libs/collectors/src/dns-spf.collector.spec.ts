import { CheckSchema, type Check } from '@auditstack/audit-core';
import { DnsSpfConfigSchema, collectDnsSpf } from './dns-spf.collector';
import { testContext } from './testing/collector-context.util';
import { startTestDnsServer, type TestDnsServer, type TestZone } from './testing/dns-server.util';

/** 11 DNS-querying terms through three levels of include (RFC 7208 §4.6.4). */
function elevenLookupZone(): TestZone {
  const zone: TestZone = {
    'too-many.test': { TXT: ['v=spf1 include:l1.too-many.test a mx -all'], A: ['192.0.2.1'], MX: [{ priority: 10, exchange: 'mx.too-many.test' }] },
    'mx.too-many.test': { A: ['192.0.2.2'] },
    'l1.too-many.test': { TXT: ['v=spf1 include:l2.too-many.test a:h1.too-many.test a:h2.too-many.test -all'] },
    'l2.too-many.test': { TXT: ['v=spf1 a:h3.too-many.test a:h4.too-many.test a:h5.too-many.test a:h6.too-many.test a:h7.too-many.test -all'] },
  };
  for (let i = 1; i <= 7; i += 1) zone[`h${i}.too-many.test`] = { A: [`192.0.2.${10 + i}`] };
  return zone;
}

const ZONE: TestZone = {
  ...elevenLookupZone(),
  'clean.test': { TXT: ['v=spf1 ip4:192.0.2.0/24 include:_spf.clean.test -all', 'google-site-verification=abc'] },
  '_spf.clean.test': { TXT: ['v=spf1 ip6:2001:db8::/32 ~all'] },
  'plus-all.test': { TXT: ['v=spf1 +all'] },
  'question-all.test': { TXT: ['v=spf1 ip4:192.0.2.1 ?all'] },
  'soft.test': { TXT: ['v=spf1 ip4:192.0.2.1 ~all'] },
  'two.test': { TXT: ['v=spf1 ip4:192.0.2.1 -all', 'v=spf1 ip4:192.0.2.2 -all'] },
  'voids.test': { TXT: ['v=spf1 a:n1.voids.test mx:n2.voids.test include:n3.voids.test -all'] },
  'loop.test': { TXT: ['v=spf1 include:loop2.test -all'] },
  'loop2.test': { TXT: ['v=spf1 redirect=loop.test'] },
  'ptr.test': { TXT: ['v=spf1 ptr:example.test -all'] },
  'bad.test': { TXT: ['v=spf1 ip4:192.0.2.300 -all'] },
  'long.test': { TXT: [['v=spf1', ...[198, 203, 192].map((n) => Array.from({ length: 10 }, (_, i) => ` ip4:${n}.51.100.${i + 100}`).join('')), ' -all']] },
  'redir.test': { TXT: ['v=spf1 redirect=soft.test'] },
  'none.test': { A: ['192.0.2.1'] },
  'broken.test': { servfail: true },
  'macro.test': { TXT: ['v=spf1 exists:%{l}.senders.macro.test -all'] },
  'billing.senders.macro.test': { A: ['127.0.0.2'] },
  'hang.test': { hang: true },
};

function byId(checks: Check[], id: string): Check {
  const found = checks.find((c) => c.check_id === id);
  if (!found) throw new Error(`no check ${id} in ${checks.map((c) => c.check_id).join(', ')}`);
  return found;
}

describe('collectDnsSpf', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startTestDnsServer(ZONE);
  });
  afterAll(() => dns.close());

  const run = (config: Record<string, unknown>, signal?: AbortSignal) =>
    collectDnsSpf(DnsSpfConfigSchema.parse(config), testContext(dns, signal ? { signal } : {}));

  it('passes every rule for a clean domain and emits schema-valid checks', async () => {
    const checks = await run({ domain: 'Clean.Test.', senders: ['192.0.2.44', '2001:db8::9'] });
    for (const c of checks) expect(CheckSchema.parse(c)).toEqual(c);
    expect(checks.filter((c) => c.status !== 'pass').map((c) => c.check_id)).toEqual([]);
    expect(byId(checks, 'spf.dns_lookup_limit').evidence).toMatchObject({ dns_lookups: 1 });
    expect(byId(checks, 'spf.single_record').rule.reference).toContain('RFC 7208');
    expect(checks.every((c) => c.target === 'clean.test')).toBe(true);
  });

  it('fails a domain whose nested includes need 11 DNS lookups', async () => {
    const c = byId(await run({ domain: 'too-many.test' }), 'spf.dns_lookup_limit');
    expect(c.status).toBe('fail');
    expect(c.evidence).toMatchObject({ dns_lookups: 11 });
    expect(c.rule.reference).toBe('RFC 7208 §4.6.4');
  });

  it('fails a sender that would get permerror through the lookup limit', async () => {
    const c = byId(await run({ domain: 'too-many.test', senders: ['203.0.113.5'] }), 'spf.senders_pass');
    expect(c.status).toBe('fail');
    expect(c.message).toMatch(/permerror/);
  });

  it('fails "+all" and "?all", passes "~all" unless a hard fail is required', async () => {
    expect(byId(await run({ domain: 'plus-all.test' }), 'spf.all_qualifier').status).toBe('fail');
    expect(byId(await run({ domain: 'question-all.test' }), 'spf.all_qualifier').status).toBe('fail');
    expect(byId(await run({ domain: 'soft.test' }), 'spf.all_qualifier').status).toBe('pass');
    expect(byId(await run({ domain: 'soft.test', require_hard_fail: true }), 'spf.all_qualifier').status).toBe('warn');
    expect(byId(await run({ domain: 'redir.test' }), 'spf.all_qualifier').evidence).toEqual({ all: '~all' });
  });

  it('fails two SPF records and no SPF record', async () => {
    const two = await run({ domain: 'two.test' });
    expect(two).toHaveLength(1);
    expect(two[0]).toMatchObject({ check_id: 'spf.single_record', status: 'fail' });
    expect((await run({ domain: 'none.test' }))[0]).toMatchObject({ status: 'fail', message: expect.stringMatching(/no SPF record/) });
    expect((await run({ domain: 'nxdomain.test' }))[0]).toMatchObject({ status: 'fail' });
  });

  it('fails more than two void lookups and reports the missing include', async () => {
    const checks = await run({ domain: 'voids.test' });
    expect(byId(checks, 'spf.void_lookup_limit')).toMatchObject({ status: 'fail', evidence: { void_lookups: 3 } });
    expect(byId(checks, 'spf.nested_records').status).toBe('fail');
  });

  it('detects include/redirect loops', async () => {
    const c = byId(await run({ domain: 'loop.test' }), 'spf.no_loops');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('loop.test → loop2.test → loop.test');
  });

  it('warns on ptr and fails syntax errors', async () => {
    expect(byId(await run({ domain: 'ptr.test' }), 'spf.no_ptr').status).toBe('warn');
    expect(byId(await run({ domain: 'bad.test' }), 'spf.syntax')).toMatchObject({ status: 'fail' });
  });

  it('warns when the answer outgrows a 512-octet UDP response', async () => {
    const c = byId(await run({ domain: 'long.test' }), 'spf.record_size');
    expect(c.status).toBe('warn');
    expect(c.evidence['answer_size']).toBeGreaterThan(512);
  });

  it('fails a listed sender that does not get pass', async () => {
    const c = byId(await run({ domain: 'soft.test', senders: ['192.0.2.1', '203.0.113.9'] }), 'spf.senders_pass');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('203.0.113.9 → softfail');
  });

  it('expands macros with the configured MailFrom (RFC 7208 §7)', async () => {
    expect(byId(await run({ domain: 'macro.test', senders: ['192.0.2.1'], mail_from: 'billing@macro.test' }), 'spf.senders_pass').status).toBe('pass');
    expect(byId(await run({ domain: 'macro.test', senders: ['192.0.2.1'] }), 'spf.senders_pass').message).toContain('192.0.2.1 → fail');
  });

  it('returns an error check on SERVFAIL', async () => {
    expect(await run({ domain: 'broken.test' })).toEqual([expect.objectContaining({ status: 'error', message: expect.stringContaining('SERVFAIL') })]);
  });

  it('returns an error check, within the timeout, when the server hangs', async () => {
    const started = Date.now();
    const checks = await run({ domain: 'hang.test' }, AbortSignal.timeout(300));
    expect(checks).toEqual([expect.objectContaining({ status: 'error' })]);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('rejects a config with a bad domain or sender', () => {
    expect(DnsSpfConfigSchema.safeParse({ domain: 'not a domain' }).success).toBe(false);
    expect(DnsSpfConfigSchema.safeParse({ domain: 'example.com', senders: ['nope'] }).success).toBe(false);
    expect(DnsSpfConfigSchema.parse({ domain: 'example.com' })).toEqual({ domain: 'example.com', senders: [], require_hard_fail: false });
  });
});
