import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { CheckSchema } from '@auditstack/audit-core';
import { TlsCertConfigSchema, collectTlsCert } from './tls-cert.collector';
import type { CollectorContext } from './collector-context.util';
import { NodeDnsResolver } from './dns-resolver.util';
import { checkById } from './testing/checks.util';
import { startTestHttpServer, type TestHttpServer } from './testing/http-server.util';
import { createTestPki, type TestPki } from './testing/test-pki.util';

describe('collectTlsCert', () => {
  let pki: TestPki;
  const servers: Partial<Record<'valid' | 'expiringSoon' | 'expired' | 'wrongHost' | 'selfSigned' | 'tls13', TestHttpServer>> = {};
  const ctx = (options: { now?: Date; signal?: AbortSignal } = {}): CollectorContext => ({
    resolver: new NodeDnsResolver(),
    now: () => options.now ?? new Date(),
    signal: options.signal ?? new AbortController().signal,
  });
  const run = (name: keyof typeof servers, extra: Record<string, unknown> = {}, options: { now?: Date; signal?: AbortSignal } = {}) =>
    collectTlsCert(
      TlsCertConfigSchema.parse({ host: '127.0.0.1', port: servers[name]?.port, servername: 'localhost', ca_pem: pki.ca, ...extra }),
      ctx(options),
    );

  beforeAll(async () => {
    pki = createTestPki();
    const handler = (_req: unknown, res: { end(): void }): void => res.end();
    servers.valid = await startTestHttpServer(handler, { ...pki.valid, maxVersion: 'TLSv1.2' });
    servers.tls13 = await startTestHttpServer(handler, { ...pki.valid, minVersion: 'TLSv1.3' });
    servers.expiringSoon = await startTestHttpServer(handler, pki.expiringSoon);
    servers.expired = await startTestHttpServer(handler, pki.expired);
    servers.wrongHost = await startTestHttpServer(handler, pki.wrongHost);
    servers.selfSigned = await startTestHttpServer(handler, pki.selfSigned);
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.close()));
    pki.cleanup();
  });

  it('passes a valid certificate signed by the trusted test CA, with a summary', async () => {
    const checks = await run('valid');
    for (const c of checks) CheckSchema.parse(c);
    expect(checks.map((c) => [c.check_id, c.status])).toEqual([
      ['tls.chain', 'pass'],
      ['tls.hostname', 'pass'],
      ['tls.expiry', 'pass'],
      ['tls.protocol', 'pass'],
    ]);
    expect(checkById(checks, 'tls.chain').evidence).toMatchObject({
      subject: 'CN=localhost',
      issuer: 'CN=auditstack test CA',
      subject_alt_names: expect.stringContaining('DNS:localhost'),
      fingerprint_sha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
      protocol: 'TLSv1.2',
      chain: ['CN=auditstack test CA'],
    });
    expect(checkById(await run('tls13'), 'tls.protocol').evidence).toEqual({ protocol: 'TLSv1.3' });
  });

  it('fails TLS 1.2 when TLS 1.3 is required', async () => {
    expect(checkById(await run('valid', { min_protocol: 'TLSv1.3' }), 'tls.protocol').status).toBe('fail');
  });

  it('fails an expired certificate (chain and expiry)', async () => {
    const checks = await run('expired');
    expect(checkById(checks, 'tls.chain')).toMatchObject({ status: 'fail', message: expect.stringContaining('CERT_HAS_EXPIRED') });
    expect(checkById(checks, 'tls.expiry')).toMatchObject({ status: 'fail', message: expect.stringContaining('expired') });
  });

  it('warns inside the warning window and fails inside the failure window, by the injected clock', async () => {
    expect(checkById(await run('expiringSoon'), 'tls.expiry')).toMatchObject({ status: 'warn', evidence: { days_left: 19 } });
    const later = new Date(Date.now() + 85 * 86_400_000);
    expect(checkById(await run('valid', {}, { now: later }), 'tls.expiry')).toMatchObject({ status: 'fail', evidence: { days_left: 4 } });
  });

  it('fails a certificate for another host', async () => {
    const checks = await run('wrongHost');
    expect(checkById(checks, 'tls.hostname')).toMatchObject({ status: 'fail', message: expect.stringContaining('wrong.example') });
    expect(checkById(checks, 'tls.chain').status).toBe('pass');
  });

  it('fails an untrusted self-signed certificate', async () => {
    expect(checkById(await run('selfSigned'), 'tls.chain')).toMatchObject({ status: 'fail', message: expect.stringContaining('SELF_SIGNED') });
  });

  it('returns an error check when the server never completes the handshake', async () => {
    const silent = net.createServer(() => undefined);
    const sockets: net.Socket[] = [];
    silent.on('connection', (s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const { port } = silent.address() as AddressInfo;
    const started = Date.now();
    const checks = await collectTlsCert(TlsCertConfigSchema.parse({ host: '127.0.0.1', port, timeout_ms: 300 }), ctx());
    expect(checks).toEqual([expect.objectContaining({ check_id: 'tls.handshake', status: 'error', message: expect.stringContaining('aborted') })]);
    expect(Date.now() - started).toBeLessThan(1500);
    for (const s of sockets) s.destroy();
    silent.close();
  });
});
