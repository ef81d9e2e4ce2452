import type { IncomingMessage, ServerResponse } from 'node:http';
import { CheckSchema } from '@auditstack/audit-core';
import { HttpConfigSchema, collectHttp } from './http.collector';
import type { CollectorContext } from './collector-context.util';
import { NodeDnsResolver } from './dns-resolver.util';
import { checkById } from './testing/checks.util';
import { startTestHttpServer, type TestHttpServer } from './testing/http-server.util';
import { createTestPki, type TestPki } from './testing/test-pki.util';

function routes(req: IncomingMessage, res: ServerResponse): void {
  switch (req.url) {
    case '/ok':
      res.writeHead(200, { 'content-type': 'text/plain', server: 'test' }).end('hello world');
      return;
    case '/json':
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { items: [{ status: 'up', count: 3 }] } }));
      return;
    case '/redirect':
      res.writeHead(302, { location: '/ok' }).end();
      return;
    case '/post-redirect':
      res.writeHead(303, { location: `/echo-method` }).end();
      return;
    case '/echo-method':
      res.writeHead(200).end(req.method);
      return;
    case '/loop':
      res.writeHead(301, { location: '/loop' }).end();
      return;
    case '/fail':
      res.writeHead(503).end('down');
      return;
    case '/slow':
      setTimeout(() => res.writeHead(200).end('late'), 300);
      return;
    case '/big':
      res.writeHead(200);
      res.end(Buffer.alloc(3 * 1024 * 1024, 'a'));
      return;
    case '/hang':
      return;
    default:
      res.writeHead(404).end();
  }
}

describe('collectHttp', () => {
  let server: TestHttpServer;
  let pki: TestPki;
  const tls: Record<'valid' | 'expired' | 'wrongHost' | 'selfSigned', TestHttpServer | undefined> = {
    valid: undefined,
    expired: undefined,
    wrongHost: undefined,
    selfSigned: undefined,
  };
  const ctx = (signal?: AbortSignal): CollectorContext => ({
    resolver: new NodeDnsResolver(),
    now: () => new Date(),
    signal: signal ?? new AbortController().signal,
  });
  const run = (config: Record<string, unknown>, signal?: AbortSignal) => collectHttp(HttpConfigSchema.parse(config), ctx(signal));
  const origin = (name: keyof typeof tls): string => (tls[name]?.origin ?? '').replace('127.0.0.1', 'localhost');

  beforeAll(async () => {
    server = await startTestHttpServer(routes);
    pki = createTestPki();
    for (const name of Object.keys(tls) as Array<keyof typeof tls>) tls[name] = await startTestHttpServer(routes, pki[name]);
  });
  afterAll(async () => {
    await Promise.all([server.close(), ...Object.values(tls).map((s) => s?.close())]);
    pki.cleanup();
  });

  it('passes a 200 with the expected body text and keeps evidence', async () => {
    const checks = await run({ url: `${server.origin}/ok`, body_contains: 'hello', max_latency_ms: 5000 });
    for (const c of checks) CheckSchema.parse(c);
    expect(checks.map((c) => [c.check_id, c.status])).toEqual([
      ['http.status', 'pass'],
      ['http.body_contains', 'pass'],
      ['http.latency', 'pass'],
    ]);
    expect(checks[0]?.evidence).toMatchObject({ status: 200, headers: { 'content-type': 'text/plain', server: 'test' }, body_excerpt: 'hello world' });
  });

  it('fails an unexpected status and a missing keyword', async () => {
    const checks = await run({ url: `${server.origin}/fail`, body_contains: 'hello' });
    expect(checkById(checks, 'http.status')).toMatchObject({ status: 'fail', message: 'status 503, expected 200' });
    expect(checkById(checks, 'http.body_contains').status).toBe('fail');
    expect((await run({ url: `${server.origin}/fail`, expected_status: [200, 503] }))[0]?.status).toBe('pass');
  });

  it('asserts a JSON path', async () => {
    const ok = await run({ url: `${server.origin}/json`, json_path: { path: '$.data.items[0].status', equals: 'up' } });
    expect(checkById(ok, 'http.json_path').status).toBe('pass');
    const wrong = await run({ url: `${server.origin}/json`, json_path: { path: '$.data.items[0].count', equals: 4 } });
    expect(checkById(wrong, 'http.json_path')).toMatchObject({ status: 'fail', message: '$.data.items[0].count = 3, expected 4' });
    const missing = await run({ url: `${server.origin}/ok`, json_path: { path: 'data' } });
    expect(checkById(missing, 'http.json_path').message).toBe('the body is not JSON');
  });

  it('follows redirects, bounded, and can be told not to', async () => {
    expect((await run({ url: `${server.origin}/redirect` }))[0]).toMatchObject({
      status: 'pass',
      evidence: { redirects: [{ status: 302 }], final_url: `${server.origin}/ok` },
    });
    expect((await run({ url: `${server.origin}/redirect`, follow_redirects: false, expected_status: 302 }))[0]?.status).toBe('pass');
    expect(await run({ url: `${server.origin}/loop`, max_redirects: 3 })).toEqual([
      expect.objectContaining({ status: 'fail', message: 'more than 3 redirects' }),
    ]);
    const post = await run({ url: `${server.origin}/post-redirect`, method: 'POST', body: 'x', body_contains: 'GET' });
    expect(checkById(post, 'http.body_contains').status).toBe('pass');
  });

  it('fails the latency budget', async () => {
    expect(checkById(await run({ url: `${server.origin}/slow`, max_latency_ms: 100 }), 'http.latency').status).toBe('fail');
  });

  it('bounds the body it reads', async () => {
    const [c] = await run({ url: `${server.origin}/big` });
    expect(c?.evidence).toMatchObject({ body_truncated: true });
    expect(String(c?.evidence['body_excerpt']).length).toBeLessThanOrEqual(1024);
  });

  it('aborts a hung server within the timeout with an error check', async () => {
    const started = Date.now();
    expect(await run({ url: `${server.origin}/hang`, timeout_ms: 300 })).toEqual([
      expect.objectContaining({ status: 'error', message: expect.stringContaining('aborted') }),
    ]);
    expect(await run({ url: `${server.origin}/hang` }, AbortSignal.timeout(200))).toEqual([expect.objectContaining({ status: 'error' })]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a refused connection as an error', async () => {
    const closed = await startTestHttpServer(routes);
    await closed.close();
    expect(await run({ url: `${closed.origin}/ok` })).toEqual([expect.objectContaining({ status: 'error', message: expect.stringContaining('ECONNREFUSED') })]);
  });

  it('verifies TLS: valid passes with the test CA, expired / wrong host / self-signed fail', async () => {
    expect((await run({ url: `${origin('valid')}/ok`, ca_pem: pki.ca }))[0]).toMatchObject({
      status: 'pass',
      evidence: { tls_protocol: expect.stringMatching(/^TLSv1\.[23]$/) },
    });
    expect((await run({ url: `${origin('expired')}/ok`, ca_pem: pki.ca }))[0]).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('CERT_HAS_EXPIRED'),
    });
    expect((await run({ url: `${origin('wrongHost')}/ok`, ca_pem: pki.ca }))[0]).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('ERR_TLS_CERT_ALTNAME_INVALID'),
    });
    expect((await run({ url: `${origin('selfSigned')}/ok`, ca_pem: pki.ca }))[0]?.status).toBe('fail');
    expect((await run({ url: `${origin('selfSigned')}/ok`, verify_tls: false }))[0]?.status).toBe('pass');
  });

  it('rejects non-http URLs and applies defaults', () => {
    expect(HttpConfigSchema.safeParse({ url: 'ftp://example.com/' }).success).toBe(false);
    expect(HttpConfigSchema.safeParse({ url: 'https://example.com/', json_path: { path: '$..[*' } }).success).toBe(false);
    expect(HttpConfigSchema.parse({ url: 'https://example.com/' })).toMatchObject({
      method: 'GET',
      expected_status: 200,
      follow_redirects: true,
      max_redirects: 5,
      verify_tls: true,
    });
  });
});
