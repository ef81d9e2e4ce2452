import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COMMON_ROUTES, ENGINE_ROUTES } from '@auditstack/audit-core';
import { callRoute, failureFromProblem, serviceClient } from './api-client.util';

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
const problem = (res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers }).end(JSON.stringify({ type: 'about:blank', title: 'x', status, ...body }));

const WHO = { name: 'ops', principal: 'ops', entitlements: ['admin'], workspace_id: null };

describe('callRoute: a route of the contract through the SDK, against a real HTTP server', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('sends the bearer token to the route path and returns the answer parsed by its response schema', async () => {
    const { server, baseUrl, seen } = await serve((_req, res) => json(res, 200, WHO));
    servers.push(server);
    const result = await callRoute(serviceClient({ baseUrl, token: 'ast_secret' }), COMMON_ROUTES.whoami);
    expect(result).toEqual({ ok: true, status: 200, data: WHO });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1/whoami', authorization: 'Bearer ast_secret' });
  });

  it('fills path parameters and posts JSON; the success status is the route’s', async () => {
    const runId = '0193a7e2-5b7c-7d3e-9a4f-2b1c3d4e5f60';
    const { server, baseUrl, seen } = await serve((_req, res) => json(res, 202, { run_id: runId, action_id: runId, requested_at: '2026-12-01T10:00:00.000Z' }));
    servers.push(server);
    const result = await callRoute(serviceClient({ baseUrl, token: 't' }), ENGINE_ROUTES.runAction, { params: { id: runId } });
    expect(result).toMatchObject({ ok: true, status: 202, data: { run_id: runId } });
    expect(seen[0]).toMatchObject({ method: 'POST', url: `/v1/actions/${runId}/run` });
  });

  it.each([
    [401, 'unauthorized', { code: 'UNAUTHORIZED', detail: 'token revoked' }, /sign in again/],
    [403, 'forbidden', { code: 'FORBIDDEN', detail: 'needs actions.write' }, /not allowed.*needs actions\.write/],
    [404, 'not-found', { code: 'PROJECT_NOT_FOUND', detail: 'project 0193 not found' }, /^project 0193 not found$/],
    [500, 'error', { code: 'INTERNAL', detail: 'Error: at x.ts:1' }, /could not answer \(HTTP 500\)/],
    [503, 'error', { code: 'STORAGE_UNAVAILABLE', detail: 'disk' }, /unavailable right now \(HTTP 503\)/],
  ])('maps a %i problem to %s with a message a person can act on', async (status, kind, body, message) => {
    const { server, baseUrl } = await serve((_req, res) => problem(res, status, body));
    servers.push(server);
    const result = await callRoute(serviceClient({ baseUrl, token: 't' }), COMMON_ROUTES.whoami);
    expect(result).toMatchObject({ ok: false, kind, status });
    expect(!result.ok && result.message).toMatch(message);
    expect(!result.ok && result.message).not.toContain('x.ts');
  });

  it('a 400 problem: its detail, and each errors[] entry as a `path: rule` line for the form', async () => {
    const { server, baseUrl } = await serve((_req, res) =>
      problem(res, 400, {
        code: 'VALIDATION_FAILED',
        detail: 'config.url: must be a URL; schedule: bad',
        errors: [
          { path: 'config.url', rule: 'must be a URL', in: 'body' },
          { path: '', rule: 'must be an object', in: 'body' },
        ],
      }),
    );
    servers.push(server);
    const body = { project_id: '0193a7e2-5b7c-7d3e-9a4f-2b1c3d4e5f60', name: 'n', action_type: 'http', schedule: '* * * * *', config: {} };
    const result = await callRoute(serviceClient({ baseUrl, token: 't' }), ENGINE_ROUTES.createAction, { body });
    expect(result).toMatchObject({
      ok: false,
      kind: 'invalid',
      status: 400,
      message: 'config.url: must be a URL; schedule: bad',
      fieldErrors: ['config.url: must be a URL', 'must be an object'],
    });
  });

  it('a 429 says when to try again (Retry-After)', async () => {
    const { server, baseUrl } = await serve((_req, res) => problem(res, 429, { code: 'RATE_LIMITED', retry_after_seconds: 7 }, { 'retry-after': '7' }));
    servers.push(server);
    const result = await callRoute(serviceClient({ baseUrl, token: 't' }), COMMON_ROUTES.whoami);
    expect(result).toMatchObject({ ok: false, kind: 'error', status: 429, message: expect.stringMatching(/busy.*in 7 s/) });
  });

  it('a 2xx body that breaks the contract is an error, not a crash', async () => {
    const { server, baseUrl } = await serve((_req, res) => json(res, 200, { who: 'nobody' }));
    servers.push(server);
    const result = await callRoute(serviceClient({ baseUrl, token: 't' }), COMMON_ROUTES.whoami);
    expect(result).toMatchObject({ ok: false, kind: 'error', message: expect.stringMatching(/contract/) });
  });

  it('gives up after the timeout, once (a page does not wait through retries)', async () => {
    const { server, baseUrl, seen } = await serve(() => undefined);
    servers.push(server);
    const result = await callRoute(serviceClient({ baseUrl, token: 't', timeoutMs: 100 }), COMMON_ROUTES.whoami);
    expect(result).toMatchObject({ ok: false, kind: 'unreachable', message: expect.stringMatching(/in time/) });
    expect(seen).toHaveLength(1);
  });

  it('reports a closed port as unreachable', async () => {
    const { server, baseUrl } = await serve((_req, res) => res.end());
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    expect(await callRoute(serviceClient({ baseUrl, token: 't' }), COMMON_ROUTES.whoami)).toMatchObject({
      ok: false,
      kind: 'unreachable',
      message: expect.stringMatching(/cannot be reached/),
    });
  });

  it('does not follow redirects (a token must never be replayed to another host)', async () => {
    const target = await serve((_req, res) => json(res, 200, WHO));
    const { server, baseUrl } = await serve((_req, res) => res.writeHead(302, { location: `${target.baseUrl}/v1/whoami` }).end());
    servers.push(server, target.server);
    expect(await callRoute(serviceClient({ baseUrl, token: 't' }), COMMON_ROUTES.whoami)).toMatchObject({ ok: false, kind: 'error', status: 302 });
    expect(target.seen).toHaveLength(0);
  });
});

describe('failureFromProblem', () => {
  it('bounds a long detail', () => {
    expect(
      failureFromProblem(404, { type: 'about:blank', title: 't', status: 404, code: 'NOT_FOUND', detail: 'x'.repeat(1000) }).message.length,
    ).toBeLessThanOrEqual(301);
  });
});
