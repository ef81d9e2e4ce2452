import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiFetch, failureFromStatus } from './api-client.util';
import { parserOf, WhoamiSchema } from './api-shapes.schema';

/** A real HTTP server on loopback that records what it was asked. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const seen: { method?: string; url?: string; authorization?: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      handler(req, res, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('apiFetch against a real HTTP server', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('sends the bearer token and returns parsed data', async () => {
    const { server, baseUrl, seen } = await serve((_req, res) => json(res, 200, { name: 'ops', principal: 'ops', entitlements: ['admin'], workspace_id: null }));
    servers.push(server);
    const result = await apiFetch({ baseUrl, path: '/v1/whoami', token: 'ast_secret', parse: parserOf(WhoamiSchema) });
    expect(result).toEqual({ ok: true, status: 200, data: { name: 'ops', principal: 'ops', entitlements: ['admin'], workspace_id: null } });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1/whoami', authorization: 'Bearer ast_secret' });
  });

  it('posts JSON and accepts an empty 204', async () => {
    const { server, baseUrl, seen } = await serve((_req, res) => res.writeHead(204).end());
    servers.push(server);
    const result = await apiFetch({ baseUrl, path: '/v1/actions/a/pause', token: 't', method: 'POST', body: { x: 1 } });
    expect(result).toMatchObject({ ok: true, status: 204 });
    expect(seen[0]).toMatchObject({ method: 'POST', body: '{"x":1}' });
  });

  it.each([
    [401, 'unauthorized', /sign in again/],
    [403, 'forbidden', /not allowed.*needs actions\.write/],
    [404, 'not-found', /Cannot GET/],
    [500, 'error', /could not answer \(HTTP 500\)/],
    [503, 'error', /HTTP 503/],
  ])('maps HTTP %i to %s with a friendly message', async (status, kind, message) => {
    const body = status === 403 ? { statusCode: 403, message: 'needs actions.write' } : status === 404 ? { message: 'Cannot GET /v1/overview' } : { stack: 'Error: at x.ts:1' };
    const { server, baseUrl } = await serve((_req, res) => json(res, status, body));
    servers.push(server);
    const result = await apiFetch({ baseUrl, path: '/x', token: 't' });
    expect(result).toMatchObject({ ok: false, kind, status });
    expect(!result.ok && result.message).toMatch(message);
    expect(!result.ok && result.message).not.toContain('x.ts');
  });

  it('keeps the field errors of a 400', async () => {
    const { server, baseUrl } = await serve((_req, res) =>
      json(res, 400, { statusCode: 400, message: 'config.url: must be a URL; schedule: bad', errors: ['config.url: must be a URL', 'schedule: bad'] }),
    );
    servers.push(server);
    const result = await apiFetch({ baseUrl, path: '/v1/actions', token: 't', method: 'POST', body: {} });
    expect(result).toMatchObject({ ok: false, kind: 'invalid', fieldErrors: ['config.url: must be a URL', 'schedule: bad'] });
  });

  it('reports a body of the wrong shape as an error, not a crash', async () => {
    const { server, baseUrl } = await serve((_req, res) => json(res, 200, { who: 'nobody' }));
    servers.push(server);
    const result = await apiFetch({ baseUrl, path: '/v1/whoami', token: 't', parse: parserOf(WhoamiSchema) });
    expect(result).toMatchObject({ ok: false, kind: 'error', message: expect.stringMatching(/shape/) });
  });

  it('reports a non-JSON 200 as an error', async () => {
    const { server, baseUrl } = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    servers.push(server);
    expect(await apiFetch({ baseUrl, path: '/', token: 't' })).toMatchObject({ ok: false, kind: 'error' });
  });

  it('gives up after the timeout', async () => {
    const { server, baseUrl } = await serve(() => undefined);
    servers.push(server);
    const result = await apiFetch({ baseUrl, path: '/slow', token: 't', timeoutMs: 100 });
    expect(result).toMatchObject({ ok: false, kind: 'unreachable', message: expect.stringMatching(/in time/) });
  });

  it('reports a closed port as unreachable', async () => {
    const { server, baseUrl } = await serve((_req, res) => res.end());
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    expect(await apiFetch({ baseUrl, path: '/', token: 't' })).toMatchObject({ ok: false, kind: 'unreachable', message: expect.stringMatching(/cannot be reached/) });
  });

  it('does not follow redirects (a token must never be replayed to another host)', async () => {
    const { server, baseUrl } = await serve((_req, res) => res.writeHead(302, { location: 'http://example.invalid/' }).end());
    servers.push(server);
    expect(await apiFetch({ baseUrl, path: '/', token: 't' })).toMatchObject({ ok: false, kind: 'error', status: 302 });
  });
});

describe('failureFromStatus', () => {
  it('splits a joined validation message back into field lines when errors[] is absent', () => {
    expect(failureFromStatus(400, { message: 'config.url: must be a URL; name: too long' }).fieldErrors).toEqual(['config.url: must be a URL', 'name: too long']);
  });

  it('bounds a long service message', () => {
    expect(failureFromStatus(404, { message: 'x'.repeat(1000) }).message.length).toBeLessThanOrEqual(301);
  });
});
