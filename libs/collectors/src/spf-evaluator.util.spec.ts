import { NodeDnsResolver } from './dns-resolver.util';
import { CollectorError } from './collector.error';
import { checkHost, expandMacros, ipInNetwork, parseSpfRecord, reverseName } from './spf-evaluator.util';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.util';

describe('parseSpfRecord (RFC 7208 §4.6, §12)', () => {
  it('parses mechanisms, qualifiers, CIDR lengths and modifiers', () => {
    const r = parseSpfRecord(
      'v=spf1 ip4:192.0.2.0/24 -ip6:2001:db8::/32 a:mail.example.com/28//64 ~mx ?include:_spf.example.net exists:x.example.org redirect=_spf.example.com exp=exp.example.com foo=bar',
    );
    expect(r.mechanisms.map((m) => `${m.qualifier}${m.name}`)).toEqual(['+ip4', '-ip6', '+a', '~mx', '?include', '+exists']);
    expect(r.mechanisms[0]).toMatchObject({ value: '192.0.2.0', cidr4: 24 });
    expect(r.mechanisms[1]).toMatchObject({ value: '2001:db8::', cidr6: 32 });
    expect(r.mechanisms[2]).toMatchObject({ value: 'mail.example.com', cidr4: 28, cidr6: 64 });
    expect(r.redirect).toBe('_spf.example.com');
    expect(r.exp).toBe('exp.example.com');
    expect(r.modifiers.map((m) => m.name)).toEqual(['redirect', 'exp', 'foo']);
  });

  it.each([
    ['v=spf1 ip4:192.0.2.0/33 -all', /CIDR/],
    ['v=spf1 ip4:999.0.2.0 -all', /ip4/],
    ['v=spf1 include -all', /include/],
    ['v=spf1 frobnicate -all', /unknown mechanism/],
    ['v=spf1 redirect=a.example.com redirect=b.example.com', /more than once/],
    ['v=spf1 all:foo', /no argument/],
    ['v=spf1 include:localhost', /domain-spec/],
    // RFC 7208 §7.1: a toplabel is never all-numeric.
    ['v=spf1 a:abc.123 -all', /domain-spec/],
    // RFC 7208 §7.2: c, r and t are allowed only in explanation strings, not in the exp= domain-spec.
    ['v=spf1 -all exp=%{r}.example.com', /not allowed/],
    // RFC 7208 §12: unknown-modifier = name "=" macro-string.
    ['v=spf1 -all foo=%abc', /bad "%"/],
  ])('rejects %s', (record, message) => {
    expect(() => parseSpfRecord(record)).toThrow(CollectorError);
    expect(() => parseSpfRecord(record)).toThrow(message);
  });

  it('accepts ":" and "/" inside domain-specs and "%%" escapes (RFC 7208 §7.1)', () => {
    expect(parseSpfRecord('v=spf1 a:foo:bar/baz.example.com/24 -all').mechanisms[0]).toMatchObject({ value: 'foo:bar/baz.example.com', cidr4: 24 });
    expect(parseSpfRecord('v=spf1 a:macro%%percent%_space%-url.example.com -all').mechanisms[0]).toMatchObject({
      value: 'macro%%percent%_space%-url.example.com',
    });
  });

  it('matches addresses against networks of the same family only', () => {
    expect(ipInNetwork('192.0.2.77', '192.0.2.0', 24)).toBe(true);
    expect(ipInNetwork('192.0.3.1', '192.0.2.0', 24)).toBe(false);
    expect(ipInNetwork('2001:db8:1::1', '2001:db8::', 32)).toBe(true);
    expect(ipInNetwork('2001:db8:1::1', '192.0.2.0', 0)).toBe(false);
  });

  it('builds reverse names', () => {
    expect(reverseName('192.0.2.1')).toBe('1.2.0.192.in-addr.arpa');
    expect(reverseName('2001:db8::1')).toBe(`${'1'.padEnd(1)}.${'0.'.repeat(23)}8.b.d.0.1.0.0.2.ip6.arpa`);
  });
});

describe('expandMacros (RFC 7208 §7.4 examples)', () => {
  const v4 = { sender: 'strong-bad@email.example.com', domain: 'email.example.com', ip: '192.0.2.3', helo: 'mx.example.org' };
  it.each([
    ['%{s}', 'strong-bad@email.example.com'],
    ['%{o}', 'email.example.com'],
    ['%{d}', 'email.example.com'],
    ['%{d4}', 'email.example.com'],
    ['%{d3}', 'email.example.com'],
    ['%{d2}', 'example.com'],
    ['%{d1}', 'com'],
    ['%{dr}', 'com.example.email'],
    ['%{d2r}', 'example.email'],
    ['%{l}', 'strong-bad'],
    ['%{l-}', 'strong.bad'],
    ['%{lr}', 'strong-bad'],
    ['%{lr-}', 'bad.strong'],
    ['%{l1r-}', 'strong'],
    ['%{ir}.%{v}._spf.%{d2}', '3.2.0.192.in-addr._spf.example.com'],
    ['%{lr-}.lp._spf.%{d2}', 'bad.strong.lp._spf.example.com'],
    ['%{lr-}.lp.%{ir}.%{v}._spf.%{d2}', 'bad.strong.lp.3.2.0.192.in-addr._spf.example.com'],
    ['%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}', '3.2.0.192.in-addr.strong.lp._spf.example.com'],
    ['%{d2}.trusted-domains.example.net', 'example.com.trusted-domains.example.net'],
    ['%{h}%%%_%-', 'mx.example.org% %20'],
  ])('%s → %s', (spec, expected) => {
    expect(expandMacros(spec, v4)).toBe(expected);
  });

  it('expands IPv6 addresses to nibbles', () => {
    expect(expandMacros('%{ir}.%{v}._spf.%{d2}', { ...v4, ip: '2001:db8::cb01' })).toBe(
      '1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com',
    );
  });

  it('expands c, r, t only in explanations, and URL-escapes upper-case macros (RFC 7208 §7.3)', () => {
    const v6 = { ...v4, ip: 'CAFE:BABE::1', sender: '~jack&jill=up@example.com', receiver: 'mx.example.net', timestamp: 1 };
    expect(expandMacros('%{c} via %{r} at %{t}', v6, 'explanation')).toBe('cafe:babe::1 via mx.example.net at 1');
    expect(expandMacros('why?l=%{L}', v6, 'explanation')).toBe('why?l=~jack%26jill%3Dup');
    expect(() => expandMacros('%{c}', v6)).toThrow(/not allowed/);
  });

  it.each(['%{x}', '%{d0}', '%{d', '%a', '%{c}'])('rejects %s', (spec) => {
    expect(() => expandMacros(spec, v4)).toThrow(CollectorError);
  });
});

describe('checkHost (RFC 7208 §4, §5)', () => {
  let dns: TestDnsServer;
  let resolver: NodeDnsResolver;

  beforeAll(async () => {
    dns = await startTestDnsServer({
      'example.test': {
        TXT: ['v=spf1 ip4:192.0.2.0/24 a mx include:_spf.partner.test ~all'],
        A: ['198.51.100.10'],
        MX: [{ priority: 10, exchange: 'mx.example.test' }],
      },
      'mx.example.test': { A: ['198.51.100.20'], AAAA: ['2001:db8::25'] },
      '_spf.partner.test': { TXT: ['v=spf1 ip6:2001:db8:beef::/48 -all'] },
      'redirected.test': { TXT: ['v=spf1 redirect=example.test'] },
      'exists.test': { TXT: ['v=spf1 exists:allowed.exists.test -all'] },
      'allowed.exists.test': { A: ['127.0.0.2'] },
      'macro.test': { TXT: ['v=spf1 exists:%{i}.list.macro.test -all'] },
      '192.0.2.9.list.macro.test': { A: ['127.0.0.2'] },
      'badmacro.test': { TXT: ['v=spf1 exists:%{x}.macro.test -all'] },
      'broken-include.test': { TXT: ['v=spf1 include:nowhere.test -all'] },
      'voids.test': { TXT: ['v=spf1 a:n1.voids.test a:n2.voids.test a:n3.voids.test -all'] },
      'loop-a.test': { TXT: ['v=spf1 include:loop-b.test -all'] },
      'loop-b.test': { TXT: ['v=spf1 include:loop-a.test -all'] },
      'noall.test': { TXT: ['v=spf1 ip4:192.0.2.1'] },
      'servfail.test': { servfail: true },
      'ptr.test': { TXT: ['v=spf1 ptr -all'] },
      '5.2.0.192.in-addr.arpa': { PTR: ['host.ptr.test'] },
      'exp.test': { TXT: ['v=spf1 -all exp=why.exp.test'] },
      'why.exp.test': { TXT: ['%{i} may not send for %{d}'] },
      'host.ptr.test': { A: ['192.0.2.5'] },
    });
    resolver = new NodeDnsResolver({ servers: [dns.server], timeoutMs: 1000, tries: 1 });
  });
  afterAll(() => dns.close());

  it.each([
    ['192.0.2.9', 'example.test', 'pass', /ip4/],
    ['198.51.100.10', 'example.test', 'pass', /"a"/],
    ['198.51.100.20', 'example.test', 'pass', /"mx"/],
    ['2001:db8::25', 'example.test', 'pass', /"mx"/],
    ['2001:db8:beef::1', 'example.test', 'pass', /include/],
    ['203.0.113.1', 'example.test', 'softfail', /~all/],
    ['192.0.2.9', 'redirected.test', 'pass', /ip4/],
    ['192.0.2.9', 'exists.test', 'pass', /exists/],
    ['192.0.2.5', 'ptr.test', 'pass', /ptr/],
    ['192.0.2.6', 'ptr.test', 'fail', /-all/],
    ['203.0.113.1', 'noall.test', 'neutral', /default neutral/],
    ['192.0.2.9', 'nodomain.test', 'none', /no SPF record/],
    ['192.0.2.9', 'macro.test', 'pass', /exists/],
    ['192.0.2.10', 'macro.test', 'fail', /-all/],
    ['192.0.2.9', 'badmacro.test', 'permerror', /macro letter "x"/],
    ['192.0.2.9', 'broken-include.test', 'permerror', /no SPF record/],
    ['192.0.2.9', 'voids.test', 'permerror', /void lookups/],
    ['192.0.2.9', 'loop-a.test', 'permerror', /more than 10/],
    ['192.0.2.9', 'servfail.test', 'temperror', /SERVFAIL/],
    // RFC 7208 §5: an IPv4-mapped IPv6 client is evaluated as IPv4.
    ['::ffff:192.0.2.9', 'example.test', 'pass', /ip4/],
    // RFC 7208 §4.3: a single-label domain is not evaluated.
    ['192.0.2.9', 'localhost', 'none', /well-formed/],
  ])('%s for %s → %s', async (ip, domain, result, reason) => {
    const outcome = await checkHost(ip, domain, { resolver });
    expect(outcome.result).toBe(result);
    expect(outcome.reason).toMatch(reason);
  });

  it('explains a fail with the exp= text, expanded (RFC 7208 §6.2)', async () => {
    const outcome = await checkHost('203.0.113.1', 'exp.test', { resolver });
    expect(outcome).toMatchObject({ result: 'fail', explanation: '203.0.113.1 may not send for exp.test' });
  });
});
