import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startGateway, type GatewayHarness } from './support/gateway-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const H1 = '1'.repeat(64);
const H2 = '2'.repeat(64);
const H3 = '3'.repeat(64);

/**
 * Queries, canned reports and the finops / privacy dashboards over a small
 * fixture whose numbers were computed by hand (see the comments), plus
 * workspace scoping, entitlements and trusted-proxy mode.
 */
describe('gateway queries and dashboards', () => {
  let gw: GatewayHarness;
  let admin: string;
  let reader: string;
  let scoped: string;
  let finopsOnly: string;
  let proxyGateway: NestFastifyApplication;
  let proxyUrl: string;
  let proxyToken: string;
  const now = Date.now();
  const ago = (minutes: number): string => new Date(now - minutes * 60_000).toISOString();

  const tool = (o: Json): Json => ({ req_id: 'r', user_id: 'u-1', action: 'search', status: 'ok', ...o });
  // Hand-computed fixture (window 24 h): see the expectations below.
  const toolFixture = [
    tool({ ts: ago(60), workspace_id: 'ws-1', agent_id: 'a1', tool: 'github', status: 'ok', duration_ms: 100, in_size: 1024, out_size: 2048, input_hash: H1 }),
    tool({ ts: ago(50), workspace_id: 'ws-1', agent_id: 'a1', tool: 'github', status: 'error', duration_ms: 300, in_size: 2048, out_size: 0, input_hash: H1 }),
    tool({ ts: ago(40), workspace_id: 'ws-1', agent_id: 'a2', tool: 'jira', status: 'ok', duration_ms: 200, in_size: 1024, out_size: 1024, input_hash: null }),
    tool({
      ts: ago(30),
      workspace_id: 'ws-2',
      agent_id: 'a3',
      tool: 'github',
      status: 'timeout',
      duration_ms: 1000,
      in_size: 4096,
      out_size: 0,
      input_hash: H2,
    }),
    tool({ ts: ago(20), workspace_id: 'ws-2', agent_id: 'a3', tool: 'github', status: 'ok', duration_ms: 500, in_size: 1024, out_size: 1024, input_hash: H1 }),
    tool({
      ts: ago(10),
      workspace_id: 'ws-2',
      agent_id: 'a3',
      tool: 'github',
      status: 'ok',
      duration_ms: 100,
      in_size: 102400,
      out_size: 1024,
      input_hash: H3,
    }),
    tool({
      ts: ago(30 * 60),
      workspace_id: 'ws-1',
      agent_id: 'a1',
      tool: 'github',
      status: 'ok',
      duration_ms: 9999,
      in_size: 9999,
      out_size: 9999,
      input_hash: H1,
    }), // outside 24 h
  ];
  const lc = (o: Json): Json => ({ actor: 'system', ...o });
  const lifecycleFixture = [
    lc({ ts: ago(11 * 60), action: 'provision', engine_id: 'e1', product_id: 'p1', user_id: 'u1', metadata: { image: 'engine:1' } }),
    lc({ ts: ago(10 * 60), action: 'start', engine_id: 'e1', product_id: 'p1', user_id: 'u1', metadata: {} }),
    lc({ ts: ago(9 * 60), action: 'auto_restart_start', engine_id: 'e1', product_id: 'p1', user_id: 'u1', metadata: { attempt: 1 } }),
    lc({ ts: ago(9 * 60 - 1), action: 'auto_restart_success', engine_id: 'e1', product_id: 'p1', user_id: 'u1', metadata: { attempt: 1 } }),
    lc({ ts: ago(4 * 60), action: 'stop', engine_id: 'e1', product_id: 'p1', user_id: 'u1', metadata: { reason: 'idle' } }),
    lc({ ts: ago(3 * 60), action: 'destroy', engine_id: 'e1', product_id: 'p1', user_id: 'u1', metadata: { reason: 'user' } }),
    lc({ ts: ago(121), action: 'provision', engine_id: 'e2', product_id: 'p2', user_id: 'u2', metadata: { image: 'engine:1' } }),
    lc({ ts: ago(120), action: 'start', engine_id: 'e2', product_id: 'p2', user_id: 'u2', metadata: {} }),
    lc({ ts: ago(60), action: 'destroy', engine_id: 'e2', product_id: 'p2', user_id: 'u2', metadata: { reason: 'user' } }),
    lc({ ts: ago(50), action: 'auto_restart_start', engine_id: 'e3', product_id: 'p1', metadata: { attempt: 1 } }),
    lc({ ts: ago(49), action: 'auto_restart_failed', engine_id: 'e3', product_id: 'p1', metadata: { attempt: 1, error_code: 'oom' } }),
    lc({ ts: ago(48), action: 'auto_restart_start', engine_id: 'e3', product_id: 'p1', metadata: { attempt: 2 } }),
    lc({ ts: ago(47), action: 'auto_restart_success', engine_id: 'e3', product_id: 'p1', metadata: { attempt: 2 } }),
    lc({ ts: ago(20), action: 'provision', actor: 'admin', engine_id: 'e4', product_id: 'p2', metadata: { image: 'engine:2' } }),
    lc({ ts: ago(10), action: 'provision_denied', actor: 'p3-portal', product_id: 'p3', metadata: { reason: 'quota exceeded' } }),
  ];

  beforeAll(async () => {
    gw = await startGateway();
    await writeFile(
      join(gw.home, 'cost.json'),
      JSON.stringify({ currency: 'EUR', cost_weights: { per_call: 0.01, per_second: 0.001, per_kb_in: 0.0001, per_kb_out: 0.0002, per_engine_hour: 1 } }),
    );
    await writeFile(
      join(gw.home, 'rbac.json'),
      JSON.stringify({
        agents: {
          a1: { entitlements: ['events.read', 'tools.cost.read', 'tools.data_gov.read'], workspaces: ['ws-1'], tools: { github: ['search'] } },
          a3: { entitlements: ['events.read'], workspaces: ['ws-2'], tools: {} },
        },
      }),
    );
    // The fixture gateway reads the cost model; boot a second one on the same database for it.
    await gw.app.close();
    gw.app = await gw.boot({ COST_MODEL_FILE: join(gw.home, 'cost.json') });
    gw.url = await gw.app.getUrl();
    admin = await gw.token('admin', ['admin']);
    reader = await gw.token('reader', ['events.read', 'tools.cost.read', 'tools.data_gov.read']);
    scoped = await gw.token('scoped', ['events.read', 'tools.cost.read', 'tools.data_gov.read'], 'ws-1');
    finopsOnly = await gw.token('finops-only', ['tools.cost.read'], 'ws-1');
    proxyToken = await gw.token('proxy', ['events.read', 'tools.cost.read', 'tools.data_gov.read']);
    const call = (path: string, body: unknown): Promise<Response> =>
      fetch(`${gw.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(((await (await call('/v1/tool-events', toolFixture)).json()) as Json).accepted).toBe(7);
    expect(((await (await call('/v1/lifecycle-events', lifecycleFixture)).json()) as Json).accepted).toBe(15);
    proxyGateway = await gw.boot({ TRUSTED_PROXY_MODE: 'true', RBAC_FILE: join(gw.home, 'rbac.json'), COST_MODEL_FILE: join(gw.home, 'cost.json') });
    proxyUrl = await proxyGateway.getUrl();
  });
  afterAll(async () => {
    await proxyGateway?.close();
    await gw?.close();
  });

  const get = async (path: string, token: string, headers: Record<string, string> = {}, base?: string): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${base ?? gw.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('lists lifecycle events with filters and keyset pagination (every row once, newest first)', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body }: { status: number; body: Json } = await get(`/v1/lifecycle-events?limit=4${cursor ? `&cursor=${cursor}` : ''}`, reader);
      expect(status).toBe(200);
      expect(body['source_backend']).toBe('postgres');
      seen.push(...(body['items'] as Json[]).map((i) => i['ts'] as string));
      cursor = body['next_cursor'] as string | null;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen).toHaveLength(15);
    expect([...seen].sort().reverse()).toEqual(seen);
    const e1 = await get('/v1/lifecycle-events?engine_id=e1&action=stop', reader);
    expect((e1.body['items'] as Json[]).map((i) => i['metadata'])).toEqual([{ reason: 'idle' }]);
    const ranged = await get(`/v1/lifecycle-events?from=${ago(61)}&to=${ago(19)}&actor=system`, reader);
    expect((ranged.body['items'] as Json[]).map((i) => i['action'])).toEqual([
      'auto_restart_success',
      'auto_restart_start',
      'auto_restart_failed',
      'auto_restart_start',
      'destroy',
    ]);
    const garbage = await get('/v1/lifecycle-events?cursor=garbage', reader);
    expect([garbage.status, garbage.body['errors']]).toEqual([400, [{ path: 'cursor', rule: 'must be a cursor returned as next_cursor', in: 'query' }]]);
    const teleport = await get('/v1/lifecycle-events?action=teleport', reader);
    expect(teleport.body['detail']).toMatch(/^action: must be one of/);
    expect(teleport.body['errors']).toEqual([expect.objectContaining({ path: 'action', in: 'query' })]);
  });

  it('canned queries: recent engine activity, provisions, auto-restart hot spots, actors, a user lifetime, engine-hours', async () => {
    const recent = await get('/v1/lifecycle/engines/e1/recent?limit=2', reader);
    expect((recent.body['items'] as Json[]).map((i) => i['action'])).toEqual(['destroy', 'stop']);

    const prov = await get('/v1/lifecycle/provisions?window_hours=3', reader);
    expect(prov.body['last_hour']).toBe(1);
    const perHour = prov.body['items'] as Json[];
    expect(prov.body['next_cursor']).toBeNull();
    expect(perHour).toHaveLength(4);
    expect(perHour.reduce((s, h) => s + (h['provisions'] as number), 0)).toBe(2);
    expect(perHour.reduce((s, h) => s + (h['denied'] as number), 0)).toBe(1);

    const hot = await get('/v1/lifecycle/auto-restart-hotspots?window_hours=24', reader);
    expect(hot.body['items']).toEqual([
      expect.objectContaining({ engine_id: 'e3', restarts: 2, failures: 1, successes: 1, gave_up: 0 }),
      expect.objectContaining({ engine_id: 'e1', restarts: 1, failures: 0, successes: 1, gave_up: 0 }),
    ]);

    const actors = await get('/v1/lifecycle/actors?window_hours=24', reader);
    expect((actors.body['items'] as Json[]).map((a) => [a['actor'], a['events']])).toEqual([
      ['system', 13],
      ['admin', 1],
      ['p3-portal', 1],
    ]);

    const life = await get('/v1/lifecycle/users/u1/lifetime', reader);
    expect(life.body).toMatchObject({ user_id: 'u1', first_provision_at: ago(11 * 60), destroyed_at: ago(3 * 60), engines: ['e1'] });
    expect((life.body['items'] as Json[]).map((t) => t['action'])).toEqual([
      'provision',
      'start',
      'auto_restart_start',
      'auto_restart_success',
      'stop',
      'destroy',
    ]);

    // e1 ran start → stop = 6 h (product p1, user u1); e2 start → destroy = 1 h (p2, u2).
    const byProduct = await get(`/v1/lifecycle/engine-hours?group_by=product&from=${ago(24 * 60)}&to=${ago(0)}`, reader);
    expect(byProduct.body['items']).toEqual([
      { product_id: 'p1', engine_hours: 6, engines: 1 },
      { product_id: 'p2', engine_hours: 1, engines: 1 },
    ]);
    // A window cutting e1's run: from 5 h ago, e1 counts 1 h (until its stop 4 h ago).
    const clipped = await get(`/v1/lifecycle/engine-hours?group_by=user&from=${ago(5 * 60)}&to=${ago(0)}`, reader);
    expect(clipped.body['items']).toEqual([
      { user_id: 'u1', engine_hours: 1, engines: 1 },
      { user_id: 'u2', engine_hours: 1, engines: 1 },
    ]);
  });

  it('finops dashboard: numbers match the hand-computed fixture', async () => {
    const { status, body } = await get('/v1/finops/dashboard?window_hours=24', reader);
    expect(status).toBe(200);
    expect(body['source_backend']).toBe('postgres');
    expect(body['currency']).toBe('EUR');
    // github: calls 5, errors 2 (error + timeout), durations 100,100,300,500,1000 → p50 300, p95 500+0.8×500 = 900;
    // in 110592 B, out 4096 B; cost 5×0.01 + 2 s×0.001 + 108 KB×0.0001 + 4 KB×0.0002 = 0.0636.
    expect(body['by_tool']).toEqual([
      {
        tool: 'github',
        calls: 5,
        errors: 2,
        denied: 0,
        unrecognised_status: 0,
        error_rate: 0.4,
        p50_duration_ms: 300,
        p95_duration_ms: 900,
        duration_ms_total: 2000,
        bytes_in: 110592,
        bytes_out: 4096,
        cost: 0.0636,
      },
      {
        tool: 'jira',
        calls: 1,
        errors: 0,
        denied: 0,
        unrecognised_status: 0,
        error_rate: 0,
        p50_duration_ms: 200,
        p95_duration_ms: 200,
        duration_ms_total: 200,
        bytes_in: 1024,
        bytes_out: 1024,
        cost: 0.0105,
      },
    ]);
    expect((body['by_workspace'] as Json[]).map((w) => [w['workspace_id'], w['calls'], w['cost']])).toEqual([
      // ws-2: 3 calls 0.03 + 1.6 s 0.0016 + 105 KB in 0.0105 + 2 KB out 0.0004 = 0.0425.
      ['ws-2', 3, 0.0425],
      ['ws-1', 3, 0.0316],
    ]);
    expect((body['by_agent'] as Json[]).map((a) => [a['agent_id'], a['calls']])).toEqual([
      ['a3', 3],
      ['a1', 2],
      ['a2', 1],
    ]);
    // Engine-hours 6 + 1 = 7 at 1 per hour.
    expect(body['totals']).toMatchObject({ calls: 6, errors: 2, cost: 0.0741, engine_hours: 7, engine_cost: 7, total_cost: 7.0741 });
  });

  it('privacy dashboard: volumes, repeated inputs, outliers, events without hash, no payloads', async () => {
    const { status, body } = await get('/v1/privacy/dashboard?window_hours=24', reader);
    expect(status).toBe(200);
    expect(body['payloads_stored']).toBe(false);
    expect(body['payload_guarantee']['payload_columns_in_table']).toEqual([]);
    expect(body['totals']).toEqual({ calls: 6, bytes_in: 111616, bytes_out: 5120, without_hash: 1, unrecognised_status: 0 });
    expect((body['volume_by_tool'] as Json[]).map((v) => [v['tool'], v['bytes_total']])).toEqual([
      ['github', 114688],
      ['jira', 2048],
    ]);
    expect((body['volume_by_workspace'] as Json[]).map((v) => [v['workspace_id'], v['bytes_total']])).toEqual([
      ['ws-2', 109568],
      ['ws-1', 7168],
    ]);
    expect(body['repeated_inputs']).toEqual([expect.objectContaining({ input_hash: H1, calls: 3, tools: ['github'], agents: 2, workspaces: 2 })]);
    // github in_size median 2048: only the 102400-byte call is above 10×.
    expect((body['size_outliers']['events'] as Json[]).map((o) => [o['in_size'], o['tool_median_in']])).toEqual([[102400, 2048]]);
    expect(body['events_without_hash']).toEqual([{ tool: 'jira', events: 1, calls: 1 }]);
  });

  it('a workspace-scoped token sees only its workspace (list, finops, privacy) and no fleet-wide canned query; missing entitlement → 403', async () => {
    const list = await get('/v1/tool-events?limit=100', scoped);
    expect(new Set((list.body['items'] as Json[]).map((i) => i['workspace_id']))).toEqual(new Set(['ws-1']));
    expect(list.body['items']).toHaveLength(4);
    expect((await get('/v1/tool-events?workspace_id=ws-2', scoped)).status).toBe(403);
    const unscoped = await get('/v1/tool-events?workspace_id=ws-2', reader);
    expect(unscoped.body['items']).toHaveLength(3);

    const finops = await get('/v1/finops/dashboard?window_hours=24', scoped);
    expect(finops.body['workspace_scope']).toBe('ws-1');
    expect((finops.body['by_workspace'] as Json[]).map((w) => w['workspace_id'])).toEqual(['ws-1']);
    expect((finops.body['by_agent'] as Json[]).map((w) => w['agent_id']).sort()).toEqual(['a1', 'a2']);
    // github in ws-1: durations 100, 300 → p50 200, p95 290; cost 0.02 + 0.0004 + 0.0003 + 0.0004 = 0.0211.
    expect(finops.body['by_tool']).toEqual([
      expect.objectContaining({ tool: 'github', calls: 2, errors: 1, p50_duration_ms: 200, p95_duration_ms: 290, cost: 0.0211 }),
      expect.objectContaining({ tool: 'jira', calls: 1, cost: 0.0105 }),
    ]);
    expect(finops.body['totals']).not.toHaveProperty('engine_hours');

    const privacy = await get('/v1/privacy/dashboard?window_hours=24', scoped);
    expect((privacy.body['volume_by_workspace'] as Json[]).map((w) => w['workspace_id'])).toEqual(['ws-1']);
    expect(privacy.body['repeated_inputs']).toEqual([expect.objectContaining({ input_hash: H1, calls: 2, workspaces: 1 })]);
    expect(privacy.body['size_outliers']['events']).toEqual([]);

    for (const path of [
      '/v1/lifecycle-events',
      '/v1/lifecycle/engines/e1/recent',
      '/v1/lifecycle/provisions',
      '/v1/lifecycle/auto-restart-hotspots',
      '/v1/lifecycle/actors',
      '/v1/lifecycle/users/u1/lifetime',
      '/v1/lifecycle/engine-hours',
    ]) {
      expect([path, (await get(path, scoped)).status]).toEqual([path, 403]);
    }
    expect((await get('/v1/privacy/dashboard', finopsOnly)).status).toBe(403);
    expect((await get('/v1/tool-events', finopsOnly)).status).toBe(403);
    expect((await get('/v1/finops/dashboard', finopsOnly)).status).toBe(200);
  });

  it('trusted-proxy headers are ignored unless TRUSTED_PROXY_MODE is on; when on they scope the caller through the RBAC file', async () => {
    const headers = { 'x-agent-id': 'a1', 'x-workspace-id': 'ws-1' };
    const off = await get('/v1/finops/dashboard', proxyToken, headers);
    expect(off.body['workspace_scope']).toBeNull();
    expect((off.body['by_workspace'] as Json[]).length).toBe(2);

    const on = await get('/v1/finops/dashboard', proxyToken, headers, proxyUrl);
    expect(on.status).toBe(200);
    expect(on.body['workspace_scope']).toBe('ws-1');
    expect((on.body['by_workspace'] as Json[]).map((w) => w['workspace_id'])).toEqual(['ws-1']);
    expect((await get('/v1/finops/dashboard', proxyToken, { 'x-agent-id': 'a1', 'x-workspace-id': 'ws-2' }, proxyUrl)).status).toBe(403);
    expect((await get('/v1/finops/dashboard', proxyToken, { 'x-agent-id': 'nobody', 'x-workspace-id': 'ws-1' }, proxyUrl)).status).toBe(403);
    expect((await get('/v1/finops/dashboard', proxyToken, { 'x-agent-id': 'a3', 'x-workspace-id': 'ws-2' }, proxyUrl)).status).toBe(403);
    const a3 = await get('/v1/tool-events', proxyToken, { 'x-agent-id': 'a3' }, proxyUrl);
    expect(new Set((a3.body['items'] as Json[]).map((i) => i['workspace_id']))).toEqual(new Set(['ws-2']));
    // Headers never replace the bearer token.
    expect((await fetch(`${proxyUrl}/v1/finops/dashboard`, { headers })).status).toBe(401);
  });
});
