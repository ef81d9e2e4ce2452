import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PROBLEM_TYPE_BASE, ProblemSchema, problemType } from '@auditstack/audit-core';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { TEST_REDIS_URL } from '../support/services';
import { createTokens, startEngine, uniqueQueuePrefix, waitFor, type RunningEngine } from '../engine/support/engine-harness';
import { lifecycleEvent, startGateway, type GatewayHarness } from '../gateway/support/gateway-harness';
import { TcpProxy } from '../gateway/support/tcp-proxy';

const CANARY_PASSWORD = 'Canary-Pg-Passw0rd-7f3a';

/**
 * `/ready` reports the database, Redis and the backend (200 ready, 503 not);
 * `/ping` stays liveness. The public probes (`/ping`, `/ping?details=true`,
 * `/ready`, `/metrics`) and the 503 bodies of the engine's API reveal no
 * connection string, host, port, password, database name or file path —
 * neither while everything is up nor while PostgreSQL and Redis are cut.
 */
describe('public probes and storage outages', () => {
  let db: TestDatabase;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let queue: ReturnType<typeof uniqueQueuePrefix>;
  let engine: RunningEngine;
  let gateway: GatewayHarness;
  let strictGateway: NestFastifyApplication;
  let strictUrl: string;
  let admin: string;
  let secrets: string[];

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    const target = new URL(db.url);
    pgProxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const redisTarget = new URL(TEST_REDIS_URL);
    redisProxy = new TcpProxy(redisTarget.hostname, Number(redisTarget.port || 6379));
    const pgPort = await pgProxy.start();
    const redisPort = await redisProxy.start();
    const databaseUrl = `postgres://postgres:${CANARY_PASSWORD}@127.0.0.1:${pgPort}/${db.name}`;
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    secrets = [CANARY_PASSWORD, db.name, `:${pgPort}`, `:${redisPort}`, '127.0.0.1', 'postgres://', 'redis://', '/tmp/', 'ECONNREFUSED'];
    queue = uniqueQueuePrefix();
    engine = await startEngine(databaseUrl, { REDIS_URL: redisUrl, ENGINE_QUEUE_PREFIX: queue.prefix });
    gateway = await startGateway({ AUDIT_BACKEND: 'auto', AUDIT_FALLBACK_SECONDS: '1' }, { db, databaseUrl });
    strictGateway = await gateway.boot({ AUDIT_BACKEND: 'postgres' });
    strictUrl = await strictGateway.getUrl();
    admin = (await createTokens(db.url, { admin: ['admin'] })).admin!;
    // Verified by the gateway once while the database is up (its token cache serves it during the outage).
    expect((await gateway.call('/v1/whoami', admin)).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await pgProxy?.restore().catch(() => undefined);
    await redisProxy?.restore().catch(() => undefined);
    await strictGateway?.close().catch(() => undefined);
    await gateway?.close();
    await engine?.close();
    await pgProxy?.cut();
    await redisProxy?.cut();
    await queue?.cleanup();
    await db?.drop();
  });

  let probed = 0;
  /** GET `url` (within 5 s); asserts its body and headers hold none of the secrets. */
  const probe = async (url: string, token?: string): Promise<{ status: number; text: string; headers: Headers }> => {
    // A probe that hangs while a dependency is down is a failure too (a /metrics scrape once waited for Redis).
    const res = await fetch(url, { signal: AbortSignal.timeout(5000), ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
    const text = await res.text();
    probed++;
    const everything = `${text}\n${[...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n')}`;
    for (const secret of secrets) expect({ url, leaked: everything.includes(secret) ? secret : null }).toEqual({ url, leaked: null });
    return { status: res.status, text, headers: res.headers };
  };
  /** A 503 NOT_READY problem (application/problem+json, Retry-After) carrying the `checks` member; returns the checks. */
  const notReady = (res: { status: number; text: string; headers: Headers }): unknown => {
    expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status: 503, type: expect.stringMatching(/^application\/problem\+json/) });
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = JSON.parse(res.text) as Record<string, unknown>;
    const problem = ProblemSchema.parse(body);
    expect({ type: problem.type, status: problem.status, code: problem.code, retry_after_seconds: problem.retry_after_seconds }).toEqual({
      type: problemType('NOT_READY'),
      status: 503,
      code: 'NOT_READY',
      retry_after_seconds: Number(res.headers.get('retry-after')),
    });
    return body['checks'];
  };
  /** A 503 problem with Retry-After (storage out of reach), whatever its code. */
  const unavailable = (path: string, res: { status: number; text: string; headers: Headers }): void => {
    expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({
      path,
      status: 503,
      type: expect.stringMatching(/^application\/problem\+json/),
    });
    const problem = ProblemSchema.parse(JSON.parse(res.text));
    // The 5xx body redactor hides connection details, not the problem's own type URI.
    expect({ path, status: problem.status, type: problem.type.startsWith(PROBLEM_TYPE_BASE) }).toEqual({ path, status: 503, type: true });
  };
  const bases = (): Record<string, string> => ({ engine: engine.url, gateway: gateway.url, 'gateway (postgres backend)': strictUrl });

  it('all up: /ping is exactly {"status":"ok"}, /ready is 200 with every dependency up, nothing internal is shown', async () => {
    for (const [name, base] of Object.entries(bases())) {
      expect({ name, ...(await probe(`${base}/ping`)) }).toMatchObject({ name, status: 200, text: '{"status":"ok"}' });
      expect((await probe(`${base}/ping?details=true`)).status).toBe(200);
      expect((await probe(`${base}/metrics`)).status).toBe(200);
    }
    const engineReady = await probe(`${engine.url}/ready`);
    expect({ status: engineReady.status, body: JSON.parse(engineReady.text) }).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'up', redis: 'up' } },
    });
    const gatewayReady = await probe(`${gateway.url}/ready`);
    expect({ status: gatewayReady.status, body: JSON.parse(gatewayReady.text) }).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'up', backend: 'postgres' } },
    });
  });

  it('PostgreSQL and Redis cut: /ping stays ok; /ready is a 503 NOT_READY problem with checks and Retry-After (engine, postgres backend) or 200 "fallback_spooling" (auto); the engine API answers 503 problems, not 500', async () => {
    await pgProxy.cut();
    await redisProxy.cut();
    for (const base of Object.values(bases())) expect((await probe(`${base}/ping`)).text).toBe('{"status":"ok"}');

    expect(notReady(await probe(`${engine.url}/ready`))).toEqual({ database: 'down', redis: 'down' });
    expect(notReady(await probe(`${strictUrl}/ready`))).toEqual({ database: 'down', backend: 'postgres' });

    // The auto gateway takes an event (spooled), then reports the spooling — ready, nothing lost.
    expect((await gateway.call('/v1/lifecycle-events', admin, { body: [lifecycleEvent()] })).status).toBe(200);
    const spooling = await waitFor('the gateway reports fallback spooling', async () => {
      const res = await probe(`${gateway.url}/ready`);
      return res.text.includes('fallback_spooling') ? res : undefined;
    });
    expect({ status: spooling.status, body: JSON.parse(spooling.text) }).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'down', backend: 'fallback_spooling' } },
    });
    expect((await probe(`${gateway.url}/ping?details=true`)).text).toContain('"fallback_active":true');

    for (const path of ['/v1/projects', '/v1/runs', '/v1/overview']) {
      const res = await probe(`${engine.url}${path}`, admin);
      unavailable(path, res);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    // Ingest refused by the postgres backend: 503, and the body echoes no driver message.
    const refused = await fetch(`${strictUrl}/v1/lifecycle-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify([lifecycleEvent()]),
      signal: AbortSignal.timeout(5000),
    });
    const refusedBody = await refused.text();
    probed++;
    expect({ status: refused.status, leaked: secrets.filter((s) => refusedBody.includes(s)) }).toEqual({ status: 503, leaked: [] });
    expect(ProblemSchema.parse(JSON.parse(refusedBody)).code).toBe('STORAGE_UNAVAILABLE');
    for (const path of ['/v1/evidence/status', '/v1/evidence/checkpoints/latest', '/v1/admin/tokens', '/v1/markers']) {
      unavailable(path, await probe(`${gateway.url}${path}`, admin));
    }
    for (const base of Object.values(bases())) expect((await probe(`${base}/metrics`)).status).toBe(200);
  }, 30_000);

  it('restored: /ready is 200 again on both services', async () => {
    await pgProxy.restore();
    await redisProxy.restore();
    await waitFor('engine ready', async () => ((await probe(`${engine.url}/ready`)).status === 200 ? true : undefined), 15_000, 200);
    await waitFor('strict gateway ready', async () => ((await probe(`${strictUrl}/ready`)).status === 200 ? true : undefined), 15_000, 200);
    console.log(
      `public probes: ${probed} responses checked for ${secrets.length} secrets (password, database name, ports, host, schemes, paths, driver errors), 0 leaked`,
    );
  }, 30_000);
});
