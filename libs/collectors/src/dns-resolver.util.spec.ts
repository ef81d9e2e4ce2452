import { createSocket, type Socket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { NodeDnsResolver, WireDnsResolver, isDnsServer, isVoidResult, parseDnsServer } from './dns-resolver.util';
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

describe('WireDnsResolver against the loopback test server', () => {
  let dns: TestDnsServer;
  let resolver: WireDnsResolver;

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
    resolver = new WireDnsResolver({ servers: [dns.server], timeoutMs: 1000, tries: 1 });
  });
  afterAll(() => dns.close());

  it('answers like NodeDnsResolver, and reports the TTL', async () => {
    const txt = await resolver.resolveTxt('example.test');
    expect(txt.ok && txt.answers).toEqual(expect.arrayContaining([['v=spf1 ', 'ip4:192.0.2.0/24 -all'], ['hello']]));
    expect(await resolver.resolve4('example.test')).toEqual({ ok: true, answers: ['192.0.2.1'] });
    expect(await resolver.resolve6('example.test')).toEqual({ ok: true, answers: ['2001:db8::1'] });
    expect(await resolver.resolveMx('example.test')).toEqual({ ok: true, answers: [{ priority: 10, exchange: 'mx.example.test' }] });
    expect(await resolver.resolveNs('example.test')).toEqual({ ok: true, answers: ['ns1.example.test'] });
    expect(await resolver.resolveCname('alias.example.test')).toEqual({ ok: true, answers: ['example.test'] });
    expect(await resolver.resolve4('alias.example.test')).toEqual({ ok: true, answers: ['192.0.2.1'] });
    expect(await resolver.lookup('example.test', 'A')).toEqual({ result: { ok: true, answers: ['192.0.2.1'] }, ttlSeconds: 60 });
  });

  it('types NXDOMAIN, NODATA and SERVFAIL', async () => {
    expect(await resolver.resolveTxt('missing.example.test')).toMatchObject({ ok: false, kind: 'NXDOMAIN' });
    expect(await resolver.resolveCname('example.test')).toMatchObject({ ok: false, kind: 'NODATA' });
    expect(await resolver.resolveTxt('broken.example.test')).toMatchObject({ ok: false, kind: 'SERVFAIL' });
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const result = await resolver.resolveTxt('big.example.test');
    expect(result.ok && result.answers).toHaveLength(12);
    expect(dns.queries.filter((q) => q.name === 'big.example.test').map((q) => q.transport)).toContain('tcp');
  });

  it('ends a query to a server that never answers with TIMEOUT within its timeout, per query or per resolver', async () => {
    let started = Date.now();
    expect(await resolver.resolveTxt('hang.example.test')).toMatchObject({ ok: false, kind: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1500);
    started = Date.now();
    const quick = await resolver.resolveTxt('hang.example.test', { timeoutMs: 150 });
    expect(quick).toMatchObject({ ok: false, kind: 'TIMEOUT', message: expect.stringContaining('150 ms') });
    expect(Date.now() - started).toBeLessThan(700);
  });

  it('aborts with ABORTED', async () => {
    const slow = new WireDnsResolver({ servers: [dns.server], timeoutMs: 10_000, tries: 1 });
    const started = Date.now();
    expect(await slow.resolveTxt('hang.example.test', { signal: AbortSignal.timeout(200) })).toMatchObject({ ok: false, kind: 'ABORTED' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('WireDnsResolver TTLs', () => {
  let socket: Socket;
  let server: string;
  const soa = {
    type: 'SOA' as const,
    name: 'ttl.test',
    class: 'IN' as const,
    ttl: 900,
    data: { mname: 'ns.ttl.test', rname: 'h.ttl.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 45 },
  };

  beforeAll(async () => {
    socket = createSocket('udp4');
    socket.on('message', (message, from) => {
      const query = dnsPacket.decode(message);
      const q = query.questions?.[0];
      if (!q) return;
      const base = { id: query.id, type: 'response' as const, questions: query.questions };
      let reply: dnsPacket.Packet;
      if (q.name === 'gone.ttl.test') reply = { ...base, flags: 3, authorities: [soa] };
      else if (q.name === 'empty.ttl.test') reply = { ...base, flags: 0, authorities: [{ ...soa, ttl: 20 }] };
      else if (q.name === 'old.ttl.test')
        reply = (query.additionals ?? []).some((rr) => rr.type === 'OPT')
          ? { ...base, flags: 1 } // FORMERR: a server that does not know EDNS(0)
          : { ...base, flags: 0, answers: [{ type: 'A', name: q.name, class: 'IN', ttl: 50, data: '192.0.2.9' }] };
      else if (q.name === 'www.ttl.test')
        reply = {
          ...base,
          flags: 0,
          answers: [
            { type: 'CNAME', name: 'www.ttl.test', class: 'IN', ttl: 30, data: 'host.ttl.test' },
            { type: 'A', name: 'host.ttl.test', class: 'IN', ttl: 300, data: '192.0.2.7' },
            { type: 'A', name: 'host.ttl.test', class: 'IN', ttl: 200, data: '192.0.2.8' },
            { type: 'A', name: 'elsewhere.test', class: 'IN', ttl: 5, data: '198.51.100.1' },
          ],
        };
      else return;
      // A forged answer first (wrong id), which must be ignored.
      socket.send(
        dnsPacket.encode({ ...reply, id: ((query.id ?? 0) + 1) % 65_536, answers: [{ type: 'A', name: q.name, class: 'IN', ttl: 1, data: '203.0.113.66' }] }),
        from.port,
        from.address,
      );
      socket.send(dnsPacket.encode(reply), from.port, from.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    server = `127.0.0.1:${socket.address().port}`;
  });
  afterAll(() => new Promise<void>((resolve) => socket.close(() => resolve())));

  it('is the smallest TTL of the RRset and the CNAMEs leading to it, answers elsewhere ignored', async () => {
    const resolver = new WireDnsResolver({ servers: [server], timeoutMs: 1000, tries: 1 });
    expect(await resolver.lookup('www.ttl.test', 'A')).toEqual({ result: { ok: true, answers: ['192.0.2.7', '192.0.2.8'] }, ttlSeconds: 30 });
  });

  it('asks with EDNS(0), and again without it when the server answers FORMERR', async () => {
    const resolver = new WireDnsResolver({ servers: [server], timeoutMs: 1000, tries: 1 });
    expect(await resolver.lookup('old.ttl.test', 'A')).toEqual({ result: { ok: true, answers: ['192.0.2.9'] }, ttlSeconds: 50 });
  });

  it('is the SOA negative TTL (min of its TTL and MINIMUM, RFC 2308 §5) for NXDOMAIN and NODATA', async () => {
    const resolver = new WireDnsResolver({ servers: [server], timeoutMs: 1000, tries: 1 });
    expect(await resolver.lookup('gone.ttl.test', 'TXT')).toMatchObject({ result: { ok: false, kind: 'NXDOMAIN' }, ttlSeconds: 45 });
    expect(await resolver.lookup('empty.ttl.test', 'TXT')).toMatchObject({ result: { ok: false, kind: 'NODATA' }, ttlSeconds: 20 });
  });
});

describe('parseDnsServer', () => {
  it('reads ip, ip:port, [v6]:port and bare v6; refuses names', () => {
    expect(parseDnsServer('192.0.2.53')).toEqual({ host: '192.0.2.53', port: 53 });
    expect(parseDnsServer('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseDnsServer('[::1]:5353')).toEqual({ host: '::1', port: 5353 });
    expect(parseDnsServer('2001:db8::53')).toEqual({ host: '2001:db8::53', port: 53 });
    expect(parseDnsServer('[2001:DB8:0:0::53]:5353')).toEqual({ host: '2001:db8::53', port: 5353 });
    expect(() => parseDnsServer('dns.example:53')).toThrow('IP address');
    expect(() => parseDnsServer('127.0.0.1:0')).toThrow('IP address');
    expect(() => parseDnsServer('127.0.0.1:70000')).toThrow('IP address');
    expect(() => parseDnsServer('[192.0.2.1]:53')).toThrow('IP address');
    expect(isDnsServer('[2001:db8::1]:53')).toBe(true);
    expect(isDnsServer('resolver')).toBe(false);
  });
});
