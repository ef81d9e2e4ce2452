import type { IncomingMessage } from 'node:http';
import type { CollectorContext } from './collector-context.util';
import { isCollectorError } from './collector.error';
import { NodeDnsResolver } from './dns-resolver.util';
import { EgressPolicy, mappedIpv4, pinDestination, resolverAddressLookup, type AddressLookup, type EgressGuard } from './egress-policy.util';
import { HttpConfigSchema, collectHttp, collectHttpExchange } from './http.collector';
import { TcpPortConfigSchema, collectTcpPort } from './tcp-port.collector';
import { TlsCertConfigSchema, collectTlsCert } from './tls-cert.collector';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.util';
import { startTestHttpServer, type TestHttpServer } from './testing/http-server.util';
import { createTestPki, type TestPki } from './testing/test-pki.util';

describe('EgressPolicy', () => {
  it.each([
    ['169.254.169.254', 'the IPv4 metadata address'],
    ['169.254.0.1', 'IPv4 link-local'],
    ['fe80::1', 'IPv6 link-local'],
    ['fd00:ec2::254', 'the AWS IPv6 metadata address'],
    ['::ffff:169.254.169.254', 'the metadata address, IPv4-mapped (dotted)'],
    ['::ffff:a9fe:a9fe', 'the metadata address, IPv4-mapped (hex)'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'the metadata address, IPv4-mapped (long form)'],
  ])('denies %s (%s) by default', (address) => {
    expect(new EgressPolicy().refusal(address)).toMatch(/is denied by the egress policy/);
  });

  it.each(['127.0.0.1', '10.1.2.3', '192.168.1.1', '::1', 'fd00::1', '8.8.8.8'])(
    'allows %s by default (a self-hosted monitor watches internal hosts)',
    (address) => {
      expect(new EgressPolicy().refusal(address)).toBeUndefined();
    },
  );

  it('adds CHECK_EGRESS_DENY to the built-in denials, IPv4-mapped forms included', () => {
    const policy = new EgressPolicy({ deny: ['127.0.0.0/8'] });
    expect(policy.refusal('127.0.0.1')).toMatch(/denied/);
    expect(policy.refusal('::ffff:127.0.0.1')).toMatch(/denied/);
    expect(policy.refusal('169.254.169.254')).toMatch(/denied/);
    expect(policy.refusal('10.0.0.1')).toBeUndefined();
  });

  it('with CHECK_EGRESS_ALLOW, refuses what is outside it and still denies the metadata addresses inside it', () => {
    const policy = new EgressPolicy({ allow: ['10.0.0.0/8', '169.254.0.0/16'] });
    expect(policy.refusal('10.9.9.9')).toBeUndefined();
    expect(policy.refusal('127.0.0.1')).toMatch(/outside CHECK_EGRESS_ALLOW/);
    expect(policy.refusal('169.254.169.254')).toMatch(/denied/);
  });

  it('refuses a malformed CIDR with EGRESS_CONFIG', () => {
    expect(() => new EgressPolicy({ deny: ['10.0.0.0/33'] })).toThrow(expect.objectContaining({ code: 'EGRESS_CONFIG' }));
    expect(() => new EgressPolicy({ allow: ['example.com'] })).toThrow(expect.objectContaining({ code: 'EGRESS_CONFIG' }));
  });

  it('maps IPv4-mapped IPv6 addresses and nothing else', () => {
    expect(mappedIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(mappedIpv4('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(mappedIpv4('::1')).toBeUndefined();
    expect(mappedIpv4('64:ff9b::a9fe:a9fe')).toBeUndefined();
  });
});

describe('checks under the egress policy (local DNS and HTTP receivers)', () => {
  let dns: TestDnsServer;
  let web: TestHttpServer;
  let tlsServer: TestHttpServer;
  let pki: TestPki;
  const seen: Array<{ url: string; host: string | undefined }> = [];
  const lookups: string[] = [];
  let lookup: AddressLookup;

  const guard = (options: { deny?: string[]; allow?: string[] } = {}): EgressGuard => ({ policy: new EgressPolicy(options), lookup });
  const ctx = (egress: EgressGuard): CollectorContext => ({
    resolver: new NodeDnsResolver({ servers: [dns.server], timeoutMs: 1000, tries: 1 }),
    now: () => new Date(),
    signal: new AbortController().signal,
    egress,
  });

  beforeAll(async () => {
    pki = createTestPki(['app.test']);
    dns = await startTestDnsServer({
      'metadata.test': { A: ['169.254.169.254'] },
      'metadata6.test': { AAAA: ['fd00:ec2::254'] },
      'mixed.test': { A: ['127.0.0.1', '169.254.169.254'] },
      'app.test': { A: ['127.0.0.1'] },
      'rebind.test': { A: ['127.0.0.1'] },
    });
    const resolverLookup = resolverAddressLookup(new NodeDnsResolver({ servers: [dns.server], timeoutMs: 1000, tries: 1 }));
    lookup = async (host, signal) => {
      lookups.push(host);
      const answers = await resolverLookup(host, signal);
      // DNS rebinding: once rebind.test has been answered, it points at the metadata address.
      if (host === 'rebind.test') dns.setZone({ ...zoneWithout('rebind.test'), 'rebind.test': { A: ['169.254.169.254'] } });
      return answers;
    };
    web = await startTestHttpServer((req: IncomingMessage, res) => {
      seen.push({ url: req.url ?? '', host: req.headers.host });
      if (req.url === '/to-metadata') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (req.url === '/to-metadata-name') res.writeHead(302, { location: `http://metadata.test:${web.port}/` }).end();
      else if (req.url === '/big') res.end('x'.repeat(3 * 1024 * 1024));
      else res.end('ok');
    });
    tlsServer = await startTestHttpServer((_req, res) => res.end('ok'), pki.valid);
  });
  const zoneWithout = (name: string): Record<string, { A?: string[]; AAAA?: string[] }> => {
    const zone: Record<string, { A?: string[]; AAAA?: string[] }> = {
      'metadata.test': { A: ['169.254.169.254'] },
      'metadata6.test': { AAAA: ['fd00:ec2::254'] },
      'mixed.test': { A: ['127.0.0.1', '169.254.169.254'] },
      'app.test': { A: ['127.0.0.1'] },
    };
    delete zone[name];
    return zone;
  };
  afterAll(async () => {
    await Promise.all([dns.close(), web.close(), tlsServer.close()]);
    pki.cleanup();
  });
  beforeEach(() => {
    seen.length = 0;
    lookups.length = 0;
  });

  it('http: a name resolving to 169.254.169.254 is refused before any connection', async () => {
    const [check] = await collectHttp(HttpConfigSchema.parse({ url: `http://metadata.test:${web.port}/latest/meta-data/` }), ctx(guard()));
    expect(check).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/^request refused: egress refused for metadata\.test: 169\.254\.169\.254 is denied/),
    });
    expect(check?.evidence).toMatchObject({ egress: 'denied' });
  });

  it('http: a name resolving to the IPv6 metadata address is refused', async () => {
    const [check] = await collectHttp(HttpConfigSchema.parse({ url: `http://metadata6.test:${web.port}/` }), ctx(guard()));
    expect(check?.message).toMatch(/egress refused for metadata6\.test: fd00:ec2::254 is denied/);
  });

  it('http: a name with one allowed and one denied address is refused (any denied address refuses the name)', async () => {
    const [check] = await collectHttp(HttpConfigSchema.parse({ url: `http://mixed.test:${web.port}/` }), ctx(guard()));
    expect(check?.message).toMatch(/egress refused for mixed\.test: 169\.254\.169\.254 is denied/);
    expect(seen).toEqual([]);
  });

  it('a deny of 127.0.0.0/8 refuses loopback for http, tcp and tls, by address and by name; the receiver sees nothing', async () => {
    const deny = guard({ deny: ['127.0.0.0/8'] });
    const [http] = await collectHttp(HttpConfigSchema.parse({ url: `${web.origin}/` }), ctx(deny));
    const [byName] = await collectHttp(HttpConfigSchema.parse({ url: `http://app.test:${web.port}/` }), ctx(deny));
    const [tcp] = await collectTcpPort(TcpPortConfigSchema.parse({ host: '127.0.0.1', port: web.port }), ctx(deny));
    const [tls] = await collectTlsCert(TlsCertConfigSchema.parse({ host: 'app.test', port: tlsServer.port, ca_pem: pki.ca }), ctx(deny));
    expect(http?.message).toMatch(/egress refused for 127\.0\.0\.1: 127\.0\.0\.1 is denied/);
    expect(byName?.message).toMatch(/egress refused for app\.test: 127\.0\.0\.1 is denied/);
    expect(tcp).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/^connection refused: egress refused for 127\.0\.0\.1/),
      evidence: expect.objectContaining({ egress: 'denied' }),
    });
    expect(tls).toMatchObject({ status: 'error', message: expect.stringMatching(/not attempted: egress refused for app\.test/) });
    expect(seen).toEqual([]);
  });

  it('without a deny, the same loopback checks pass (by name: connected to the checked address, SNI and Host keep the name)', async () => {
    const [http] = await collectHttp(HttpConfigSchema.parse({ url: `http://app.test:${web.port}/` }), ctx(guard()));
    const [tcp] = await collectTcpPort(TcpPortConfigSchema.parse({ host: 'app.test', port: web.port }), ctx(guard()));
    const tls = await collectTlsCert(TlsCertConfigSchema.parse({ host: 'app.test', port: tlsServer.port, ca_pem: pki.ca }), ctx(guard()));
    expect(http).toMatchObject({ status: 'pass', evidence: expect.objectContaining({ address: '127.0.0.1' }) });
    expect(seen).toEqual([{ url: '/', host: `app.test:${web.port}` }]);
    expect(tcp?.status).toBe('pass');
    expect(tls.find((c) => c.check_id === 'tls.hostname')).toMatchObject({ status: 'pass', message: 'the certificate names app.test' });
  });

  it('DNS rebinding: the name is resolved once and the connection goes to the checked address; the rebound answer is refused next time', async () => {
    const first = await collectHttpExchange(HttpConfigSchema.parse({ url: `http://rebind.test:${web.port}/` }), ctx(guard()));
    expect(first.checks[0]).toMatchObject({ status: 'pass', evidence: expect.objectContaining({ address: '127.0.0.1' }) });
    expect(lookups).toEqual(['rebind.test']);
    expect(seen).toEqual([{ url: '/', host: `rebind.test:${web.port}` }]);
    // The zone now answers 169.254.169.254: a check that resolved twice (check, then connect) would have been moved there.
    const second = await collectHttp(HttpConfigSchema.parse({ url: `http://rebind.test:${web.port}/` }), ctx(guard()));
    expect(second[0]?.message).toMatch(/egress refused for rebind\.test: 169\.254\.169\.254 is denied/);
    const tcp = await collectTcpPort(TcpPortConfigSchema.parse({ host: 'rebind.test', port: web.port }), ctx(guard()));
    expect(tcp[0]?.message).toMatch(/egress refused for rebind\.test/);
  });

  it('redirects are checked again: to the metadata address, and to a name resolving to it', async () => {
    const [byAddress] = await collectHttp(HttpConfigSchema.parse({ url: `${web.origin}/to-metadata` }), ctx(guard()));
    expect(byAddress).toMatchObject({ status: 'error', message: expect.stringMatching(/egress refused for 169\.254\.169\.254/) });
    expect(byAddress?.evidence['redirects']).toEqual([{ status: 302, location: 'http://169.254.169.254/latest/meta-data/' }]);
    const [byName] = await collectHttp(HttpConfigSchema.parse({ url: `${web.origin}/to-metadata-name` }), ctx(guard()));
    expect(byName?.message).toMatch(/egress refused for metadata\.test/);
  });

  it('evidence keeps a bounded prefix of a large body', async () => {
    const [check] = await collectHttp(HttpConfigSchema.parse({ url: `${web.origin}/big` }), ctx(guard()));
    expect(check?.evidence).toMatchObject({ body_truncated: true });
    expect(String(check?.evidence['body_excerpt']).length).toBeLessThanOrEqual(1024);
    expect(JSON.stringify(check).length).toBeLessThan(8 * 1024);
  });

  it('pinDestination refuses without resolving when the policy is the default and the host is a metadata literal', async () => {
    const error = await pinDestination('[fd00:ec2::254]', undefined, new AbortController().signal).catch((e: unknown) => e);
    expect(isCollectorError(error, 'EGRESS_DENIED')).toBe(true);
    expect(lookups).toEqual([]);
  });
});
