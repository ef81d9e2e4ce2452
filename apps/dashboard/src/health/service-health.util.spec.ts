import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkAllServices,
  checkReadiness,
  isSpooling,
  checkServiceHealth,
  overallState,
  pingUrlOf,
  serviceTargets,
  statusDetail,
  statusLabel,
  type ServiceHealth,
  type ServiceTarget,
} from './service-health.util';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 and an ephemeral port; records the paths it was asked for. */
async function startServer(handler: Handler): Promise<{ server: Server; baseUrl: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}`, paths };
}

async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function target(baseUrl: string): ServiceTarget {
  return { id: 'engine', name: 'Engine', baseUrl };
}

describe('checkServiceHealth against a real HTTP server', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(stopServer));
  });

  it('reports ok when /ping answers 200', async () => {
    const { server, baseUrl, paths } = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    servers.push(server);

    const health = await checkServiceHealth(target(baseUrl), { timeoutMs: 2000 });

    expect(health).toMatchObject({ state: 'ok', httpStatus: 200, pingUrl: `${baseUrl}/ping` });
    expect(paths).toEqual(['/ping']);
    expect(statusLabel(health)).toBe('ok');
    expect(statusDetail(health, 2000)).toMatch(/^Answered HTTP 200 in \d+ ms\.$/);
  });

  it('reports unhealthy with the status code when /ping answers 503', async () => {
    const { server, baseUrl } = await startServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"starting"}');
    });
    servers.push(server);

    const health = await checkServiceHealth(target(baseUrl), { timeoutMs: 2000 });

    expect(health).toMatchObject({ state: 'unhealthy', httpStatus: 503 });
    expect(statusLabel(health)).toBe('unhealthy (HTTP 503)');
  });

  it('does not follow a redirect: a 302 is not healthy', async () => {
    const { server, baseUrl } = await startServer((_req, res) => {
      res.writeHead(302, { location: '/elsewhere' }).end();
    });
    servers.push(server);

    const health = await checkServiceHealth(target(baseUrl), { timeoutMs: 2000 });

    expect(statusLabel(health)).toBe('unhealthy (HTTP 302)');
  });

  it('reports unreachable (timeout) when the server accepts but never answers', async () => {
    const { server, baseUrl } = await startServer(() => {
      // Hold the request open: the probe must give up on its own.
    });
    servers.push(server);

    const started = Date.now();
    const health = await checkServiceHealth(target(baseUrl), { timeoutMs: 150 });

    expect(health).toMatchObject({ state: 'unreachable', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(statusLabel(health)).toBe('unreachable');
    expect(statusDetail(health, 150)).toBe('No answer within 150 ms.');
  });

  it('reports unreachable (connection refused) when nothing listens on the port', async () => {
    const { server, baseUrl } = await startServer((_req, res) => res.end());
    await stopServer(server); // the port was ours a moment ago and is now closed

    const health = await checkServiceHealth(target(baseUrl), { timeoutMs: 2000 });

    expect(health).toMatchObject({ state: 'unreachable', reason: 'connection-refused' });
    expect(statusLabel(health)).toBe('unreachable');
    expect(statusDetail(health, 2000)).toMatch(/connection refused/i);
  });

  it('checks every service and keeps their order', async () => {
    const up = await startServer((_req, res) => res.writeHead(200).end('{"status":"ok"}'));
    const down = await startServer((_req, res) => res.writeHead(500).end());
    servers.push(up.server, down.server);

    const results = await checkAllServices(serviceTargets({ ENGINE_URL: up.baseUrl, GATEWAY_URL: down.baseUrl }), { timeoutMs: 2000 });

    expect(results.map((r) => [r.target.id, statusLabel(r)])).toEqual([
      ['engine', 'ok'],
      ['gateway', 'unhealthy (HTTP 500)'],
    ]);
    expect(overallState(results)).toBe('degraded');
  });
});

describe('pure helpers', () => {
  const engine = target('http://127.0.0.1:8200');
  const ok: ServiceHealth = { target: engine, pingUrl: 'x', state: 'ok', httpStatus: 200, latencyMs: 3 };
  const refused: ServiceHealth = { target: engine, pingUrl: 'x', state: 'unreachable', reason: 'connection-refused', latencyMs: 1 };

  it('builds /ping under the base URL, keeping a path prefix and dropping trailing slashes', () => {
    expect(pingUrlOf(target('http://127.0.0.1:8200/'))).toBe('http://127.0.0.1:8200/ping');
    expect(pingUrlOf(target('https://audit.example/engine//'))).toBe('https://audit.example/engine/ping');
  });

  it('summarises ok only when every service is ok', () => {
    expect(overallState([ok, ok])).toBe('ok');
    expect(overallState([ok, refused])).toBe('degraded');
    expect(overallState([refused, refused])).toBe('down');
  });
});

describe('checkReadiness (the public /ready, shown on /status)', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(stopServer));
  });

  it('a gateway spooling while PostgreSQL is down: ready, and the page says nothing is lost', async () => {
    const { server, baseUrl, paths } = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready","checks":{"database":"down","backend":"fallback_spooling"}}');
    });
    servers.push(server);
    const readiness = await checkReadiness({ id: 'gateway', name: 'Gateway', baseUrl }, { timeoutMs: 2000 });
    expect(paths).toEqual(['/ready']);
    expect(readiness).toEqual({ ready: true, checks: { database: 'down', backend: 'fallback_spooling' } });
    expect(isSpooling(readiness)).toBe(true);
  });

  it('503 NOT_READY problem keeps the checks; anything but fixed words (a URL, a host:port) is dropped, never shown', async () => {
    const problem = {
      type: 'https://auditstack.dev/problems/not-ready',
      title: 'Not ready',
      status: 503,
      detail: 'not ready: database down, redis connect ECONNREFUSED 10.0.0.5:6379',
      instance: '/ready',
      code: 'NOT_READY',
      retry_after_seconds: 5,
      checks: { database: 'down', redis: 'connect ECONNREFUSED 10.0.0.5:6379', 'postgres://u:p@db:5432': 'up' },
    };
    const { server, baseUrl } = await startServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '5' }).end(JSON.stringify(problem));
    });
    servers.push(server);
    const readiness = await checkReadiness(target(baseUrl), { timeoutMs: 2000 });
    expect(readiness).toEqual({ ready: false, checks: { database: 'down' } });
    expect(JSON.stringify(readiness)).not.toContain('10.0.0.5');
    expect(isSpooling(readiness)).toBe(false);
  });

  it('a 503 that is not the NOT_READY problem (load shedding, the pre-contract body) is null, not a verdict', async () => {
    const shedding = await startServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/problem+json' }).end(
        JSON.stringify({
          type: 'https://auditstack.dev/problems/overloaded',
          title: 'Overloaded',
          status: 503,
          code: 'OVERLOADED',
          checks: { database: 'down' },
        }),
      );
    });
    const legacy = await startServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"not_ready","checks":{"database":"down"}}');
    });
    servers.push(shedding.server, legacy.server);
    expect(await checkReadiness(target(shedding.baseUrl), { timeoutMs: 2000 })).toBeNull();
    expect(await checkReadiness(target(legacy.baseUrl), { timeoutMs: 2000 })).toBeNull();
  });

  it('a 200 that does not say ready is null', async () => {
    const { server, baseUrl } = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"starting","checks":{"database":"up"}}');
    });
    servers.push(server);
    expect(await checkReadiness(target(baseUrl), { timeoutMs: 2000 })).toBeNull();
  });

  it('no usable answer (404, not JSON, nothing listening) is null', async () => {
    const notFound = await startServer((_req, res) => res.writeHead(404).end());
    const garbage = await startServer((_req, res) => res.writeHead(200).end('<html>'));
    servers.push(notFound.server, garbage.server);
    expect(await checkReadiness(target(notFound.baseUrl), { timeoutMs: 2000 })).toBeNull();
    expect(await checkReadiness(target(garbage.baseUrl), { timeoutMs: 2000 })).toBeNull();
    await stopServer(garbage.server);
    servers.splice(servers.indexOf(garbage.server), 1);
    expect(await checkReadiness(target(garbage.baseUrl), { timeoutMs: 2000 })).toBeNull();
  });
});
