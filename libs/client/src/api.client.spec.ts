import { z } from 'zod';
import { COMMON_ROUTES, defineRoute, ENGINE_ROUTES, GATEWAY_ROUTES, pageOf, PageQuerySchema } from '@auditstack/audit-core';
import { startStubServer, type StubAnswer, type StubServer } from '../test-support/stub.server';
import { createClient, encodeQuery } from './api.client';
import { ApiError, ClientError } from './client.error';
import { createCommonClient, createEngineClient, createGatewayClient } from './service.client';

const TOKEN = 'tok_secret_value_1234567890';

/** A list route of the collection shape, as a service table would declare it. */
const LIST_THINGS = defineRoute({
  operationId: 'listThings',
  method: 'GET',
  path: '/v1/projects/{project}/things',
  summary: 'things',
  tags: ['t'],
  auth: 'bearer',
  params: z.object({ project: z.string() }),
  query: PageQuerySchema.extend({ tag: z.array(z.string()).optional() }),
  response: {
    description: 'things',
    schema: pageOf(z.object({ n: z.number() })),
  },
  errors: [400],
});

const CREATE_THING = defineRoute({
  operationId: 'createThing',
  method: 'POST',
  path: '/v1/things',
  summary: 'create',
  tags: ['t'],
  auth: 'bearer',
  body: z.object({ name: z.string() }),
  response: {
    status: 201,
    description: 'created',
    schema: z.object({ id: z.string() }),
  },
  errors: [400],
});

const PROBLEM = {
  type: 'https://auditstack.dev/problems/rate-limited',
  title: 'Too many requests',
  status: 429,
  code: 'RATE_LIMITED',
  detail: 'slow down',
};

describe('createClient over route contracts (local HTTP server)', () => {
  let stub: StubServer | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });
  const serve = async (answers: StubAnswer[] | ((i: number) => StubAnswer)): Promise<StubServer> => {
    stub = await startStubServer((_, i) => (typeof answers === 'function' ? answers(i) : (answers[i] ?? { status: 500 })));
    return stub;
  };

  it('fills the path, encodes the query, sends the token on bearer routes only and parses the body with the response schema', async () => {
    const s = await serve([
      { status: 200, body: { items: [{ n: 1 }], next_cursor: null } },
      { status: 200, body: { status: 'ok', extra: 'dropped' } },
    ]);
    const client = createClient({ baseUrl: `${s.url}/`, token: TOKEN });
    const page = await client.call(LIST_THINGS, {
      params: { project: 'a b/c' },
      query: { limit: 2, tag: ['x', 'y'] },
    });
    expect(page).toEqual({ items: [{ n: 1 }], next_cursor: null });
    const ping = await client.call(COMMON_ROUTES.ping);
    expect(ping).toEqual({ status: 'ok' });
    expect(s.requests[0]!.url).toBe('/v1/projects/a%20b%2Fc/things?limit=2&tag=x&tag=y');
    expect(s.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(s.requests[1]!.headers.authorization).toBeUndefined();
  });

  it('sends the body as JSON and parses a 201', async () => {
    const s = await serve([{ status: 201, body: { id: 't-1' } }]);
    const created = await createClient({ baseUrl: s.url, token: TOKEN }).call(CREATE_THING, { body: { name: 'n' } });
    expect(created.id).toBe('t-1');
    expect(s.requests[0]!.method).toBe('POST');
    expect(s.requests[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(s.requests[0]!.body)).toEqual({ name: 'n' });
  });

  it('an error answer becomes an ApiError with the parsed problem, the status and Retry-After; the token is in no message', async () => {
    const s = await serve([
      {
        status: 429,
        headers: {
          'content-type': 'application/problem+json',
          'retry-after': '7',
        },
        body: PROBLEM,
      },
    ]);
    const error = await createClient({
      baseUrl: s.url,
      token: TOKEN,
      retry: { retries: 0 },
    })
      .call(COMMON_ROUTES.whoami)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const api = error as ApiError;
    expect([api.status, api.problem.code, api.problem.detail, api.retryAfterMs]).toEqual([429, 'RATE_LIMITED', 'slow down', 7000]);
    expect(api.message).toBe('GET /v1/whoami → 429 RATE_LIMITED: slow down');
    expect(JSON.stringify({ ...api, message: api.message, stack: api.stack })).not.toContain(TOKEN);
  });

  it('a body that is not a problem (a proxy page) becomes a problem made from the status, with a short single-line excerpt', async () => {
    const s = await serve([
      {
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: `<html>\n<body>Bad gateway ${'x'.repeat(500)}</body></html>`,
      },
    ]);
    const error = (await createClient({ baseUrl: s.url, retry: { retries: 0 } })
      .call(COMMON_ROUTES.ping)
      .catch((e: unknown) => e)) as ApiError;
    expect(error.problem.code).toBe('HTTP_502');
    expect(error.problem.detail!.length).toBeLessThanOrEqual(200);
    expect(error.problem.detail).not.toContain('\n');
  });

  it('429 with Retry-After: 1 is retried after at least a second (the backoff alone would wait ≤ 1 ms)', async () => {
    const s = await serve([
      {
        status: 429,
        headers: {
          'content-type': 'application/problem+json',
          'retry-after': '1',
        },
        body: PROBLEM,
      },
      { status: 200, body: { status: 'ok' } },
    ]);
    const delays: number[] = [];
    const ping = await createClient({
      baseUrl: s.url,
      retry: { retries: 2, baseDelayMs: 1 },
    }).call(COMMON_ROUTES.ping, { onRetry: (_, __, d) => delays.push(d) });
    expect(ping.status).toBe('ok');
    expect(delays).toEqual([1000]);
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('a 400 is not retried; a 503 is, up to `retries`, then thrown', async () => {
    const s = await serve((i) =>
      i === 0
        ? {
            status: 400,
            body: { ...PROBLEM, status: 400, code: 'VALIDATION_FAILED' },
          }
        : {
            status: 503,
            headers: { 'content-type': 'application/problem+json' },
            body: { ...PROBLEM, status: 503, code: 'OVERLOADED' },
          },
    );
    const client = createClient({
      baseUrl: s.url,
      retry: { retries: 2, baseDelayMs: 1 },
    });
    await expect(client.call(COMMON_ROUTES.ping)).rejects.toMatchObject({
      status: 400,
    });
    expect(s.requests).toHaveLength(1);
    await expect(client.call(COMMON_ROUTES.ping)).rejects.toMatchObject({
      status: 503,
      problem: { code: 'OVERLOADED' },
    });
    expect(s.requests).toHaveLength(4);
  });

  it('a cut connection is retried for a GET but not for a POST (it may have been processed)', async () => {
    const s = await serve((i) => (i === 0 || i === 2 ? 'destroy' : { status: 200, body: { status: 'ok' } }));
    const client = createClient({
      baseUrl: s.url,
      retry: { retries: 1, baseDelayMs: 1 },
    });
    expect((await client.call(COMMON_ROUTES.ping)).status).toBe('ok');
    await expect(client.call(CREATE_THING, { body: { name: 'n' } })).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(s.requests).toHaveLength(3);
  });

  it('no answer within timeoutMs → TIMEOUT', async () => {
    stub = await startStubServer(() => new Promise<StubAnswer>(() => undefined));
    await expect(
      createClient({
        baseUrl: stub.url,
        timeoutMs: 50,
        retry: { retries: 0 },
      }).call(COMMON_ROUTES.ping),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('a 2xx body that breaks the response contract → INVALID_RESPONSE naming the field', async () => {
    const s = await serve([
      {
        status: 200,
        body: {
          name: 'n',
          principal: 'p',
          entitlements: 'all',
          workspace_id: null,
        },
      },
    ]);
    const error = (await createClient({ baseUrl: s.url, token: TOKEN })
      .call(COMMON_ROUTES.whoami)
      .catch((e: unknown) => e)) as ClientError;
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.message).toContain('entitlements');
  });

  it('a missing path parameter is refused before anything is sent', async () => {
    const s = await serve([]);
    const call = createClient({ baseUrl: s.url }).call(LIST_THINGS, {
      params: {} as { project: string },
    });
    await expect(call).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: 'listThings: path parameter project is missing',
    });
    expect(s.requests).toHaveLength(0);
  });

  it('paginate follows next_cursor to the last page, keeping the filters; a repeated cursor stops it', async () => {
    const s = await serve([
      { status: 200, body: { items: [{ n: 1 }, { n: 2 }], next_cursor: 'c1' } },
      { status: 200, body: { items: [{ n: 3 }], next_cursor: 'c2' } },
      { status: 200, body: { items: [], next_cursor: null } },
      { status: 200, body: { items: [{ n: 9 }], next_cursor: 'same' } },
      { status: 200, body: { items: [{ n: 9 }], next_cursor: 'same' } },
    ]);
    const client = createClient({ baseUrl: s.url });
    const seen: number[] = [];
    for await (const item of client.paginate(LIST_THINGS, {
      params: { project: 'p' },
      query: { limit: 2 },
    }))
      seen.push(item.n);
    expect(seen).toEqual([1, 2, 3]);
    expect(s.requests.map((r) => r.url)).toEqual([
      '/v1/projects/p/things?limit=2',
      '/v1/projects/p/things?limit=2&cursor=c1',
      '/v1/projects/p/things?limit=2&cursor=c2',
    ]);
    const loop = async (): Promise<void> => {
      for await (const _ of client.paginate(LIST_THINGS, {
        params: { project: 'p' },
      }))
        void _;
    };
    await expect(loop()).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  it('a service client has one method per operationId of its table', async () => {
    const s = await serve([{ status: 200, body: { status: 'ready', checks: { database: 'up' } } }]);
    const common = createCommonClient({ baseUrl: s.url });
    expect(Object.keys(common).sort()).toEqual(['$client', 'metrics', 'paginate', 'ping', 'ready', 'whoami']);
    expect(await common.ready()).toEqual({
      status: 'ready',
      checks: { database: 'up' },
    });
  });

  it('encodeQuery leaves out undefined and null, repeats arrays and writes dates as ISO-8601', () => {
    expect(
      encodeQuery({
        a: undefined,
        b: null,
        c: [1, 2],
        d: new Date('2026-01-01T00:00:00Z'),
        e: true,
      }),
    ).toBe('?c=1&c=2&d=2026-01-01T00%3A00%3A00.000Z&e=true');
    expect(encodeQuery({})).toBe('');
  });

  it('refuses a baseUrl that is not http(s)', () => {
    expect(() => createClient({ baseUrl: 'file:///etc/passwd' })).toThrow('baseUrl: must be an http(s) URL');
  });
});

describe('service clients derived from the route tables', () => {
  it('a facade call is typed by its contract (wrong enum value, unknown operation, stray body do not compile) and sends the route it names', async () => {
    const stub = await startStubServer(() => ({
      status: 400,
      headers: { 'content-type': 'application/problem+json' },
      body: { type: 'x', title: 'bad', status: 400, code: 'VALIDATION_FAILED' },
    }));
    try {
      const gateway = createGatewayClient({ baseUrl: stub.url, token: TOKEN, retry: { retries: 0 } });
      const typeErrors = [
        // @ts-expect-error action is a lifecycle action
        () => gateway.listLifecycleEvents({ query: { action: 'teleport' } }),
        // @ts-expect-error listProjects is an engine operation, not a gateway one
        () => gateway.listProjects(),
        // @ts-expect-error whoami takes no body
        () => gateway.whoami({ body: {} }),
      ];
      expect(typeErrors).toHaveLength(3);
      await expect(gateway.listLifecycleEvents({ query: { action: 'start', limit: 5 } })).rejects.toMatchObject({
        status: 400,
        problem: { code: 'VALIDATION_FAILED' },
      });
      expect(stub.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/lifecycle-events?action=start&limit=5']);
    } finally {
      await stub.close();
    }
  });

  it('every operationId of ENGINE_ROUTES and GATEWAY_ROUTES is a method (nothing declared by hand)', () => {
    const engine = createEngineClient({ baseUrl: 'http://127.0.0.1:1' });
    const gateway = createGatewayClient({ baseUrl: 'http://127.0.0.1:1' });
    for (const id of Object.keys(ENGINE_ROUTES)) expect(typeof (engine as unknown as Record<string, unknown>)[id]).toBe('function');
    for (const id of Object.keys(GATEWAY_ROUTES)) expect(typeof (gateway as unknown as Record<string, unknown>)[id]).toBe('function');
    expect(typeof gateway.listLifecycleEvents).toBe('function');
    expect(typeof engine.getOverview).toBe('function');
  });
});
