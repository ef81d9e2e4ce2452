import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActionContext } from '../action-handler.util';
import { discoverActionTypes } from '../action-type-discovery.util';
import { evaluateSecurityHeaders, HttpSecurityHeadersAction, HttpSecurityHeadersConfigSchema } from './http-security-headers.action';

function serve(headers: Record<string, string>): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end('ok');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })));
}

const ctx = (signal = new AbortController().signal): ActionContext => ({
  signal,
  now: () => new Date(),
  scheduledAt: new Date(),
  trigger: 'manual',
  logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
});

const action = (url: string) => ({
  id: 'a1',
  projectId: 'p1',
  name: 'headers',
  actionType: 'http_security_headers',
  timeoutMs: 5000,
  config: HttpSecurityHeadersConfigSchema.parse({ url }),
});

describe('http_security_headers (the worked example of docs/extending.md)', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('is found by discovery, with no list to edit', () => {
    expect(discoverActionTypes()).toContain(HttpSecurityHeadersAction);
  });

  it('passes a page with the protective headers (HSTS warns on plain HTTP)', async () => {
    const { server, url } = await serve({
      'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    servers.push(server);
    const outcome = await new HttpSecurityHeadersAction().run(action(url), ctx());
    expect(outcome.status).toBe('pass');
    expect(Object.fromEntries(outcome.checks.map((c) => [c.check_id, c.status]))).toEqual({
      'headers.hsts': 'warn',
      'headers.nosniff': 'pass',
      'headers.csp': 'pass',
      'headers.framing': 'pass',
      'headers.referrer_policy': 'pass',
    });
  });

  it('fails a page without them, naming each missing header', async () => {
    const { server, url } = await serve({});
    servers.push(server);
    const outcome = await new HttpSecurityHeadersAction().run(action(url), ctx());
    expect(outcome.status).toBe('fail');
    expect(outcome.checks.filter((c) => c.status === 'fail').map((c) => c.check_id)).toEqual(['headers.nosniff', 'headers.csp', 'headers.framing']);
  });

  it('judges HSTS max-age on HTTPS responses', () => {
    const weak = evaluateSecurityHeaders('https://example.test/', new Headers({ 'strict-transport-security': 'max-age=300' }), 15_552_000, {});
    expect(weak[0]).toMatchObject({ check_id: 'headers.hsts', status: 'fail', message: 'HSTS max-age 300 is below 15552000' });
    const good = evaluateSecurityHeaders(
      'https://example.test/',
      new Headers({ 'strict-transport-security': 'max-age=31536000; includeSubDomains' }),
      15_552_000,
      {},
    );
    expect(good[0]).toMatchObject({ status: 'pass', rule: { reference: 'RFC 6797 §6.1.1' } });
  });

  it('returns an error check, not an exception, when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await new HttpSecurityHeadersAction().run(action('http://127.0.0.1:9/'), ctx(controller.signal));
    expect(outcome.status).toBe('fail');
    expect(outcome.checks[0]).toMatchObject({ check_id: 'headers.fetch', status: 'error' });
  });

  it('rejects a config that is not an http(s) URL', () => {
    expect(HttpSecurityHeadersConfigSchema.safeParse({ url: 'ftp://example.test/' }).success).toBe(false);
    expect(HttpSecurityHeadersConfigSchema.safeParse({ url: 'https://example.test/', extra: 1 }).success).toBe(false);
  });
});
