import { createHash, randomUUID } from 'node:crypto';
import { Pool, type Client } from 'pg';
import { LEDGER_ROW_SOURCES, type LedgerRowInput } from '@auditstack/audit-core';
import { canonicalJson, payloadHash } from '@auditstack/evidence';
import { EvidenceService } from '@auditstack/evidence-store';
import { startGateway, startGatewayBehindProxy, type GatewayHarness } from './support/gateway-harness';
import { runVerify, waitFor } from './support/spool-faults';
import type { TcpProxy } from './support/tcp-proxy';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const USERS = ['system:serviceaccount:payments:api', 'alice@example.com', 'system:kube-controller-manager', 'bob@example.com'];
const VERBS = ['get', 'list', 'create', 'update', 'patch', 'delete', 'watch'];
const RESOURCES = [
  { resource: 'secrets', apiVersion: 'v1' },
  { resource: 'pods', apiVersion: 'v1' },
  { resource: 'deployments', apiGroup: 'apps', apiVersion: 'v1' },
  { resource: 'configmaps', apiVersion: 'v1' },
  { resource: 'leases', apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
];
const NAMESPACES = ['payments', 'web', 'kube-system'];

/** `2026-12-01T09:00:00.000000Z` + `ms` milliseconds, with microseconds as kube-apiserver writes them (metav1.MicroTime). */
function microTime(ms: number, micro = 0): string {
  return new Date(Date.UTC(2026, 11, 1, 9, 0, 0) + ms).toISOString().replace('Z', `${String(micro).padStart(3, '0')}Z`);
}

/**
 * The audit events of `requests` API requests as kube-apiserver's webhook
 * backend sends them (https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/):
 * for each request a `RequestReceived` event and a `ResponseComplete` event
 * sharing its auditID, Metadata level, items without kind/apiVersion.
 */
function auditEvents(requests: number, tag: string, startMs = 0): Json[] {
  const events: Json[] = [];
  for (let k = 0; k < requests; k++) {
    const auditID = randomUUID();
    const ref = RESOURCES[k % RESOURCES.length]!;
    const namespace = NAMESPACES[k % NAMESPACES.length]!;
    const verb = VERBS[k % VERBS.length]!;
    const name = verb === 'list' || verb === 'watch' ? undefined : `${ref.resource}-${tag}-${k}`;
    const path = ref.apiGroup ? `/apis/${ref.apiGroup}/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const common = {
      level: 'Metadata',
      auditID,
      requestURI: `${path}/namespaces/${namespace}/${ref.resource}${name ? `/${name}` : ''}`,
      verb,
      user: {
        username: USERS[k % USERS.length],
        uid: randomUUID(),
        groups: ['system:authenticated'],
        extra: { 'authentication.kubernetes.io/credential-id': ['JTI=x'] },
      },
      sourceIPs: ['192.0.2.10', `10.0.3.${k % 250}`],
      userAgent: 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46',
      objectRef: { ...ref, namespace, ...(name ? { name } : {}) },
      requestReceivedTimestamp: microTime(startMs + k * 10, 371),
    };
    events.push({ ...common, stage: 'RequestReceived', stageTimestamp: microTime(startMs + k * 10, 371) });
    events.push({
      ...common,
      stage: 'ResponseComplete',
      responseStatus: { metadata: {}, code: verb === 'create' ? 201 : 200 },
      stageTimestamp: microTime(startMs + k * 10 + 3, 912),
      annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': `RBAC: allowed by ClusterRoleBinding "${tag}"` },
    });
  }
  return events;
}

const eventList = (items: unknown[]): Json => ({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });

/**
 * Every cluster audit row has a `cluster` ledger leaf whose payload hash
 * re-computes from the row as stored; returns the number of rows checked.
 */
async function assertClusterLedger(sql: Client): Promise<number> {
  const source = LEDGER_ROW_SOURCES['cluster']!;
  const cols = [...source.columns, 'ledger_seq'].map((c) => `"${c}"`).join(', ');
  const { rows } = await sql.query<LedgerRowInput>(`SELECT ${cols} FROM ${source.table}`);
  const leaves = await sql.query<{ seq: string; kind: string; ref: string; payload_hash: Buffer }>(
    `SELECT seq, kind, ref, payload_hash FROM audit.ledger WHERE kind = 'cluster'`,
  );
  const bySeq = new Map(leaves.rows.map((l) => [Number(l.seq), l]));
  for (const row of rows) {
    const leaf = bySeq.get(Number(row['ledger_seq']));
    if (!leaf || leaf.ref !== String(row['event_id'])) throw new Error(`cluster ${String(row['event_id'])}: no matching ledger leaf`);
    if (!payloadHash(source.payload(row)).equals(leaf.payload_hash)) throw new Error(`cluster ${String(row['event_id'])}: payload hash does not re-compute`);
  }
  if (leaves.rows.length !== rows.length) throw new Error(`${leaves.rows.length} cluster leaves but ${rows.length} rows`);
  return rows.length;
}

async function checkpointAndVerify(gw: GatewayHarness): Promise<number | null> {
  const pool = new Pool({ connectionString: gw.db.url, max: 2 });
  try {
    await new EvidenceService({ db: pool, home: gw.home }).checkpointNow();
  } finally {
    await pool.end();
  }
  const cli = await runVerify(gw.db.url, gw.home);
  if (cli.code !== 0) process.stdout.write(cli.out);
  return cli.code;
}

const count = async (sql: Client, where = 'true', params: unknown[] = []): Promise<number> =>
  Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM audit.cluster_audit_events WHERE ${where}`, params)).rows[0]!.n);

describe('Kubernetes audit webhook backend (POST /v1/k8s-audit)', () => {
  let gw: GatewayHarness;
  let writer: string;
  let reader: string;
  const N_REQUESTS = 150;
  const batch = auditEvents(N_REQUESTS, 'batch');

  beforeAll(async () => {
    gw = await startGateway({ K8S_AUDIT_CLUSTER_ID: 'prod-eu-1' });
    writer = await gw.token('kube-apiserver', ['events.write']);
    reader = await gw.token('reader', ['events.read']);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('an EventList of N events as kube-apiserver sends it: N rows, N ledger leaves, verify exit 0; the same list again: all duplicates', async () => {
    const res = await gw.call('/v1/k8s-audit', writer, { body: eventList(batch) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ accepted: batch.length, duplicate: 0, rejected: 0, backend: 'postgres' });
    const stored = await count(gw.sql, 'cluster_id = $1', ['prod-eu-1']);
    expect(stored).toBe(batch.length);
    expect(await assertClusterLedger(gw.sql)).toBe(batch.length);
    const code = await checkpointAndVerify(gw);
    process.stdout.write(`k8s EventList: ${batch.length} sent, ${stored} stored, verify exit ${code}\n`);
    expect(code).toBe(0);

    // kube-apiserver resends a whole batch after a timeout or a 5xx: nothing is stored twice.
    const again = (await (await gw.call('/v1/k8s-audit', writer, { body: eventList(batch) })).json()) as Json;
    expect(again).toMatchObject({ accepted: 0, duplicate: batch.length, rejected: 0 });
    expect((again['results'] as Json[]).map((r) => r['event_id'])).toEqual((body['results'] as Json[]).map((r) => r['event_id']));
    expect(await count(gw.sql, 'cluster_id = $1', ['prod-eu-1'])).toBe(batch.length);
  });

  it('a list near the 5 MB body limit (4,000 events) is stored whole in one answer', async () => {
    const big = auditEvents(2_000, 'big', 3_600_000);
    const text = JSON.stringify(eventList(big));
    expect(Buffer.byteLength(text)).toBeLessThan(5 * 1024 * 1024);
    const started = performance.now();
    const res = await gw.call('/v1/k8s-audit', writer, { raw: text });
    const body = (await res.json()) as Json;
    const ms = Math.round(performance.now() - started);
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ accepted: big.length, rejected: 0 });
    process.stdout.write(`k8s EventList of ${big.length} events (${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB): answered 200 in ${ms} ms\n`);
    expect(await count(gw.sql, "annotations->>'authorization.k8s.io/reason' = $1", ['RBAC: allowed by ClusterRoleBinding "big"'])).toBe(big.length / 2);
  });

  it('stores the Kubernetes fields in their columns (one ResponseComplete event, read back)', async () => {
    const event = batch[1]!;
    const { rows } = await gw.sql.query<Json>('SELECT * FROM audit.cluster_audit_events WHERE audit_id = $1 AND stage = $2', [
      event['auditID'],
      'ResponseComplete',
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      cluster_id: 'prod-eu-1',
      level: 'Metadata',
      verb: 'get',
      username: USERS[0],
      user_groups: ['system:authenticated'],
      impersonated_user: null,
      source_ips: ['192.0.2.10', '10.0.3.0'],
      user_agent: 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46',
      api_group: null,
      api_version: 'v1',
      resource: 'secrets',
      namespace: 'payments',
      name: 'secrets-batch-0',
      request_uri: '/api/v1/namespaces/payments/secrets/secrets-batch-0',
      response_code: 200,
      request_object_sha256: null,
      request_object_size: 0,
      annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "batch"' },
    });
    expect((rows[0]!['ts'] as Date).toISOString()).toBe('2026-12-01T09:00:00.003Z');
    expect((rows[0]!['request_received_ts'] as Date).toISOString()).toBe('2026-12-01T09:00:00.000Z');
    // user.extra and user.uid are not kept.
    expect(JSON.stringify(rows[0])).not.toContain('JTI=x');
  });

  it('a RequestResponse-level event: no body stored, only SHA-256 of the canonical JSON and the size', async () => {
    const secret = 'hunter2-do-not-store';
    const requestObject = {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'db-password', namespace: 'payments' },
      type: 'Opaque',
      stringData: { password: secret },
    };
    const responseObject = {
      ...requestObject,
      metadata: { ...requestObject.metadata, uid: randomUUID(), resourceVersion: '48151' },
      data: { password: Buffer.from(secret).toString('base64') },
    };
    const event = {
      level: 'RequestResponse',
      auditID: randomUUID(),
      stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/payments/secrets?fieldManager=kubectl-create',
      verb: 'create',
      user: { username: 'alice@example.com', groups: ['devs', 'system:authenticated'] },
      impersonatedUser: { username: 'system:serviceaccount:payments:deployer' },
      sourceIPs: ['10.0.3.99'],
      userAgent: 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46',
      objectRef: { resource: 'secrets', namespace: 'payments', name: 'db-password', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
      requestObject,
      responseObject,
      requestReceivedTimestamp: microTime(60_000, 100),
      stageTimestamp: microTime(60_004, 200),
    };
    const res = (await (await gw.call('/v1/k8s-audit', writer, { body: eventList([event]) })).json()) as Json;
    expect(res).toMatchObject({ accepted: 1 });
    const { rows } = await gw.sql.query<Json>('SELECT row_to_json(c)::text AS text, c.* FROM audit.cluster_audit_events c WHERE audit_id = $1', [
      event.auditID,
    ]);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    const canonicalRequest = canonicalJson(requestObject);
    expect(row).toMatchObject({
      level: 'RequestResponse',
      impersonated_user: 'system:serviceaccount:payments:deployer',
      request_object_sha256: createHash('sha256').update(canonicalRequest).digest('hex'),
      request_object_size: Buffer.byteLength(canonicalRequest),
      response_object_sha256: createHash('sha256').update(canonicalJson(responseObject)).digest('hex'),
      response_object_size: Buffer.byteLength(canonicalJson(responseObject)),
    });
    for (const leak of [secret, Buffer.from(secret).toString('base64'), 'Opaque', '48151']) expect(row['text']).not.toContain(leak);
    expect(await assertClusterLedger(gw.sql)).toBe(await count(gw.sql));
  });

  it('one malformed item does not fail the list: the valid ones are stored, the bad one is rejected naming its Kubernetes field', async () => {
    const [good1, good2] = auditEvents(1, 'partial', 120_000);
    const noAuditId = { ...good1!, auditID: undefined, stage: 'ResponseComplete' };
    const badStage = { ...good1!, auditID: randomUUID(), stage: 'Finished' };
    const future = { ...good1!, auditID: randomUUID(), stageTimestamp: '2999-01-01T00:00:00.000000Z' };
    const res = await gw.call('/v1/k8s-audit', writer, { body: eventList([good1, noAuditId, 'not an event', badStage, future, good2]) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ accepted: 2, rejected: 4 });
    const results = body['results'] as Json[];
    expect(results.map((r) => r['status'])).toEqual(['accepted', 'rejected', 'rejected', 'rejected', 'rejected', 'accepted']);
    expect(results[1]!['errors']).toEqual(['[1] auditID: required']);
    expect(results[2]!['errors']).toEqual(['[2] must be an audit Event (a JSON object)']);
    expect(results[3]!['errors']).toEqual([expect.stringMatching(/^\[3\] stage: must be one of RequestReceived, /)]);
    expect(results[4]!['errors']).toEqual([expect.stringMatching(/^\[4\] stageTimestamp: must be between /)]);
    expect(JSON.stringify(results)).not.toContain('Finished');
    expect(await count(gw.sql, 'audit_id = $1', [good1!['auditID']])).toBe(2);
  });

  it.each([
    ['a JSON array', [{}], 'VALIDATION_FAILED'],
    ['the v1beta1 audit API', { kind: 'EventList', apiVersion: 'audit.k8s.io/v1beta1', items: [] }, 'K8S_AUDIT_REJECTED'],
    ['an audit Policy', { kind: 'Policy', apiVersion: 'audit.k8s.io/v1', rules: [{ level: 'Metadata' }] }, 'K8S_AUDIT_REJECTED'],
    ['items that are not a list', { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: 'x' }, 'K8S_AUDIT_REJECTED'],
  ])('an unreadable envelope (%s) is refused whole: 400 problem+json, nothing stored', async (_, body, code) => {
    const before = await count(gw.sql);
    const res = await gw.call('/v1/k8s-audit', writer, { body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as Json)['code']).toBe(code);
    expect(await count(gw.sql)).toBe(before);
  });

  it('more than 10,000 items: 413; a single Event (kind Event) is taken too, answered per item', async () => {
    const tooMany = await gw.call('/v1/k8s-audit', writer, { body: eventList(new Array(10_001).fill({})) });
    expect(tooMany.status).toBe(413);
    const tooBig = await gw.call('/v1/k8s-audit', writer, {
      body: eventList([{ ...auditEvents(1, 'big-body')[1], requestObject: { data: 'x'.repeat(6 * 1024 * 1024) } }]),
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get('content-type')).toContain('application/problem+json');
    const [single] = auditEvents(1, 'single', 180_000);
    const res = await gw.call('/v1/k8s-audit', writer, { body: { kind: 'Event', apiVersion: 'audit.k8s.io/v1', ...single } });
    expect(res.status).toBe(200);
    expect((await res.json()) as Json).toMatchObject({ accepted: 1, results: [{ index: 0, status: 'accepted' }] });
  });

  it('the same event twice in one list is stored once (the second is a duplicate), ledgered once', async () => {
    const [, event] = auditEvents(1, 'twice', 200_000);
    const res = (await (await gw.call('/v1/k8s-audit', writer, { body: eventList([event, event]) })).json()) as Json;
    expect(res).toMatchObject({ accepted: 1, duplicate: 1, rejected: 0 });
    expect(await count(gw.sql, 'audit_id = $1', [event!['auditID']])).toBe(1);
    expect(await assertClusterLedger(gw.sql)).toBe(await count(gw.sql));
  });

  it('attack: reusing another request’s Audit-ID (a client may set the header) does not hide the new event as a "duplicate"', async () => {
    const [, original] = auditEvents(1, 'victim', 240_000);
    const forged = { ...original!, verb: 'delete', requestURI: '/api/v1/namespaces/payments/secrets/db-password', stageTimestamp: microTime(240_500, 1) };
    expect(((await (await gw.call('/v1/k8s-audit', writer, { body: eventList([original]) })).json()) as Json)['accepted']).toBe(1);
    expect(((await (await gw.call('/v1/k8s-audit', writer, { body: eventList([forged]) })).json()) as Json)['accepted']).toBe(1);
    expect(await count(gw.sql, 'audit_id = $1', [original!['auditID']])).toBe(2);
  });

  it('attack: a 100 KB User-Agent does not get the event refused (the request would go unaudited): stored cut, flagged', async () => {
    const [, event] = auditEvents(1, 'ua', 300_000);
    const res = (await (await gw.call('/v1/k8s-audit', writer, { body: eventList([{ ...event!, userAgent: 'x'.repeat(100_000) }]) })).json()) as Json;
    expect(res).toMatchObject({ accepted: 1 });
    const { rows } = await gw.sql.query<Json>('SELECT user_agent, annotations FROM audit.cluster_audit_events WHERE audit_id = $1', [event!['auditID']]);
    expect((rows[0]!['user_agent'] as string).length).toBe(512);
    expect(rows[0]!['annotations']['auditstack.dev/altered-fields']).toBe('userAgent');
  });

  it('refuses a token without events.write, and a workspace-scoped writer (cluster events are fleet-wide)', async () => {
    const scoped = await gw.token('scoped', ['events.write', 'events.read'], 'ws-1');
    expect((await gw.call('/v1/k8s-audit', reader, { body: eventList([]) })).status).toBe(403);
    expect((await gw.call('/v1/k8s-audit', scoped, { body: eventList(auditEvents(1, 'scoped')) })).status).toBe(403);
    expect((await gw.call('/v1/cluster-audit-events', scoped)).status).toBe(403);
    expect((await gw.call('/v1/k8s-audit', undefined, { body: eventList([]) })).status).toBe(401);
    expect((await gw.call('/v1/cluster-audit-events', writer)).status).toBe(403);
  });

  describe('GET /v1/cluster-audit-events', () => {
    /** Every page of a query (limit 7), in order. */
    const walk = async (query: string): Promise<Json[]> => {
      const items: Json[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 200; pages++) {
        const res = await gw.call(`/v1/cluster-audit-events?${query}&limit=7${cursor ? `&cursor=${cursor}` : ''}`, reader);
        expect(res.status).toBe(200);
        const page = (await res.json()) as Json;
        expect(page['items'].length).toBeLessThanOrEqual(7);
        items.push(...page['items']);
        cursor = page['next_cursor'];
        if (cursor === null) return items;
      }
      throw new Error('more than 200 pages');
    };
    /** The batch's events matching `keep`, newest first, as `auditID/stage`. */
    const expected = (keep: (e: Json) => boolean): string[] =>
      batch
        .filter(keep)
        .sort((a, b) => String(b['stageTimestamp']).localeCompare(String(a['stageTimestamp'])))
        .map((e) => `${e['auditID']}/${e['stage']}`);
    const got = (items: Json[]): string[] => items.map((i) => `${i['audit_id']}/${i['stage']}`);
    const range = `from=${encodeURIComponent(microTime(0))}&to=${encodeURIComponent(microTime(N_REQUESTS * 10))}`;

    it.each([
      ['user', `user=${encodeURIComponent('alice@example.com')}`, (e: Json) => e['user']['username'] === 'alice@example.com'],
      ['verb', 'verb=delete', (e: Json) => e['verb'] === 'delete'],
      ['resource', 'resource=secrets', (e: Json) => e['objectRef']['resource'] === 'secrets'],
      ['namespace', 'namespace=kube-system', (e: Json) => e['objectRef']['namespace'] === 'kube-system'],
      [
        'resource and namespace',
        'resource=deployments&namespace=web',
        (e: Json) => e['objectRef']['resource'] === 'deployments' && e['objectRef']['namespace'] === 'web',
      ],
    ])('by %s, newest first, paged 7 at a time: exactly the matching events', async (_, filter, keep) => {
      const want = expected(keep);
      expect(want.length).toBeGreaterThan(7);
      expect(got(await walk(`${filter}&${range}&cluster_id=prod-eu-1`))).toEqual(want);
    });

    it('a page carries the stored fields, the ledger position and where it was read from', async () => {
      const page = (await (await gw.call(`/v1/cluster-audit-events?verb=create&${range}&limit=1`, reader)).json()) as Json;
      expect(page).toMatchObject({ source_backend: 'postgres', read_from: 'postgres', complete: true, next_cursor: expect.any(String) });
      expect(page['items'][0]).toMatchObject({
        verb: 'create',
        stage: expect.any(String),
        cluster_id: 'prod-eu-1',
        ledger_seq: expect.any(Number),
        ts: expect.stringMatching(/^2026-12-01T09:/),
        request_object_size: 0,
      });
    });

    it('a tampered cursor or a bad filter is a 400 naming the parameter', async () => {
      const bad = await gw.call('/v1/cluster-audit-events?cursor=eyJub3QiOiJhIGN1cnNvciJ9', reader);
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain('cursor');
      const badTime = await gw.call('/v1/cluster-audit-events?from=yesterday', reader);
      expect(badTime.status).toBe(400);
      expect(JSON.stringify(await badTime.json())).toContain('from');
    });
  });
});

/**
 * The webhook never makes kube-apiserver drop events: with AUDIT_BACKEND=auto
 * and PostgreSQL unreachable, an EventList is still answered 200 (the spool
 * holds it), and once PostgreSQL is back the events are replayed into it
 * exactly once, ledgered, and `auditstack verify` exits 0.
 */
describe('Kubernetes audit webhook while PostgreSQL is down (auto backend)', () => {
  let gw: GatewayHarness;
  let proxy: TcpProxy;
  let writer: string;

  beforeAll(async () => {
    const started = await startGatewayBehindProxy({ AUDIT_BACKEND: 'auto', AUDIT_FALLBACK_SECONDS: '1', K8S_AUDIT_CLUSTER_ID: 'edge-1' });
    gw = started;
    proxy = started.proxy;
    writer = await gw.token('kube-apiserver', ['events.write']);
    // Verified once while PostgreSQL is up, so the gateway vouches for the token during the outage.
    expect((await gw.call('/v1/k8s-audit', writer, { body: eventList([]) })).status).toBe(200);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answers 200 from the spool during the outage; replays every event once when PostgreSQL is back; verify exit 0', async () => {
    const events = auditEvents(40, 'outage');
    await proxy.cut();
    const res = await gw.call('/v1/k8s-audit', writer, { body: eventList(events) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ accepted: events.length, rejected: 0, backend: 'jsonl' });
    // kube-apiserver's retry of the same batch during the outage: still one copy each after the replay.
    expect(((await (await gw.call('/v1/k8s-audit', writer, { body: eventList(events) })).json()) as Json)['rejected']).toBe(0);

    await proxy.restore();
    const details = async (): Promise<Json> => ((await (await gw.call('/ping?details=true')).json()) as Json)['details'] as Json;
    expect(await waitFor(async () => (await details())['fallback_active'] === false, 30_000)).toBe(true);
    expect(await waitFor(async () => (await details())['spool_bytes'] === 0, 30_000)).toBe(true);

    const stored = await count(gw.sql, 'cluster_id = $1', ['edge-1']);
    const ids = (body['results'] as Json[]).map((r) => r['event_id'] as string);
    expect(await count(gw.sql, 'event_id = ANY($1::uuid[])', [ids])).toBe(events.length);
    expect(stored).toBe(events.length);
    expect(await assertClusterLedger(gw.sql)).toBe(events.length);
    const code = await checkpointAndVerify(gw);
    process.stdout.write(
      `k8s EventList during an outage: ${events.length} sent (200 from the spool), ${stored} replayed into PostgreSQL, verify exit ${code}\n`,
    );
    expect(code).toBe(0);
  });
});
