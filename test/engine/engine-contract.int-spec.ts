import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ENGINE_ROUTES, fillPath, ProblemSchema, type AnyRoute, type ErrorStatus } from '@auditstack/audit-core';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db';
import { createTokens, sql, startEngine, waitFor, type RunningEngine } from './support/engine-harness';

/**
 * The engine against its own contract, booted for real: every route of
 * ENGINE_ROUTES called with valid input and its body parsed with the route's
 * response schema; every documented error status produced at least once and
 * answered as an RFC 9457 problem. The table of cases is keyed by operationId:
 * a route added to the contract without a case fails the build (type) and the
 * coverage test (run time).
 */

type OperationId = keyof typeof ENGINE_ROUTES;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One HTTP call of a case. `token: null` sends none; the default is the writer's. */
interface Call {
  params?: Record<string, string | number>;
  query?: Record<string, string | number>;
  body?: unknown;
  token?: string | null;
}

/** How to call a route validly, and how to make it answer each of its route-specific error statuses. */
interface RouteCase {
  ok: () => Promise<Call> | Call;
  400?: () => Promise<Call> | Call;
  404?: () => Promise<Call> | Call;
  409?: () => Promise<Call> | Call;
  422?: () => Promise<Call> | Call;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

/**
 * Statuses a COMMON route documents that no black-box call can produce on a
 * healthy engine: the probes read nothing that can fail on demand and are
 * never shed or limited, and whoami needs no entitlement. Listed so that the
 * list cannot grow silently: the coverage test requires exactly these gaps.
 */
const NOT_PRODUCIBLE: Partial<Record<OperationId, readonly ErrorStatus[]>> = {
  ping: [500, 503],
  ready: [500],
  metrics: [500, 503],
  whoami: [403],
};

const MISSING_ID = '00000000-0000-4000-8000-00000000dead';

describe('engine contract (every route, every documented error)', () => {
  let db: TestDatabase;
  let engine: RunningEngine;
  let tokens: Record<string, string>;
  const produced = new Map<string, Set<number>>();
  const fx = { projectId: '', otherProjectId: '', actionId: '', otherActionId: '', runId: '', workbook: 'contract-wb', service: 'contract-svc', port: 0 };
  const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

  async function call(base: string, route: AnyRoute, c: Call): Promise<Answer> {
    const query = c.query ? `?${new URLSearchParams(Object.entries(c.query).map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
    const token = c.token === undefined ? tokens.writer : c.token;
    const res = await fetch(`${base}${fillPath(route.path, c.params)}${query}`, {
      method: route.method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
    });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json') && text ? (JSON.parse(text) as unknown) : undefined;
    return { status: res.status, headers: res.headers, text, body: json };
  }

  /** Asserts a problem answer with `status` and records it as produced for the route. */
  function expectProblemFor(route: AnyRoute, answer: Answer, status: ErrorStatus): Json {
    expect({ route: route.operationId, status: answer.status, body: answer.body }).toMatchObject({ route: route.operationId, status });
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = ProblemSchema.parse(answer.body);
    expect(problem.status).toBe(status);
    if (status === 400) expect(problem.errors?.length ?? 0).toBeGreaterThan(0);
    if (status === 429 || status === 503) expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    const seen = produced.get(route.operationId) ?? new Set<number>();
    seen.add(status);
    produced.set(route.operationId, seen);
    return problem;
  }

  const spec = (name: string, version?: number): Json => ({
    name,
    ...(version !== undefined ? { version } : {}),
    description: 'the engine answers on its port',
    steps: [{ id: 'port', kind: 'tcp', host: '127.0.0.1', port: fx.port }],
  });
  const httpAction = (over: Json = {}): Json => ({
    project_id: fx.projectId,
    name: unique('action'),
    action_type: 'tcp_port',
    schedule: '0 0 1 1 *',
    config: { host: '127.0.0.1', port: fx.port },
    ...over,
  });
  const post = async (path: string, body: unknown): Promise<Json> => {
    const res = await fetch(`${engine.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.writer}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as Json;
    expect({ path, status: res.status, json }).toEqual({ path, status: res.status < 300 ? res.status : 'a 2xx', json });
    return json;
  };

  const CASES: Record<OperationId, RouteCase> = {
    ping: { ok: () => ({ query: { details: 'true' }, token: null }), 400: () => ({ query: { details: 'maybe' }, token: null }) },
    ready: { ok: () => ({ token: null }) },
    metrics: { ok: () => ({ token: null }) },
    whoami: { ok: () => ({}) },
    listProjects: { ok: () => ({ query: { limit: 10 } }), 400: () => ({ query: { limit: 0 } }) },
    getProject: { ok: () => ({ params: { id: fx.projectId } }), 400: () => ({ params: { id: 'not-a-uuid' } }), 404: () => ({ params: { id: MISSING_ID } }) },
    createProject: {
      ok: () => ({ body: { name: unique('project'), description: 'created by the contract spec' } }),
      400: () => ({ body: { name: '' } }),
      409: () => ({ body: { name: 'contract-project' } }),
    },
    updateProject: {
      ok: () => ({ params: { id: fx.otherProjectId }, body: { description: unique('updated') } }),
      400: () => ({ params: { id: fx.otherProjectId }, body: {} }),
      404: () => ({ params: { id: MISSING_ID }, body: { description: 'x' } }),
      409: () => ({ params: { id: fx.otherProjectId }, body: { name: 'contract-project' } }),
    },
    deleteProject: {
      ok: async () => ({ params: { id: (await post('/v1/projects', { name: unique('doomed') })).id as string } }),
      400: () => ({ params: { id: 'nope' } }),
      404: () => ({ params: { id: MISSING_ID } }),
    },
    getProjectScorecard: {
      ok: () => ({ params: { id: fx.projectId } }),
      400: () => ({ params: { id: fx.projectId }, query: { target: '' } }),
      404: () => ({ params: { id: MISSING_ID } }),
    },
    getOverview: { ok: () => ({}) },
    listActions: { ok: () => ({ query: { project_id: fx.projectId } }), 400: () => ({ query: { project_id: 'nope' } }) },
    getAction: { ok: () => ({ params: { id: fx.actionId } }), 400: () => ({ params: { id: 'nope' } }), 404: () => ({ params: { id: MISSING_ID } }) },
    createAction: {
      ok: () => ({ body: httpAction() }),
      400: () => ({ body: httpAction({ schedule: '61 * * * *' }) }),
      409: () => ({ body: httpAction({ name: 'contract-action' }) }),
      422: () => ({ body: httpAction({ action_type: 'no_such_type' }) }),
    },
    updateAction: {
      ok: () => ({ params: { id: fx.otherActionId }, body: { description: unique('updated') } }),
      400: () => ({ params: { id: fx.otherActionId }, body: { config: { host: '127.0.0.1', port: 0 } } }),
      404: () => ({ params: { id: MISSING_ID }, body: { description: 'x' } }),
      409: () => ({ params: { id: fx.otherActionId }, body: { name: 'contract-action' } }),
      422: () => ({ params: { id: fx.otherActionId }, body: { action_type: 'no_such_type' } }),
    },
    deleteAction: {
      ok: async () => ({ params: { id: (await post('/v1/actions', httpAction())).id as string } }),
      400: () => ({ params: { id: 'nope' } }),
      404: () => ({ params: { id: MISSING_ID } }),
    },
    pauseAction: { ok: () => ({ params: { id: fx.otherActionId } }), 400: () => ({ params: { id: 'nope' } }), 404: () => ({ params: { id: MISSING_ID } }) },
    resumeAction: { ok: () => ({ params: { id: fx.otherActionId } }), 400: () => ({ params: { id: 'nope' } }), 404: () => ({ params: { id: MISSING_ID } }) },
    runAction: { ok: () => ({ params: { id: fx.otherActionId } }), 400: () => ({ params: { id: 'nope' } }), 404: () => ({ params: { id: MISSING_ID } }) },
    listActionTypes: { ok: () => ({ query: { limit: 500 } }), 400: () => ({ query: { cursor: 'not-a-cursor' } }) },
    listRuns: { ok: () => ({ query: { action_id: fx.actionId } }), 400: () => ({ query: { status: 'maybe' } }) },
    getRun: { ok: () => ({ params: { id: fx.runId } }), 400: () => ({ params: { id: 'nope' } }), 404: () => ({ params: { id: MISSING_ID } }) },
    listWorkbooks: { ok: () => ({}), 400: () => ({ query: { limit: 501 } }) },
    getWorkbookSchema: { ok: () => ({}) },
    getWorkbook: {
      ok: () => ({ params: { name: fx.workbook } }),
      400: () => ({ params: { name: 'Not A Name' } }),
      404: () => ({ params: { name: 'no-such-workbook' } }),
    },
    getWorkbookVersion: {
      ok: () => ({ params: { name: fx.workbook, version: 1 } }),
      400: () => ({ params: { name: fx.workbook, version: 0 } }),
      404: () => ({ params: { name: fx.workbook, version: 99 } }),
    },
    saveWorkbook: { ok: () => ({ body: spec(unique('wb')) }), 400: () => ({ body: { name: 'x', steps: [] } }), 409: () => ({ body: spec(fx.workbook, 1) }) },
    dryRunWorkbook: { ok: () => ({ body: spec('dry'), query: { timeout_ms: 10_000 } }), 400: () => ({ body: spec('dry'), query: { timeout_ms: 1 } }) },
    listServices: { ok: () => ({}), 400: () => ({ query: { colour: 'red' } }) },
    upsertService: {
      ok: () => ({
        params: { service_name: fx.service },
        body: { service_type: 'vm', host: 'h1.internal', compliance_workbook: 'yes', workbook_url: 'https://wiki.example.com/x' },
      }),
      400: () => ({ params: { service_name: fx.service }, body: { service_type: 'vm', compliance_workbook: 'maybe' } }),
    },
    deleteService: {
      ok: async () => {
        const name = unique('svc');
        const put = await fetch(`${engine.url}/v1/services/${name}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${tokens.writer}`, 'content-type': 'application/json' },
          body: JSON.stringify({ service_type: 'vm' }),
        });
        expect(put.status).toBe(200);
        return { params: { service_name: name } };
      },
      400: () => ({ params: { service_name: '-bad' } }),
      404: () => ({ params: { service_name: 'no-such-service' } }),
    },
  };

  const routes = Object.values(ENGINE_ROUTES) as AnyRoute[];
  const bearerRoutes = routes.filter((r) => r.auth === 'bearer');
  const writeRoutes = new Set(bearerRoutes.filter((r) => r.method !== 'GET').map((r) => r.operationId));

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    engine = await startEngine(db.url);
    fx.port = Number(new URL(engine.url).port);
    tokens = await createTokens(db.url, {
      writer: ['actions.read', 'actions.write'],
      reader: ['actions.read'],
      other: ['events.read'],
      limited: ['actions.read', 'actions.write'],
    });
    fx.projectId = (await post('/v1/projects', { name: 'contract-project' })).id as string;
    fx.otherProjectId = (await post('/v1/projects', { name: unique('project') })).id as string;
    fx.actionId = (await post('/v1/actions', httpAction({ name: 'contract-action' }))).id as string;
    fx.otherActionId = (await post('/v1/actions', httpAction())).id as string;
    await post(`/v1/workbooks`, spec(fx.workbook));
    const requested = await post(`/v1/actions/${fx.actionId}/run`, undefined);
    fx.runId = requested.run_id as string;
    await waitFor('the contract run', async () =>
      (await fetch(`${engine.url}/v1/runs/${fx.runId}`, { headers: { authorization: `Bearer ${tokens.reader}` } })).status === 200 ? true : undefined,
    );
  });

  afterAll(async () => {
    await engine?.close();
    await db?.drop();
  });

  it('has a case for every route of ENGINE_ROUTES, and no other', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(ENGINE_ROUTES).sort());
  });

  it.each(routes.map((r) => [r.operationId, r] as const))('%s answers valid input with its declared status and schema', async (_id, route) => {
    const c = await CASES[route.operationId as OperationId].ok();
    const answer = await call(engine.url, route, c);
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: route.response.status ?? 200 });
    if (route.response.schema) {
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      const parsed = route.response.schema.safeParse(answer.body);
      expect(parsed.error?.issues ?? []).toEqual([]);
    } else if (route.response.contentType) {
      expect(answer.headers.get('content-type')).toBe(route.response.contentType);
      expect(answer.text.length).toBeGreaterThan(0);
    } else {
      expect(answer.text).toBe('');
    }
  });

  it.each(
    routes
      .filter((r) => r.response.schema && 'shape' in r.response.schema && 'next_cursor' in (r.response.schema as unknown as { shape: object }).shape)
      .map((r) => [r.operationId, r] as const),
  )('%s pages by opaque keyset cursors: limit=1 walks every item once, in the order of one big page', async (_id, route) => {
    const base = (await CASES[route.operationId as OperationId].ok()).query ?? {};
    const all = (await call(engine.url, route, { query: { ...base, limit: 500 } })).body as { items: unknown[]; next_cursor: string | null };
    expect(all.next_cursor).toBeNull();
    const walked: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: Answer = await call(engine.url, route, { query: { ...base, limit: 1, ...(cursor ? { cursor } : {}) } });
      expect(page.status).toBe(200);
      const body = route.response.schema!.parse(page.body) as { items: unknown[]; next_cursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(1);
      walked.push(...body.items);
      cursor = body.next_cursor;
      expect(walked.length).toBeLessThanOrEqual(all.items.length);
    } while (cursor);
    expect(walked).toEqual(all.items);
    expect(all.items.length).toBeGreaterThan(0);
  });

  it.each(routes.map((r) => [r.operationId, r] as const))(
    '%s answers each route-specific error (400/404/409/422) and 401/403 as problems',
    async (_id, route) => {
      const c = CASES[route.operationId as OperationId];
      for (const status of [400, 404, 409, 422] as const) {
        const make = c[status];
        if (!route.errors.includes(status)) {
          expect({ route: route.operationId, undocumented: status, hasCase: make !== undefined }).toEqual({
            route: route.operationId,
            undocumented: status,
            hasCase: false,
          });
          continue;
        }
        expect({ route: route.operationId, status, hasCase: make !== undefined }).toEqual({ route: route.operationId, status, hasCase: true });
        const problem = expectProblemFor(route, await call(engine.url, route, await make!()), status);
        if (status === 400)
          expect(problem.errors[0]).toEqual(expect.objectContaining({ path: expect.any(String), rule: expect.any(String), in: expect.any(String) }));
      }
      if (route.auth === 'bearer') {
        const ok = await c.ok();
        expectProblemFor(route, await call(engine.url, route, { ...ok, token: null }), 401);
        expectProblemFor(route, await call(engine.url, route, { ...ok, token: 'ast_not_a_real_token' }), 401);
        if (route.errors.includes(403) && route.operationId !== 'whoami') {
          const forbidden = expectProblemFor(
            route,
            await call(engine.url, route, { ...ok, token: writeRoutes.has(route.operationId) ? tokens.reader : tokens.other }),
            403,
          );
          expect(forbidden.code).toBe('FORBIDDEN');
        }
      }
    },
  );

  it('429 with Retry-After on every authenticated route once a token spends its RATE_LIMIT_PER_MINUTE; probes are never limited', async () => {
    const limited = await startEngine(db.url, { RATE_LIMIT_PER_MINUTE: '3', SHED_EVENT_LOOP_DELAY_MS: '0' });
    try {
      const whoami = ENGINE_ROUTES.whoami;
      for (let i = 0; i < 3; i++) expect((await call(limited.url, whoami, { token: tokens.limited })).status).toBe(200);
      for (const route of bearerRoutes) {
        const ok = await CASES[route.operationId as OperationId].ok();
        const problem = expectProblemFor(route, await call(limited.url, route, { ...ok, token: tokens.limited }), 429);
        expect(problem.code).toBe('RATE_LIMITED');
      }
      expect((await call(limited.url, ENGINE_ROUTES.ready, { token: tokens.limited })).status).toBe(200);
      // Another token is counted on its own.
      expect((await call(limited.url, whoami, { token: tokens.reader })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('503 OVERLOADED with Retry-After on every authenticated route while the event loop lags past SHED_EVENT_LOOP_DELAY_MS; probes are not shed', async () => {
    // A threshold of 1 ms: the lag our block adds to the sampled mean (block ÷ samples in the window) is well above it.
    const shedding = await startEngine(db.url, { SHED_EVENT_LOOP_DELAY_MS: '1', RATE_LIMIT_PER_MINUTE: '0' });
    try {
      const pending = new Set(bearerRoutes.map((r) => r.operationId));
      const calls = new Map<string, Call>();
      for (const route of bearerRoutes) calls.set(route.operationId, await CASES[route.operationId as OperationId].ok());
      for (let round = 0; round < 10 && pending.size > 0; round++) {
        // Block the loop past one sampling interval (1 s): the sampler's overdue timer
        // fires before ours (timers run in expiry order), so the lag is recorded when we go on.
        const until = Date.now() + 1100;
        while (Date.now() < until);
        await new Promise<void>((resolve) => setTimeout(resolve, 1));
        const answers = await Promise.all(
          bearerRoutes.filter((r) => pending.has(r.operationId)).map(async (r) => [r, await call(shedding.url, r, calls.get(r.operationId)!)] as const),
        );
        for (const [route, answer] of answers) {
          if (answer.status !== 503) continue;
          expect(expectProblemFor(route, answer, 503).code).toBe('OVERLOADED');
          pending.delete(route.operationId);
        }
        expect((await call(shedding.url, ENGINE_ROUTES.ping as AnyRoute, { token: null })).status).toBe(200);
      }
      expect([...pending]).toEqual([]);
    } finally {
      await shedding.close();
    }
  });

  it('503 NOT_READY from /ready while the database refuses connections', async () => {
    const admin = new Client({ connectionString: testDatabaseUrl('postgres') });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db.name]);
      const route = ENGINE_ROUTES.ready as AnyRoute;
      const answer = await waitFor('the readiness probe to fail', async () => {
        const res = await call(engine.url, route, { token: null });
        return res.status === 503 ? res : undefined;
      });
      expect(expectProblemFor(route, answer, 503).code).toBe('NOT_READY');
    } finally {
      await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await waitFor('the engine to be ready again', async () =>
      (await call(engine.url, ENGINE_ROUTES.ready as AnyRoute, { token: null })).status === 200 ? true : undefined,
    );
  });

  it('500 INTERNAL on every authenticated route when its storage is broken (the audit schema is gone), naming nothing of it', async () => {
    const calls = new Map<string, Call>();
    for (const route of bearerRoutes) calls.set(route.operationId, await CASES[route.operationId as OperationId].ok());
    const client = await sql(db.url);
    try {
      await client.query('ALTER SCHEMA audit RENAME TO audit_gone');
      for (const route of bearerRoutes) {
        const ok = calls.get(route.operationId)!;
        const problem = expectProblemFor(route, await call(engine.url, route, ok), 500);
        expect(problem.code).toBe('INTERNAL');
        expect(JSON.stringify(problem)).not.toMatch(/audit\.|relation|postgres/i);
      }
    } finally {
      await client.query('ALTER SCHEMA audit_gone RENAME TO audit');
      await client.end();
    }
  });

  it('produced every documented error status of every route (except the listed probe gaps)', () => {
    const missing: Record<string, number[]> = {};
    for (const route of routes) {
      const seen = produced.get(route.operationId) ?? new Set<number>();
      const gaps = route.errors.filter((s) => !seen.has(s));
      if (gaps.length > 0) missing[route.operationId] = [...new Set(gaps)].sort();
    }
    expect(missing).toEqual(Object.fromEntries(Object.entries(NOT_PRODUCIBLE).map(([id, statuses]) => [id, [...statuses].sort()])));
  });
});
