import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client, Pool } from 'pg';
import {
  ALL_ENTITLEMENTS,
  GATEWAY_ROUTES,
  K8S_AUDIT_EVENT_LIST_EXAMPLE,
  PROBLEM_CONTENT_TYPE,
  ProblemSchema,
  type AnyRoute,
  type ErrorStatus,
} from '@auditstack/audit-core';
import { EvidenceService, type SqlPool } from '@auditstack/evidence-store';
import { lifecycleEvent, startGatewayBehindProxy, toolEvent, type GatewayHarness } from './support/gateway-harness';
import type { TcpProxy } from './support/tcp-proxy';

/**
 * The gateway's HTTP contract, route by route, against a gateway booted for
 * real: every route of GATEWAY_ROUTES answers a valid request with a body its
 * response schema parses, and every error status it documents is produced
 * once and answered as an RFC 9457 problem (application/problem+json, parsed
 * by ProblemSchema, `status` equal to the HTTP status). The table below is
 * iterated from GATEWAY_ROUTES: a route (or a documented status) without a
 * case fails the first test.
 */

type OperationId = keyof typeof GATEWAY_ROUTES;

/** One request: path (with query), method, JSON body or raw text with its media type, extra headers. */
interface Req {
  readonly path: string;
  readonly method?: string;
  readonly body?: unknown;
  readonly raw?: { readonly text: string; readonly contentType: string };
  readonly headers?: Readonly<Record<string, string>>;
}

/** When an error case can be produced: before the first checkpoint, in the main phase, against the rate-limited gateway, or while PostgreSQL is cut off. */
type Phase = 'fresh' | 'main' | 'limited' | 'outage';

interface RouteCase {
  /** A valid request (called with a token holding every entitlement, in the main phase). */
  readonly ok: () => Req | Promise<Req>;
  /** Route-specific error cases: the status and how to provoke it. 401, 403, 429 and 503 are generic (derived from `ok`). */
  readonly errors?: Partial<Record<ErrorStatus, { readonly phase?: Phase; readonly req: () => Req | Promise<Req> }>>;
}

/**
 * Statuses a route documents that no request can provoke on purpose: a 500 is
 * a bug (RESPONSE_CONTRACT_VIOLATION, INTERNAL), and the liveness probe and
 * the metrics scrape are exempt from load shedding, so they never answer 503.
 */
const UNREACHABLE: ReadonlyArray<readonly [OperationId | '*', ErrorStatus]> = [
  ['*', 500],
  ['ping', 503],
  ['metrics', 503],
];

const unreachable = (op: OperationId, status: ErrorStatus): boolean => UNREACHABLE.some(([o, s]) => (o === '*' || o === op) && s === status);

describe('the gateway HTTP contract: every route, every documented status', () => {
  let gw: GatewayHarness & { proxy: TcpProxy };
  let limited: NestFastifyApplication;
  let limitedUrl: string;
  let pool: Pool;
  const tokens: Record<'root' | 'nobody' | 'limited' | 'fresh', string> = { root: '', nobody: '', limited: '', fresh: '' };
  /** Facts the requests need, filled as the phases go. */
  const state = { checkpointSize: 0, uncoveredSeq: 0 };

  const CASES: Record<OperationId, RouteCase> = {
    ping: { ok: () => ({ path: '/ping?details=true' }), errors: { 400: { req: () => ({ path: '/ping?details=maybe' }) } } },
    ready: { ok: () => ({ path: '/ready' }) },
    metrics: { ok: () => ({ path: '/metrics' }) },
    whoami: { ok: () => ({ path: '/v1/whoami' }) },
    ingestLifecycleEvents: {
      ok: () => ({ path: '/v1/lifecycle-events', method: 'POST', body: [lifecycleEvent({ event_id: randomUUID() }), { action: 'teleport' }] }),
      errors: {
        400: { req: () => ({ path: '/v1/lifecycle-events', method: 'POST', body: lifecycleEvent({ ts: 'yesterday' }) }) },
        413: { req: () => ({ path: '/v1/lifecycle-events', method: 'POST', body: Array.from({ length: 10_001 }, () => ({})) }) },
        415: { req: () => ({ path: '/v1/lifecycle-events', method: 'POST', raw: { text: 'action: start', contentType: 'application/yaml' } }) },
      },
    },
    ingestToolEvents: {
      ok: () => ({ path: '/v1/tool-events', method: 'POST', body: toolEvent({ event_id: randomUUID() }) }),
      errors: {
        400: { req: () => ({ path: '/v1/tool-events', method: 'POST', body: 'a string is not an event' }) },
        413: { req: () => ({ path: '/v1/tool-events', method: 'POST', body: Array.from({ length: 10_001 }, () => ({})) }) },
        415: { req: () => ({ path: '/v1/tool-events', method: 'POST', raw: { text: '<event/>', contentType: 'application/xml' } }) },
      },
    },
    ingestCloudEvents: {
      ok: () => ({
        path: '/v1/cloudevents',
        method: 'POST',
        raw: {
          text: JSON.stringify({
            specversion: '1.0',
            id: randomUUID(),
            source: '/contract',
            type: 'io.auditstack.tool.call',
            data: toolEvent({ ts: undefined }),
          }),
          contentType: 'application/cloudevents+json',
        },
      }),
      errors: {
        400: {
          req: () => ({
            path: '/v1/cloudevents',
            method: 'POST',
            raw: {
              text: JSON.stringify({ specversion: '1.0', id: 'x', source: '/contract', type: 'com.example.unknown' }),
              contentType: 'application/cloudevents+json',
            },
          }),
        },
        413: {
          req: () => ({
            path: '/v1/cloudevents',
            method: 'POST',
            raw: { text: JSON.stringify(Array.from({ length: 10_001 }, () => ({}))), contentType: 'application/cloudevents-batch+json' },
          }),
        },
        415: {
          req: () => ({ path: '/v1/cloudevents', method: 'POST', raw: { text: 'hello', contentType: 'text/plain' }, headers: { 'ce-specversion': '1.0' } }),
        },
      },
    },
    listLifecycleEvents: {
      ok: () => ({ path: '/v1/lifecycle-events?limit=2&action=start' }),
      errors: { 400: { req: () => ({ path: '/v1/lifecycle-events?limit=0' }) } },
    },
    engineRecentActivity: {
      ok: () => ({ path: '/v1/lifecycle/engines/eng-1/recent?limit=1' }),
      errors: { 400: { req: () => ({ path: '/v1/lifecycle/engines/eng-1/recent?cursor=not!a!cursor' }) } },
    },
    provisionsReport: {
      ok: () => ({ path: '/v1/lifecycle/provisions?window_hours=2' }),
      errors: { 400: { req: () => ({ path: '/v1/lifecycle/provisions?window_hours=0' }) } },
    },
    autoRestartHotspots: {
      ok: () => ({ path: '/v1/lifecycle/auto-restart-hotspots' }),
      errors: { 400: { req: () => ({ path: '/v1/lifecycle/auto-restart-hotspots?limit=501' }) } },
    },
    actorActivity: {
      ok: () => ({ path: '/v1/lifecycle/actors?window_hours=2160' }),
      errors: { 400: { req: () => ({ path: '/v1/lifecycle/actors?window_hours=2161' }) } },
    },
    userLifetime: {
      ok: () => ({ path: '/v1/lifecycle/users/u-1/lifetime' }),
      errors: { 400: { req: () => ({ path: '/v1/lifecycle/users/u-1/lifetime?limit=x' }) } },
    },
    engineHours: {
      ok: () => ({ path: '/v1/lifecycle/engine-hours?group_by=user' }),
      errors: { 400: { req: () => ({ path: '/v1/lifecycle/engine-hours?group_by=engine' }) } },
    },
    exportOtlpLogs: {
      ok: () => ({
        path: '/v1/otlp/v1/logs',
        method: 'POST',
        body: {
          resourceLogs: [
            {
              resource: { attributes: [{ key: 'engine.id', value: { stringValue: 'eng-contract' } }] },
              scopeLogs: [{ logRecords: [{ timeUnixNano: `${BigInt(Date.now()) * 1_000_000n}`, body: { stringValue: randomUUID() } }] }],
            },
          ],
        },
      }),
      errors: {
        400: { req: () => ({ path: '/v1/otlp/v1/logs', method: 'POST', body: { resourceLogs: 'all of them' } }) },
        413: {
          req: () => ({
            path: '/v1/otlp/v1/logs',
            method: 'POST',
            body: {
              resourceLogs: [
                { scopeLogs: [{ logRecords: Array.from({ length: 5_001 }, () => ({})) }, { logRecords: Array.from({ length: 5_000 }, () => ({})) }] },
              ],
            },
          }),
        },
        415: { req: () => ({ path: '/v1/otlp/v1/logs', method: 'POST', raw: { text: 'resourceLogs', contentType: 'text/plain' } }) },
      },
    },
    listObservabilityEvents: {
      ok: () => ({ path: '/v1/observability-events?engine_id=eng-contract&limit=1' }),
      errors: { 400: { req: () => ({ path: '/v1/observability-events?limit=0' }) } },
    },
    listToolEvents: {
      ok: () => ({ path: '/v1/tool-events?workspace_id=ws-1&limit=1' }),
      // Any short code is a status (`maybe` is one); a space is outside its characters (a–z 0–9 _ . -).
      errors: { 400: { req: () => ({ path: '/v1/tool-events?status=not%20ok' }) } },
    },
    timeline: {
      ok: () => ({ path: '/v1/timeline?limit=3&domains=lifecycle,tool,marker' }),
      errors: { 400: { req: () => ({ path: '/v1/timeline?domains=lifecycle,payloads' }) } },
    },
    getLifecycleEvent: {
      ok: async () => ({
        path: `/v1/lifecycle-events/${(await gw.sql.query<{ event_id: string }>('SELECT event_id FROM audit.lifecycle_events LIMIT 1')).rows[0]!.event_id}`,
      }),
      errors: {
        400: { req: () => ({ path: '/v1/lifecycle-events/not-a-uuid' }) },
        404: { req: () => ({ path: `/v1/lifecycle-events/${randomUUID()}` }) },
      },
    },
    getToolEvent: {
      ok: async () => ({
        path: `/v1/tool-events/${(await gw.sql.query<{ event_id: string }>('SELECT event_id FROM audit.tool_events LIMIT 1')).rows[0]!.event_id}`,
      }),
      errors: {
        400: { req: () => ({ path: '/v1/tool-events/not-a-uuid' }) },
        404: { req: () => ({ path: `/v1/tool-events/${randomUUID()}` }) },
      },
    },
    ingestK8sAudit: {
      ok: () => ({
        path: '/v1/k8s-audit',
        method: 'POST',
        body: { ...K8S_AUDIT_EVENT_LIST_EXAMPLE, items: [{ ...K8S_AUDIT_EVENT_LIST_EXAMPLE.items[0], auditID: randomUUID() }, { level: 'Metadata' }] },
      }),
      errors: {
        400: { req: () => ({ path: '/v1/k8s-audit', method: 'POST', body: { kind: 'Policy', apiVersion: 'audit.k8s.io/v1', rules: [] } }) },
        413: {
          req: () => ({
            path: '/v1/k8s-audit',
            method: 'POST',
            body: { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: Array.from({ length: 10_001 }, () => ({})) },
          }),
        },
        415: { req: () => ({ path: '/v1/k8s-audit', method: 'POST', raw: { text: 'kind: EventList', contentType: 'application/yaml' } }) },
      },
    },
    listClusterAuditEvents: {
      ok: () => ({ path: '/v1/cluster-audit-events?verb=get&limit=1' }),
      errors: { 400: { req: () => ({ path: '/v1/cluster-audit-events?limit=0' }) } },
    },
    authorizeToolCall: {
      ok: () => ({ path: '/v1/tools/authorize', method: 'POST', body: { agent_id: 'agent-a', workspace_id: 'ws-1', tool: 'github', action: 'search' } }),
      errors: { 400: { req: () => ({ path: '/v1/tools/authorize', method: 'POST', body: { agent_id: 'agent-a', prompt: 'hello' } }) } },
    },
    engageEmergencyStop: {
      ok: () => ({ path: '/v1/admin/emergency-stop', method: 'POST', body: { reason: 'contract test' } }),
      errors: { 400: { req: () => ({ path: '/v1/admin/emergency-stop', method: 'POST', body: { reason: '' } }) } },
    },
    emergencyStopState: { ok: () => ({ path: '/v1/admin/emergency-stop' }) },
    listMarkers: { ok: () => ({ path: '/v1/markers?limit=5' }), errors: { 400: { req: () => ({ path: '/v1/markers?marker=DROP%20TABLE' }) } } },
    finopsDashboard: {
      ok: () => ({ path: '/v1/finops/dashboard?window_hours=24' }),
      errors: { 400: { req: () => ({ path: '/v1/finops/dashboard?window_hours=-1' }) } },
    },
    privacyDashboard: { ok: () => ({ path: '/v1/privacy/dashboard' }), errors: { 400: { req: () => ({ path: '/v1/privacy/dashboard?window_hours=1.5' }) } } },
    listTokens: { ok: () => ({ path: '/v1/admin/tokens?limit=2' }), errors: { 400: { req: () => ({ path: '/v1/admin/tokens?cursor=e30' }) } } },
    createToken: {
      ok: () => ({ path: '/v1/admin/tokens', method: 'POST', body: { name: `ci-${randomUUID().slice(0, 8)}`, entitlements: ['events.read'] } }),
      errors: {
        400: { req: () => ({ path: '/v1/admin/tokens', method: 'POST', body: { name: 'has space', entitlements: [] } }) },
        409: { req: () => ({ path: '/v1/admin/tokens', method: 'POST', body: { name: 'root', entitlements: ['events.read'] } }) },
      },
    },
    revokeToken: {
      ok: async () => ({
        path: `/v1/admin/tokens/${(await gw.tokens.create({ name: `victim-${randomUUID().slice(0, 8)}`, entitlements: ['events.read'], workspaceId: null, actor: 'test' })).record.id}`,
        method: 'DELETE',
      }),
      errors: {
        400: { req: () => ({ path: '/v1/admin/tokens/not-a-uuid', method: 'DELETE' }) },
        404: { req: () => ({ path: `/v1/admin/tokens/${randomUUID()}`, method: 'DELETE' }) },
      },
    },
    evidenceStatus: { ok: () => ({ path: '/v1/evidence/status' }) },
    listCheckpoints: {
      ok: () => ({ path: '/v1/evidence/checkpoints?limit=1' }),
      errors: { 400: { req: () => ({ path: '/v1/evidence/checkpoints?cursor=bm90LWEtbnVtYmVy' }) } },
    },
    latestCheckpoint: {
      ok: () => ({ path: '/v1/evidence/checkpoints/latest' }),
      errors: { 404: { phase: 'fresh', req: () => ({ path: '/v1/evidence/checkpoints/latest' }) } },
    },
    inclusionProof: {
      ok: () => ({ path: '/v1/evidence/proofs/inclusion/0' }),
      errors: {
        400: { req: () => ({ path: '/v1/evidence/proofs/inclusion/-1' }) },
        404: { req: () => ({ path: '/v1/evidence/proofs/inclusion/99999999' }) },
        409: { req: () => ({ path: `/v1/evidence/proofs/inclusion/${state.uncoveredSeq}` }) },
      },
    },
    consistencyProof: {
      ok: () => ({ path: `/v1/evidence/proofs/consistency?from=1&to=${state.checkpointSize}` }),
      errors: {
        400: { req: () => ({ path: `/v1/evidence/proofs/consistency?from=${state.checkpointSize}&to=1` }) },
        404: { req: () => ({ path: `/v1/evidence/proofs/consistency?from=1&to=${state.checkpointSize + 1}` }) },
      },
    },
    ledgerEntry: {
      ok: () => ({ path: '/v1/evidence/entries/0' }),
      errors: { 400: { req: () => ({ path: '/v1/evidence/entries/zero' }) }, 404: { req: () => ({ path: '/v1/evidence/entries/99999999' }) } },
    },
  };

  const routeOf = (op: OperationId): AnyRoute => GATEWAY_ROUTES[op];

  const send = (base: string, req: Req, token: string | null, extraHeaders: Record<string, string> = {}): Promise<Response> =>
    fetch(`${base}${req.path}`, {
      method: req.method ?? 'GET',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(req.raw ? { 'content-type': req.raw.contentType } : req.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...req.headers,
        ...extraHeaders,
      },
      body: req.raw ? req.raw.text : req.body !== undefined ? JSON.stringify(req.body) : undefined,
    });

  /** The generic way to provoke a status any route of this kind documents, in the phase it needs. */
  function genericCase(op: OperationId, status: ErrorStatus): { phase: Phase; call: () => Promise<Response> } | null {
    const route = routeOf(op);
    const ok = CASES[op].ok;
    if (route.auth === 'bearer' && status === 401) return { phase: 'main', call: async () => send(gw.url, await ok(), null) };
    if (route.auth === 'bearer' && status === 403) {
      // A token without the route's entitlement; for `whoami` (any token) an agent the RBAC policy does not know, named by the trusted proxy.
      return route.entitlement
        ? { phase: 'main', call: async () => send(gw.url, await ok(), tokens.nobody) }
        : { phase: 'main', call: async () => send(gw.url, await ok(), tokens.root, { 'x-agent-id': 'ghost-agent', 'x-workspace-id': 'ws-1' }) };
    }
    if (route.auth === 'bearer' && status === 429) return { phase: 'limited', call: async () => send(limitedUrl, await ok(), tokens.limited) };
    // PostgreSQL cut off: a token never verified before cannot be checked (bearer routes), and readiness fails.
    if (status === 503) return { phase: 'outage', call: async () => send(gw.url, await ok(), route.auth === 'bearer' ? tokens.fresh : null) };
    return null;
  }

  function errorCase(op: OperationId, status: ErrorStatus): { phase: Phase; call: () => Promise<Response> } | null {
    const specific = CASES[op].errors?.[status];
    if (specific) return { phase: specific.phase ?? 'main', call: async () => send(gw.url, await specific.req(), tokens.root) };
    return genericCase(op, status);
  }

  const operations = Object.keys(GATEWAY_ROUTES) as OperationId[];
  const errorPairs = operations.flatMap((op) =>
    [...new Set(routeOf(op).errors)].filter((status) => !unreachable(op, status)).map((status) => [op, status] as const),
  );

  async function expectProblem(op: OperationId, status: ErrorStatus, res: Response): Promise<void> {
    const text = await res.text();
    expect([op, res.status]).toEqual([op, status]);
    expect(res.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
    const parsed = ProblemSchema.safeParse(JSON.parse(text));
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    expect(parsed.data?.status).toBe(status);
    if (status === 429 || status === 503) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    if (status === 400) expect(parsed.data?.errors?.length ?? 0).toBeGreaterThan(0);
  }

  beforeAll(async () => {
    gw = await startGatewayBehindProxy({
      TRUSTED_PROXY_MODE: 'true',
      CHECKPOINT_EVERY_SECONDS: '3600',
      CHECKPOINT_EVERY_LEAVES: '1000000',
      CHECKPOINT_HEARTBEAT_SECONDS: '3600',
    });
    tokens.root = await gw.token('root', [...ALL_ENTITLEMENTS]);
    tokens.nobody = await gw.token('nobody', ['actions.read']);
    tokens.limited = await gw.token('limited', [...ALL_ENTITLEMENTS]);
    tokens.fresh = await gw.token('fresh', [...ALL_ENTITLEMENTS]);
    pool = new Pool({ connectionString: gw.db.url, max: 2 });
  });

  afterAll(async () => {
    await limited?.close().catch(() => undefined);
    await gw?.proxy.restore().catch(() => undefined);
    await pool?.end();
    await gw?.close();
  });

  it('has a success case for every route and a case for every documented error status (a new route without one fails here)', () => {
    const missing = operations.filter((op) => CASES[op] === undefined).map((op) => `${op}: no case`);
    for (const [op, status] of errorPairs) if (!errorCase(op, status)) missing.push(`${op}: no way to produce ${status}`);
    expect(Object.keys(CASES).filter((op) => !(op in GATEWAY_ROUTES))).toEqual([]);
    expect(missing).toEqual([]);
  });

  describe('before the first checkpoint', () => {
    // The cadence checkpoints at its first tick, so "no checkpoint yet" lasts an instant on a new install. It is
    // recreated here: the ledger lock (the head row) is held so no tick can checkpoint, and the checkpoints are removed.
    let lock: Client;
    beforeAll(async () => {
      lock = new Client({ connectionString: gw.db.url });
      await lock.connect();
      await lock.query('BEGIN');
      await lock.query('SELECT size FROM audit.ledger_head FOR UPDATE');
      await gw.sql.query('DELETE FROM audit.checkpoints');
    });
    afterAll(async () => {
      await lock.query('ROLLBACK');
      await lock.end();
    });

    it.each(errorPairs.filter(([op, status]) => errorCase(op, status)?.phase === 'fresh'))('%s answers %d as a problem', async (op, status) => {
      await expectProblem(op, status, await errorCase(op, status)!.call());
    });
  });

  describe('with events, a checkpoint and an uncovered leaf', () => {
    beforeAll(async () => {
      const seed = [
        lifecycleEvent({
          event_id: randomUUID(),
          action: 'provision',
          ts: new Date(Date.now() - 60_000).toISOString(),
          metadata: { image: 'registry.example/engine:1.4.2' },
        }),
        lifecycleEvent({ event_id: randomUUID(), ts: new Date(Date.now() - 30_000).toISOString() }),
      ];
      expect((await send(gw.url, { path: '/v1/lifecycle-events', method: 'POST', body: seed }, tokens.root)).status).toBe(200);
      expect(
        (
          await send(
            gw.url,
            { path: '/v1/tool-events', method: 'POST', body: [toolEvent({ ts: new Date().toISOString() }), toolEvent({ req_id: 'req-2' })] },
            tokens.root,
          )
        ).status,
      ).toBe(200);
      state.checkpointSize = (await new EvidenceService({ db: pool as unknown as SqlPool, home: gw.home }).checkpointNow()).treeSize;
      expect((await send(gw.url, { path: '/v1/tool-events', method: 'POST', body: toolEvent({ req_id: 'after-checkpoint' }) }, tokens.root)).status).toBe(200);
      state.uncoveredSeq = Number((await gw.sql.query<{ seq: string }>('SELECT max(seq) AS seq FROM audit.ledger')).rows[0]!.seq);
      expect(state.uncoveredSeq).toBeGreaterThanOrEqual(state.checkpointSize);
    });

    it.each(operations)('%s answers a valid request with a body its response schema parses', async (op) => {
      const route = routeOf(op);
      const res = await send(gw.url, await CASES[op].ok(), tokens.root);
      const text = await res.text();
      expect([op, res.status, res.status >= 400 ? text : '']).toEqual([op, route.response.status ?? 200, '']);
      if (route.response.schema) {
        expect(res.headers.get('content-type')).toContain('application/json');
        const parsed = route.response.schema.safeParse(JSON.parse(text));
        expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
      } else if (route.response.contentType) {
        expect(res.headers.get('content-type')).toBe(route.response.contentType);
      } else {
        expect(text).toBe('');
      }
    });

    it.each(errorPairs.filter(([op, status]) => errorCase(op, status)?.phase === 'main'))('%s answers %d as a problem', async (op, status) => {
      await expectProblem(op, status, await errorCase(op, status)!.call());
    });
  });

  describe('with a per-token rate limit of 1 request per minute', () => {
    beforeAll(async () => {
      limited = await gw.boot({ RATE_LIMIT_PER_MINUTE: '1' });
      limitedUrl = await limited.getUrl();
      // The token's one request of the minute; every later one is refused.
      expect((await send(limitedUrl, { path: '/v1/whoami' }, tokens.limited)).status).toBe(200);
    });

    it.each(errorPairs.filter(([op, status]) => errorCase(op, status)?.phase === 'limited'))('%s answers %d as a problem', async (op, status) => {
      await expectProblem(op, status, await errorCase(op, status)!.call());
    });

    it('never limits the probes', async () => {
      for (const path of ['/ping', '/ready', '/metrics']) expect((await send(limitedUrl, { path }, tokens.limited)).status).toBe(200);
    });
  });

  describe('while PostgreSQL is cut off', () => {
    beforeAll(async () => {
      await gw.proxy.cut();
    });

    it.each(errorPairs.filter(([op, status]) => errorCase(op, status)?.phase === 'outage'))('%s answers %d as a problem', async (op, status) => {
      await expectProblem(op, status, await errorCase(op, status)!.call());
    });
  });
});
