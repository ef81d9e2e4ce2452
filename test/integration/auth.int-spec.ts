import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProblemSchema, type Problem } from '@auditstack/audit-core';
import { ApiTokenRepository, createDataSource } from '@auditstack/audit-core/server';
import { recordTokenChange } from '@auditstack/evidence-store';
import { bootstrapService } from '@auditstack/service-kit';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { loadGatewayConfig } from '../../apps/gateway/src/config/gateway.config';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { loadEngineConfig } from '../../apps/engine/src/config/engine.config';
import { EngineModule } from '../../apps/engine/src/engine.module';

/** The gateway and the engine booted for real on a real database, called over HTTP. */
describe('bearer-token auth (gateway and engine over HTTP)', () => {
  let db: TestDatabase;
  let gateway: NestFastifyApplication;
  let engine: NestFastifyApplication;
  let gatewayUrl: string;
  let engineUrl: string;
  let adminToken: string;
  let readerToken: string;
  const tokens = { repo: undefined as unknown as ApiTokenRepository, close: async () => undefined as void };

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn', GATEWAY_PORT: '0', ENGINE_PORT: '0' };
    gateway = await bootstrapService({
      module: GatewayModule.forRoot(loadGatewayConfig(env)),
      name: 'gateway',
      title: 'gateway',
      description: 'test',
      port: 0,
      host: '127.0.0.1',
    });
    engine = await bootstrapService({
      module: EngineModule.forRoot(loadEngineConfig(env)),
      name: 'engine',
      title: 'engine',
      description: 'test',
      port: 0,
      host: '127.0.0.1',
    });
    gatewayUrl = await gateway.getUrl();
    engineUrl = await engine.getUrl();
    const dataSource = await createDataSource({ url: db.url, applicationName: 'test', poolMax: 1 }).initialize();
    tokens.repo = new ApiTokenRepository(dataSource, recordTokenChange);
    tokens.close = () => dataSource.destroy();
    adminToken = (await tokens.repo.create({ name: 'admin', entitlements: ['admin'], actor: 'test' })).token;
    readerToken = (await tokens.repo.create({ name: 'reader', entitlements: ['events.read'], workspaceId: 'ws-1', actor: 'test' })).token;
  });

  afterAll(async () => {
    await Promise.all([gateway?.close(), engine?.close(), tokens.close()]);
    await db?.drop();
  });

  const call = (base: string, path: string, token?: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });

  it.each([
    ['gateway', () => gatewayUrl],
    ['engine', () => engineUrl],
  ])('%s: /ping and /metrics stay open', async (_name, base) => {
    const ping = await call(base(), '/ping');
    expect(ping.status).toBe(200);
    expect(await ping.json()).toEqual({ status: 'ok' });
    const metrics = await call(base(), '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('# TYPE auditstack_');
  });

  /** An RFC 9457 answer: the status, `application/problem+json`, a body that parses with ProblemSchema. */
  const problemOf = async (res: Response, status: number, code: string): Promise<Problem> => {
    expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status, type: expect.stringMatching(/^application\/problem\+json/) });
    const problem = ProblemSchema.parse(await res.json());
    expect({ status: problem.status, code: problem.code }).toEqual({ status, code });
    return problem;
  };

  it.each([
    ['gateway', () => gatewayUrl],
    ['engine', () => engineUrl],
  ])('%s: no token, a malformed token or an unknown token → 401 problem (UNAUTHENTICATED), the token never echoed', async (_name, base) => {
    const unknown = `ast_${'A'.repeat(43)}`;
    for (const token of [undefined, 'not-a-token', unknown]) {
      const res = await call(base(), '/v1/whoami', token);
      const problem = await problemOf(res, 401, 'UNAUTHENTICATED');
      expect(problem.instance).toBe('/v1/whoami');
      expect(JSON.stringify(problem)).not.toContain(unknown);
    }
    expect((await call(base(), '/v1/whoami', readerToken)).status).toBe(200);
  });

  it('whoami reports the entitlements and workspace scope of the token', async () => {
    const res = await call(gatewayUrl, '/v1/whoami', readerToken);
    expect(await res.json()).toEqual({ name: 'reader', principal: 'reader', entitlements: ['events.read'], workspace_id: 'ws-1' });
  });

  it('a token lacking the entitlement → 403 problem (FORBIDDEN) naming the entitlement', async () => {
    const res = await call(gatewayUrl, '/v1/admin/tokens', readerToken);
    const problem = await problemOf(res, 403, 'FORBIDDEN');
    expect(problem.detail).toContain('admin');
  });

  it('bad input to token creation → 400 naming the field, and nothing is stored', async () => {
    const res = await call(gatewayUrl, '/v1/admin/tokens', adminToken, {
      method: 'POST',
      body: JSON.stringify({ name: 'x', entitlements: ['events.delete'] }),
    });
    const problem = await problemOf(res, 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual([expect.objectContaining({ path: expect.stringMatching(/^entitlements/), in: 'body' })]);
    expect((await tokens.repo.list()).map((t) => t.name)).toEqual(['admin', 'reader']);
  });

  it('a created token works until it is revoked, then → 401', async () => {
    const created = await call(gatewayUrl, '/v1/admin/tokens', adminToken, {
      method: 'POST',
      body: JSON.stringify({ name: 'ci-bot', entitlements: ['events.write'] }),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; token: string };
    expect(body.token).toMatch(/^ast_/);
    expect((await call(engineUrl, '/v1/whoami', body.token)).status).toBe(200);
    // The gateway now holds it in its token cache (AUTH_CACHE_MS); revoking it there drops it at once.
    expect((await call(gatewayUrl, '/v1/whoami', body.token)).status).toBe(200);
    const revoked = await call(gatewayUrl, `/v1/admin/tokens/${body.id}`, adminToken, { method: 'DELETE' });
    expect(revoked.status).toBe(204);
    expect((await call(engineUrl, '/v1/whoami', body.token)).status).toBe(401);
    expect((await call(gatewayUrl, '/v1/whoami', body.token)).status).toBe(401);
    expect((await call(gatewayUrl, `/v1/admin/tokens/${body.id}`, adminToken, { method: 'DELETE' })).status).toBe(404);
  });

  it('the token list never includes secrets or hashes', async () => {
    const res = await call(gatewayUrl, '/v1/admin/tokens', adminToken);
    const text = await res.text();
    expect(text).toContain('"name":"admin"');
    expect(text).not.toMatch(/ast_[A-Za-z0-9_-]{43}|token_hash|tokenHash/);
  });

  it.each([
    ['gateway', () => gatewayUrl],
    ['engine', () => engineUrl],
  ])('%s: OpenAPI is served at /docs', async (_name, base) => {
    expect((await call(base(), '/docs')).status).toBe(200);
  });
});
