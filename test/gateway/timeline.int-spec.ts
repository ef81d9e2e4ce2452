import { encodeCursor } from '@auditstack/audit-core';
import { lifecycleEvent, startGateway, toolEvent, type GatewayHarness } from './support/gateway-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A readable fixture id: `00000000-0000-4000-8000-0000000000<suffix>`. */
const id = (suffix: string): string => `00000000-0000-4000-8000-${suffix.padStart(12, '0')}`;

const PROJECT = '11111111-1111-4111-8111-111111111111';
const at = (hhmm: string): string => `2026-11-20T${hhmm}:00.000Z`;

/**
 * The fixture fleet, by label, all through the gateway's endpoints except the check run (the
 * engine's table, inserted with SQL): lifecycle and tool events (ids are ours), two observability
 * events over OTLP/HTTP JSON (O1 10:03 and O2 10:10, engine e1) and a cluster audit event through
 * the Kubernetes audit webhook (K1 10:04, user u1) — ids derived from their content — and two
 * markers, the emergency stop and a denied tool call (ids from the answers). 10:10 holds a
 * four-way tie (tool ×2, observability, lifecycle) so that the sort key (ts, domain, id) decides.
 */
const IDS: Record<string, string> = {
  L1: id('a1'), // 10:00 provision e1/u1 (metadata with an unknown key "tier")
  L2: id('a2'), // 10:05 start e1/u1
  L3: id('a3'), // 10:10 health_failed e1/u1
  L4: id('a4'), // 10:07 provision e2/u2
  W1: id('b1'), // 10:02 tool ws-a g1 u1
  W2: id('b2'), // 10:06 tool ws-a g1 u1
  W3: id('bf'), // 10:10 tool ws-a g1 u1 (id sorts after W4's: first in the tie)
  W4: id('ba'), // 10:10 tool ws-b g2 u2
  R1: id('e1'), // 10:08 check run of PROJECT
};

describe('GET /v1/timeline: every domain merged, keyset-paged, scoped', () => {
  let gw: GatewayHarness;
  let reader: string;
  let scopedA: string;
  const get = async (path: string, token = reader): Promise<{ status: number; body: Json }> => {
    const res = await gw.call(path, token);
    return { status: res.status, body: (await res.json()) as Json };
  };
  /** The labels of a page's rows (an unknown id fails the comparison by showing itself). */
  const labels = (items: Json[]): string[] =>
    items.map((i) => Object.entries(IDS).find(([, v]) => v === i['id'])?.[0] ?? `${i['domain'] as string}:${i['id'] as string}`);

  beforeAll(async () => {
    gw = await startGateway();
    const admin = await gw.token('admin', ['admin']);
    reader = await gw.token('reader', ['events.read']);
    scopedA = await gw.token('scoped-a', ['events.read'], 'ws-a');
    const writerA = await gw.token('writer-a', ['events.write'], 'ws-a');

    const lc = (label: string, o: Json): Json => lifecycleEvent({ event_id: IDS[label], duration_ms: null, ...o });
    const lifecycle = await gw.call('/v1/lifecycle-events', admin, {
      body: [
        lc('L1', {
          ts: at('10:00'),
          action: 'provision',
          engine_id: 'e1',
          user_id: 'u1',
          metadata: { image: 'registry.example/engine:1.4.2', region: 'eu-1', tier: 'gold' },
        }),
        lc('L2', { ts: at('10:05'), action: 'start', engine_id: 'e1', user_id: 'u1', metadata: { reason: 'request', boot_ms: 900 } }),
        lc('L3', {
          ts: at('10:10'),
          action: 'health_failed',
          engine_id: 'e1',
          user_id: 'u1',
          metadata: { check: 'http', reason: 'probe timed out', consecutive_failures: 3 },
        }),
        lc('L4', {
          ts: at('10:07'),
          action: 'provision',
          engine_id: 'e2',
          user_id: 'u2',
          product_id: 'prod-b',
          metadata: { image: 'registry.example/engine:1.4.2' },
        }),
      ],
    });
    expect(await lifecycle.json()).toMatchObject({ accepted: 4, rejected: 0 });
    const tc = (label: string, o: Json): Json => toolEvent({ event_id: IDS[label], req_id: `req-${label}`, ...o });
    const tools = await gw.call('/v1/tool-events', admin, {
      body: [
        tc('W1', { ts: at('10:02'), workspace_id: 'ws-a', graph_run_id: 'g1', user_id: 'u1' }),
        tc('W2', { ts: at('10:06'), workspace_id: 'ws-a', graph_run_id: 'g1', user_id: 'u1', status: 'error' }),
        tc('W3', { ts: at('10:10'), workspace_id: 'ws-a', graph_run_id: 'g1', user_id: 'u1', tool: 'jira' }),
        tc('W4', { ts: at('10:10'), workspace_id: 'ws-b', graph_run_id: 'g2', user_id: 'u2' }),
      ],
    });
    expect(await tools.json()).toMatchObject({ accepted: 4, rejected: 0 });

    // Observability events through OTLP/HTTP JSON (an engine's own logs), a cluster audit event through the audit webhook.
    const nanos = (iso: string): string => `${BigInt(Date.parse(iso)) * 1_000_000n}`;
    const record = (iso: string, eventName: string): Json => ({
      timeUnixNano: nanos(iso),
      severityText: 'INFO',
      body: { stringValue: `engine log ${eventName}` },
      attributes: [{ key: 'event.name', value: { stringValue: eventName } }],
    });
    const otlp = await gw.call('/v1/otlp/v1/logs', admin, {
      body: {
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'service.name', value: { stringValue: 'engine' } },
                { key: 'engine.id', value: { stringValue: 'e1' } },
              ],
            },
            scopeLogs: [{ scope: { name: 'engine.execute' }, logRecords: [record(at('10:03'), 'execute.start'), record(at('10:10'), 'execute.error')] }],
          },
        ],
      },
    });
    expect([otlp.status, await otlp.json()]).toEqual([200, {}]);
    const k8s = await gw.call('/v1/k8s-audit', admin, {
      body: {
        kind: 'EventList',
        apiVersion: 'audit.k8s.io/v1',
        items: [
          {
            level: 'Metadata',
            auditID: '7c9a3f2e-0d1b-4c5a-9e8f-1a2b3c4d5e6f',
            stage: 'ResponseComplete',
            requestURI: '/api/v1/namespaces/engines/pods/engine-e1',
            verb: 'delete',
            user: { username: 'u1', groups: ['system:authenticated'] },
            sourceIPs: ['10.0.0.7'],
            objectRef: { resource: 'pods', namespace: 'engines', name: 'engine-e1', apiVersion: 'v1' },
            responseStatus: { code: 200 },
            requestReceivedTimestamp: '2026-11-20T10:03:59.900000Z',
            stageTimestamp: '2026-11-20T10:04:00.000000Z',
          },
        ],
      },
    });
    expect(await k8s.json()).toMatchObject({ accepted: 1, rejected: 0 });
    // Their ids are derived from the content: found by their (distinct) times.
    const idAt = async (table: string, iso: string): Promise<string> =>
      (await gw.sql.query<{ event_id: string }>(`SELECT event_id FROM audit.${table} WHERE ts = $1`, [iso])).rows[0]!.event_id;
    IDS['O1'] = await idAt('observability_events', at('10:03'));
    IDS['O2'] = await idAt('observability_events', at('10:10'));
    IDS['K1'] = await idAt('cluster_audit_events', at('10:04'));
    await gw.sql.query(
      `INSERT INTO audit.runs (id, scheduled_at, job_id, action_id, project_id, action_type, trigger, status, message, started_at, finished_at, duration_ms)
       VALUES ($1, $2, 'job-1', $3, $4, 'http', 'schedule', 'fail', 'HTTP 503', $2, $2, 120)`,
      [IDS['R1'], at('10:08'), id('f1'), PROJECT],
    );

    // Two markers, now (newer than every fixture row): the emergency stop (fleet-wide), then a denial naming ws-a.
    const stop = await gw.call('/v1/admin/emergency-stop', admin, { body: { reason: 'timeline fixture' } });
    IDS['M1'] = ((await stop.json()) as Json)['marker_id'] as string;
    const m1 = await gw.sql.query<{ ms: string }>(`SELECT (extract(epoch FROM ts) * 1000)::bigint AS ms FROM audit.gateway_markers WHERE id = $1`, [IDS['M1']]);
    // The denial must be strictly newer than the stop (marker times are milliseconds): wait for the clock to pass it.
    while (Date.now() <= Number(m1.rows[0]!.ms)) await new Promise((resolve) => setImmediate(resolve));
    const denied = await gw.call('/v1/tools/authorize', writerA, {
      body: { agent_id: 'agent-x', workspace_id: 'ws-a', tool: 'github', action: 'delete_repo' },
    });
    const denial = (await denied.json()) as Json;
    expect(denial['decision']).toBe('deny');
    IDS['M2'] = denial['marker_id'] as string;
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('merges every domain newest first, ties by (domain, id) descending, and pages by 3 without loss or repeat', async () => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const { status, body }: { status: number; body: Json } = await get(`/v1/timeline?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      expect(body['domains']).toEqual(['lifecycle', 'tool', 'observability', 'cluster', 'marker', 'run']);
      pages.push(labels(body['items'] as Json[]));
      cursor = body['next_cursor'] as string | null;
    } while (cursor && pages.length < 10);
    expect(pages).toEqual([
      ['M2', 'M1', 'W3'],
      ['W4', 'O2', 'L3'],
      ['R1', 'L4', 'W2'],
      ['L2', 'K1', 'O1'],
      ['W1', 'L1'],
    ]);
  });

  it('describes each row: summary, subject, ledger position and the stored columns', async () => {
    const { body } = await get('/v1/timeline?engine_id=e1&limit=2');
    const [o2, l3] = body['items'] as Json[];
    expect(o2).toMatchObject({ ts: '2026-11-20T10:10:00.000Z', domain: 'observability', id: IDS['O2'], subject: { engine_id: 'e1' } });
    expect(o2!['summary']).toBe('engine: execute.error · engine e1');
    expect(typeof o2!['ledger_seq']).toBe('number');
    // Payload-free: the body as a hash and a size, never its text.
    expect(o2!['details']).toMatchObject({ body_sha256: expect.stringMatching(/^[0-9a-f]{64}$/), body_size: 'engine log execute.error'.length });
    expect(JSON.stringify(o2)).not.toContain('engine log');
    expect(l3).toMatchObject({
      domain: 'lifecycle',
      id: IDS['L3'],
      summary: 'health_failed · engine e1 · user u1 · product prod-a · by system',
      subject: { engine_id: 'e1', user_id: 'u1' },
      details: { action: 'health_failed', metadata: { check: 'http', reason: 'probe timed out', consecutive_failures: 3 }, ts: '2026-11-20T10:10:00.000Z' },
    });
    expect(typeof l3!['ledger_seq']).toBe('number');
    const run = (await get(`/v1/timeline?project_id=${PROJECT}`)).body['items'] as Json[];
    expect(run).toEqual([expect.objectContaining({ domain: 'run', summary: 'http run (schedule): fail (120 ms)', subject: { project_id: PROJECT } })]);
    expect(run[0]!['details']).not.toHaveProperty('output');
    const cluster = (await get('/v1/timeline?domains=cluster')).body['items'] as Json[];
    expect(cluster.map((c) => c['summary'])).toEqual(['u1 delete pods engine-e1 in engines → 200 (ResponseComplete)']);
  });

  it.each([
    ['engine_id=e1', ['lifecycle', 'observability'], ['O2', 'L3', 'L2', 'O1', 'L1']],
    ['user_id=u1', ['lifecycle', 'tool', 'cluster'], ['W3', 'L3', 'W2', 'L2', 'K1', 'W1', 'L1']],
    ['workspace_id=ws-a', ['tool', 'marker'], ['M2', 'W3', 'W2', 'W1']],
    ['graph_run_id=g1', ['tool', 'marker'], ['W3', 'W2', 'W1']],
    [`project_id=${PROJECT}`, ['run'], ['R1']],
    ['domains=run,lifecycle', ['lifecycle', 'run'], ['L3', 'R1', 'L4', 'L2', 'L1']],
    ['engine_id=e1&user_id=u1', ['lifecycle'], ['L3', 'L2', 'L1']],
    ['engine_id=e1&workspace_id=ws-a', [], []],
    [`from=${at('10:04')}&to=${at('10:10')}`, ['lifecycle', 'tool', 'observability', 'cluster', 'marker', 'run'], ['R1', 'L4', 'W2', 'L2', 'K1']],
  ])('filters by %s', async (query, domains, expected) => {
    const { status, body } = await get(`/v1/timeline?${query}`);
    expect(status).toBe(200);
    expect(body['domains']).toEqual(domains);
    expect(labels(body['items'] as Json[])).toEqual(expected);
  });

  it('pages a filtered timeline across the 10:10 tie (user u1, limit 1)', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { body }: { body: Json } = await get(`/v1/timeline?user_id=u1&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...labels(body['items'] as Json[]));
      cursor = body['next_cursor'] as string | null;
    } while (cursor && seen.length < 20);
    expect(seen).toEqual(['W3', 'L3', 'W2', 'L2', 'K1', 'W1', 'L1']);
  });

  it('a workspace-scoped caller sees only its workspace: its tool events and the markers naming it', async () => {
    const all = await get('/v1/timeline', scopedA);
    expect(all.status).toBe(200);
    expect(all.body['workspace_scope']).toBe('ws-a');
    expect(all.body['domains']).toEqual(['tool', 'marker']);
    expect(labels(all.body['items'] as Json[])).toEqual(['M2', 'W3', 'W2', 'W1']);
    // Fleet-wide subjects find nothing rather than another scope's rows.
    const engine = await get('/v1/timeline?engine_id=e1', scopedA);
    expect([engine.status, engine.body['items'], engine.body['domains']]).toEqual([200, [], []]);
    const lifecycleOnly = await get('/v1/timeline?domains=lifecycle,run,cluster,observability', scopedA);
    expect(lifecycleOnly.body['items']).toEqual([]);
    const other = await get('/v1/timeline?workspace_id=ws-b', scopedA);
    expect([other.status, other.body['type']]).toEqual([403, expect.stringContaining('workspace-forbidden')]);
    expect(other.body['errors']).toEqual([expect.objectContaining({ path: 'workspace_id', in: 'query' })]);
  });

  it('refuses bad input naming the field: a forged cursor, an unknown domain, a non-UUID project', async () => {
    const forged = await get(`/v1/timeline?cursor=${encodeCursor(['2026-11-20T10:10:00.000000Z', 'tool', "1'; DROP TABLE audit.ledger; --"])}`);
    expect([forged.status, forged.body['errors']]).toEqual([400, [{ path: 'cursor', rule: 'must be a cursor returned as next_cursor', in: 'query' }]]);
    const lifecycleCursor = await get(`/v1/timeline?cursor=${encodeCursor(['2026-11-20 10:10:00+00', IDS['L3']])}`);
    expect(lifecycleCursor.status).toBe(400);
    const domain = await get('/v1/timeline?domains=lifecycle,payloads');
    expect([domain.status, domain.body['errors']?.[0]?.['path']]).toEqual([400, 'domains']);
    const project = await get('/v1/timeline?project_id=not-a-uuid');
    expect([project.status, project.body['errors']?.[0]?.['path']]).toEqual([400, 'project_id']);
    const unauthenticated = await gw.call('/v1/timeline');
    expect(unauthenticated.status).toBe(401);
  });

  it('GET /v1/lifecycle-events/{id}: the event with its metadata and the keys its action does not define', async () => {
    const l1 = await get(`/v1/lifecycle-events/${IDS['L1']}`);
    expect(l1.status).toBe(200);
    expect(l1.body).toMatchObject({
      event_id: IDS['L1'],
      action: 'provision',
      engine_id: 'e1',
      metadata: { image: 'registry.example/engine:1.4.2', region: 'eu-1', tier: 'gold' },
      unknown_metadata_keys: ['tier'],
    });
    expect((await get(`/v1/lifecycle-events/${IDS['L3']}`)).body['unknown_metadata_keys']).toEqual([]);
    const missing = await get(`/v1/lifecycle-events/${id('999')}`);
    expect([missing.status, missing.body['type']]).toEqual([404, expect.stringContaining('event-not-found')]);
    expect((await get('/v1/lifecycle-events/not-a-uuid')).status).toBe(400);
    expect((await get(`/v1/lifecycle-events/${IDS['L1']}`, scopedA)).status).toBe(403);
  });

  it("GET /v1/tool-events/{id}: the stored call; another workspace's event is 404 for a scoped caller", async () => {
    const w3 = await get(`/v1/tool-events/${IDS['W3']}`);
    expect(w3.status).toBe(200);
    expect(w3.body).toMatchObject({ event_id: IDS['W3'], workspace_id: 'ws-a', tool: 'jira', graph_run_id: 'g1', input_hash: 'a'.repeat(64) });
    expect(typeof w3.body['ledger_seq']).toBe('number');
    expect((await get(`/v1/tool-events/${IDS['W3']}`, scopedA)).status).toBe(200);
    const hidden = await get(`/v1/tool-events/${IDS['W4']}`, scopedA);
    expect([hidden.status, hidden.body['type']]).toEqual([404, expect.stringContaining('event-not-found')]);
    expect((await get(`/v1/tool-events/${IDS['L1']}`)).status).toBe(404);
  });
});
