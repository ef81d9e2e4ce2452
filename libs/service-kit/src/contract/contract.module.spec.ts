import 'reflect-metadata';
import { Body, Controller, Get, Module, Param, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import SwaggerParser from '@apidevtools/swagger-parser';
import { z } from 'zod';
import {
  AUTHENTICATED_ERRORS,
  defineRoute,
  DomainError,
  PageQuerySchema,
  pageOf,
  ProblemSchema,
  type RouteBody,
  type RouteQuery,
  type RouteResult,
} from '@auditstack/audit-core';
import { ContractRoute } from './contract-route.decorator';
import { ContractModule } from './contract.module';
import { registerHttpProtection } from './http-protection.util';
import { buildOpenApiDocument } from './openapi-document.util';

const Item = z.object({ id: z.string(), size: z.number().int() }).meta({ id: 'Item' });
const ROUTES = {
  listItems: defineRoute({
    operationId: 'listItems',
    method: 'GET',
    path: '/v1/items',
    summary: 'List items',
    tags: ['items'],
    auth: 'bearer',
    query: PageQuerySchema.extend({ kind: z.enum(['a', 'b']).optional() }),
    response: { description: 'A page of items.', schema: pageOf(Item) },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
  getItem: defineRoute({
    operationId: 'getItem',
    method: 'GET',
    path: '/v1/items/{id}',
    summary: 'One item',
    tags: ['items'],
    auth: 'bearer',
    params: z.object({ id: z.string().regex(/^[a-z]{1,8}$/) }),
    response: { description: 'The item.', schema: Item },
    errors: [400, 404, ...AUTHENTICATED_ERRORS],
  }),
  createItem: defineRoute({
    operationId: 'createItem',
    method: 'POST',
    path: '/v1/items',
    summary: 'Create an item',
    tags: ['items'],
    auth: 'bearer',
    body: z.strictObject({ id: z.string().min(1), size: z.number().int().min(0) }),
    response: { status: 201, description: 'Created.', schema: Item },
    errors: [400, 409, 413, 415, ...AUTHENTICATED_ERRORS],
  }),
} as const;
const ERRORS = { ITEM_NOT_FOUND: { status: 404, title: 'Item not found' } } as const;

@Controller()
class ItemsController {
  @ContractRoute(ROUTES.listItems)
  list(@Query() q: RouteQuery<typeof ROUTES.listItems>): RouteResult<typeof ROUTES.listItems> {
    // `secret` is not in the contract: it must never leave.
    const items = Array.from({ length: q.limit }, (_, i) => ({ id: `i${i}`, size: i, secret: 'hunter2' }));
    return { items, next_cursor: null };
  }

  @ContractRoute(ROUTES.getItem)
  get(@Param() p: { id: string }): RouteResult<typeof ROUTES.getItem> {
    if (p.id === 'missing') throw new DomainError('ITEM_NOT_FOUND', `no item ${p.id}`);
    if (p.id === 'crash') throw new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
    if (p.id === 'wrong') return { id: 'wrong', size: 'big' } as unknown as RouteResult<typeof ROUTES.getItem>;
    return { id: p.id, size: 1 };
  }

  @ContractRoute(ROUTES.createItem)
  create(@Body() b: RouteBody<typeof ROUTES.createItem>): RouteResult<typeof ROUTES.createItem> {
    if (b.id === 'taken') throw new DomainError('CONFLICT', 'item taken exists');
    return b;
  }
}

const OPTIONS = { title: 'test', description: 'test service', version: '1.0.0', routes: ROUTES, errors: ERRORS };

async function boot(
  extra: { rateLimitPerMinute?: number; controllers?: Array<new () => unknown>; routes?: typeof ROUTES } = {},
): Promise<NestFastifyApplication> {
  const options = { ...OPTIONS, routes: extra.routes ?? ROUTES, rateLimitPerMinute: extra.rateLimitPerMinute ?? 0, shedEventLoopDelayMs: 0 };
  @Module({ imports: [ContractModule.forRoot(options)], controllers: extra.controllers ?? [ItemsController] })
  class TestModule {}
  const app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter({ bodyLimit: 1024 }), { logger: false, abortOnError: false });
  await registerHttpProtection(app, options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

async function call(
  app: NestFastifyApplication,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; type: string; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${await app.getUrl()}${path}`, init);
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: res.headers,
  };
}

describe('the contract layer (ContractModule, ContractInterceptor, ProblemFilter)', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await boot();
  });
  afterAll(async () => {
    await app.close();
  });

  it('serialises a response through its schema: defaults applied, keys outside the contract dropped', async () => {
    const res = await call(app, '/v1/items?limit=2');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        { id: 'i0', size: 0 },
        { id: 'i1', size: 1 },
      ],
      next_cursor: null,
    });
  });

  it('a bad query is a 400 problem naming each field and rule', async () => {
    const res = await call(app, '/v1/items?limit=0&kind=c');
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^application\/problem\+json/);
    const problem = ProblemSchema.parse(res.body);
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', type: 'https://auditstack.dev/problems/validation-failed', instance: '/v1/items' });
    expect(problem.errors?.map((e) => [e.path, e.in])).toEqual([
      ['limit', 'query'],
      ['kind', 'query'],
    ]);
  });

  it('a bad path parameter and a bad body are 400 problems naming the field', async () => {
    const path = await call(app, '/v1/items/UPPER');
    expect(path.status).toBe(400);
    expect(ProblemSchema.parse(path.body).errors?.[0]).toMatchObject({ path: 'id', in: 'path' });
    const body = await call(app, '/v1/items', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'x', size: -1, extra: 1 }),
    });
    expect(body.status).toBe(400);
    expect(ProblemSchema.parse(body.body).errors?.map((e) => e.in)).toEqual(['body', 'body']);
  });

  it('domain errors map through the error table; unknown codes and crashes are 500s that say nothing of internals', async () => {
    const missing = await call(app, '/v1/items/missing');
    expect(missing.status).toBe(404);
    expect(ProblemSchema.parse(missing.body)).toMatchObject({
      code: 'ITEM_NOT_FOUND',
      title: 'Item not found',
      detail: 'no item missing',
      type: 'https://auditstack.dev/problems/item-not-found',
    });
    const conflict = await call(app, '/v1/items', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'taken', size: 1 }),
    });
    expect(conflict.status).toBe(409);
    const crash = await call(app, '/v1/items/crash');
    expect(crash.status).toBe(500);
    expect(ProblemSchema.parse(crash.body).code).toBe('INTERNAL');
    expect(JSON.stringify(crash.body)).not.toMatch(/10\.0\.0\.5|hunter2|ECONNREFUSED/);
  });

  it('a response that does not match its contract is never sent: 500 RESPONSE_CONTRACT_VIOLATION', async () => {
    const res = await call(app, '/v1/items/wrong');
    expect(res.status).toBe(500);
    expect(ProblemSchema.parse(res.body).code).toBe('RESPONSE_CONTRACT_VIOLATION');
    expect(JSON.stringify(res.body)).not.toContain('big');
  });

  it("Fastify's own errors are problems too: unknown route 404, bad JSON 400, too large 413, wrong media type 415", async () => {
    const unknown = await call(app, '/v1/nothing');
    expect([unknown.status, ProblemSchema.parse(unknown.body).code]).toEqual([404, 'NOT_FOUND']);
    const badJson = await call(app, '/v1/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":' });
    expect([badJson.status, ProblemSchema.parse(badJson.body).code]).toEqual([400, 'MALFORMED_BODY']);
    const large = await call(app, '/v1/items', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'x'.repeat(2000), size: 1 }),
    });
    expect([large.status, ProblemSchema.parse(large.body).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const media = await call(app, '/v1/items', { method: 'POST', headers: { 'content-type': 'application/x-unknown' }, body: 'x' });
    expect([media.status, ProblemSchema.parse(media.body).code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    for (const res of [unknown, badJson, large, media]) expect(res.type).toMatch(/^application\/problem\+json/);
  });
});

describe('per-token rate limit', () => {
  it('answers 429 with Retry-After as a problem once a token spends its budget; other tokens are unaffected', async () => {
    const app = await boot({ rateLimitPerMinute: 3 });
    try {
      const a = { headers: { authorization: 'Bearer token-a' } };
      for (let i = 0; i < 3; i++) expect((await call(app, '/v1/items?limit=1', a)).status).toBe(200);
      const limited = await call(app, '/v1/items?limit=1', a);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(ProblemSchema.parse(limited.body)).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
      expect(JSON.stringify(limited.body)).not.toContain('token-a');
      expect((await call(app, '/v1/items?limit=1', { headers: { authorization: 'Bearer token-b' } })).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('load shedding', () => {
  it('answers 503 with Retry-After as a problem while the event loop lags; probes are not shed', async () => {
    const options = { ...OPTIONS, routes: ROUTES, rateLimitPerMinute: 0, shedEventLoopDelayMs: 50 };
    @Module({ imports: [ContractModule.forRoot(options)], controllers: [ItemsController] })
    class ShedModule {}
    const app = await NestFactory.create<NestFastifyApplication>(ShedModule, new FastifyAdapter(), { logger: false, abortOnError: false });
    await registerHttpProtection(app, { ...options, shedSampleIntervalMs: 200 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect((await call(app, '/v1/items?limit=1')).status).toBe(200);
      // Block the event loop well past the threshold; the sampler's overdue timer fires
      // before ours (timers run in expiry order), so the lag is recorded when we go on.
      const until = Date.now() + 600;
      while (Date.now() < until);
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      const shed = await call(app, '/v1/items?limit=1');
      expect(shed.status).toBe(503);
      expect(shed.headers.get('retry-after')).toBe('2');
      expect(ProblemSchema.parse(shed.body)).toMatchObject({ code: 'OVERLOADED', status: 503, instance: '/v1/items' });
      expect((await call(app, '/ping')).status).not.toBe(503);
    } finally {
      await app.close();
    }
  });
});

describe('boot coverage check', () => {
  it('refuses to start when a contract route has no handler', async () => {
    const routes = { ...ROUTES, extra: defineRoute({ ...ROUTES.getItem, operationId: 'extra', path: '/v1/extra' }) } as unknown as typeof ROUTES;
    await expect(boot({ routes })).rejects.toThrow(/route extra has no handler/);
  });

  it('refuses to start when a handler has no contract', async () => {
    @Controller()
    class Stray {
      @Get('/v1/stray')
      list(): unknown {
        return { items: [], next_cursor: null };
      }
    }
    await expect(boot({ controllers: [ItemsController, Stray] })).rejects.toThrow(/Stray\.list has no @ContractRoute/);
  });
});

describe('buildOpenApiDocument', () => {
  it('builds a valid OpenAPI 3.1 document with components for bodies, parameters, problems and the bearer scheme', async () => {
    const document = buildOpenApiDocument({ ...OPTIONS });
    expect(JSON.stringify(buildOpenApiDocument({ ...OPTIONS }))).toBe(JSON.stringify(document));
    await SwaggerParser.validate(structuredClone(document) as never);
    const components = document.components as Record<string, Record<string, unknown>>;
    expect(Object.keys(components.schemas!)).toEqual(expect.arrayContaining(['Item', 'Problem', 'CreateItemRequest', 'ListItemsResponse']));
    expect(Object.keys(components.parameters!)).toEqual(expect.arrayContaining(['query.limit', 'query.cursor', 'path.id']));
    expect(Object.keys(components.responses!)).toEqual(expect.arrayContaining(['ProblemBadRequest', 'ProblemNotFound', 'ProblemTooManyRequests']));
    expect(components.securitySchemes).toEqual({ bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    const get = document.paths['/v1/items/{id}']!.get as Record<string, unknown>;
    expect(Object.keys(get.responses as object)).toEqual(['200', '400', '401', '403', '404', '429', '500', '503']);
  });
});
