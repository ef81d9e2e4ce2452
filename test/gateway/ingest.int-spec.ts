import { randomUUID } from 'node:crypto';
import { assertLedgerCovers, lifecycleEvent, startGateway, toolEvent, type GatewayHarness } from './support/gateway-harness';

interface BatchBody {
  results: { index: number; status: string; event_id?: string; errors?: string[] }[];
  accepted: number;
  duplicate: number;
  rejected: number;
  backend: string;
}

/** Ingest over HTTP against real PostgreSQL: per-event outcomes, idempotency, limits, evidence. */
describe('gateway ingest', () => {
  let gw: GatewayHarness;
  let writer: string;
  let reader: string;

  beforeAll(async () => {
    gw = await startGateway();
    writer = await gw.token('writer', ['events.write']);
    reader = await gw.token('reader', ['events.read']);
  });
  afterAll(async () => gw?.close());

  const count = async (table: string): Promise<number> => Number((await gw.sql.query(`SELECT count(*) AS n FROM audit.${table}`)).rows[0].n);

  it('a batch with valid, duplicate and invalid events → exact per-event outcomes; the database holds the valid ones once, each ledger-covered', async () => {
    const id1 = randomUUID();
    const first = await gw.call('/v1/lifecycle-events', writer, { body: lifecycleEvent({ event_id: id1 }) });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ event_id: id1, status: 'accepted', backend: 'postgres' });

    const id2 = randomUUID();
    const noId = lifecycleEvent({ engine_id: 'eng-2', ts: '2026-11-20T11:00:00Z' });
    const batch = [
      lifecycleEvent({ event_id: id2, action: 'stop', metadata: { reason: 'idle', idle_seconds: 600 } }), // 0 accepted
      lifecycleEvent({ event_id: id1 }), // 1 duplicate of the earlier request
      lifecycleEvent({ action: 'teleport' }), // 2 unknown action
      lifecycleEvent({ event_id: id2, action: 'stop', metadata: { reason: 'idle', idle_seconds: 600 } }), // 3 duplicate inside the batch
      noId, // 4 accepted, id derived
      lifecycleEvent({ action: 'provision', metadata: { region: 'eu' } }), // 5 metadata.image missing
      noId, // 6 same content, same derived id → duplicate
      lifecycleEvent({ ts: '2026-11-20 10:00' }), // 7 bad ts
    ];
    const res = await gw.call('/v1/lifecycle-events', writer, { body: batch });
    expect(res.status).toBe(200);
    const body = (await res.json()) as BatchBody;
    expect(body.results.map((r) => r.status)).toEqual(['accepted', 'duplicate', 'rejected', 'duplicate', 'accepted', 'rejected', 'duplicate', 'rejected']);
    expect([body.accepted, body.duplicate, body.rejected]).toEqual([2, 3, 3]);
    expect(body.results[2]!.errors!.join()).toMatch(/^\[2\] action: unknown lifecycle action "teleport"/);
    expect(body.results[5]!.errors!.join()).toContain('[5] metadata.image: required');
    expect(body.results[7]!.errors!.join()).toContain('[7] ts:');
    expect(body.results[4]!.event_id).toBe(body.results[6]!.event_id);
    expect(body.results[4]!.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const stored = await gw.sql.query<{ event_id: string }>('SELECT event_id FROM audit.lifecycle_events ORDER BY ts, event_id');
    expect(stored.rows.map((r) => r.event_id).sort()).toEqual([id1, id2, body.results[4]!.event_id].sort());
    expect(await assertLedgerCovers(gw.sql)).toBe(3);

    // The same batch again: nothing new.
    const again = (await (await gw.call('/v1/lifecycle-events', writer, { body: batch })).json()) as BatchBody;
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'rejected', 'duplicate', 'duplicate', 'rejected', 'duplicate', 'rejected']);
    expect(await count('lifecycle_events')).toBe(3);
  });

  it('a single invalid event → 400 naming the field, nothing stored', async () => {
    const before = await count('tool_events');
    const res = await gw.call('/v1/tool-events', writer, { body: toolEvent({ input_hash: 'not-a-hash' }) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as { detail: string; code: string; errors: { path: string; rule: string; in: string }[] };
    expect(body.detail).toMatch(/^input_hash: must be 64 lowercase hex/);
    expect(body.code).toBe('EVENT_REJECTED');
    expect(body.errors).toEqual([{ path: 'input_hash', rule: expect.stringMatching(/^must be 64 lowercase hex/), in: 'body' }]);
    expect(await count('tool_events')).toBe(before);
  });

  it.each(['input', 'output', 'payload', 'args', 'result', 'prompt', 'Messages'])(
    'a tool event carrying the payload-like field %s is rejected',
    async (field) => {
      const res = await gw.call('/v1/tool-events', writer, { body: [toolEvent({ [field]: 'secret text' }), toolEvent({ req_id: `ok-${field}` })] });
      const body = (await res.json()) as BatchBody;
      expect(body.results[0]!.status).toBe('rejected');
      expect(body.results[0]!.errors!.join()).toContain(`payload fields are never stored: "${field}"`);
      expect(body.results[1]!.status).toBe('accepted');
      const leaked = await gw.sql.query(`SELECT 1 FROM audit.tool_events WHERE row_to_json(tool_events)::text LIKE '%secret text%'`);
      expect(leaked.rowCount).toBe(0);
    },
  );

  it('tool events: sha256:-prefixed and bare input_hash are stored the same way, and each row is ledger-covered', async () => {
    const id = randomUUID();
    const res = await gw.call('/v1/tool-events', writer, { body: toolEvent({ event_id: id, input_hash: `sha256:${'b'.repeat(64)}` }) });
    expect(res.status).toBe(200);
    const row = await gw.sql.query('SELECT input_hash, workspace_id, in_size FROM audit.tool_events WHERE event_id = $1', [id]);
    expect(row.rows[0]).toEqual({ input_hash: 'b'.repeat(64), workspace_id: 'ws-1', in_size: 1024 });
    await assertLedgerCovers(gw.sql);
  });

  it('more than 10,000 events or more than 5 MB → 413, nothing stored; 10,000 small events are fine', async () => {
    const before = await count('tool_events');
    const tooMany = Array.from({ length: 10_001 }, (_, i) => toolEvent({ req_id: `r-${i}` }));
    expect((await gw.call('/v1/tool-events', writer, { body: tooMany })).status).toBe(413);
    const big = JSON.stringify(
      Array.from({ length: 9_000 }, (_, i) => lifecycleEvent({ engine_id: `e-${i}`, metadata: { reason: 'idle', x: 'y'.repeat(500) } })),
    );
    expect(Buffer.byteLength(big)).toBeGreaterThan(5 * 1024 * 1024);
    expect((await gw.call('/v1/lifecycle-events', writer, { raw: big })).status).toBe(413);
    expect(await count('tool_events')).toBe(before);
    const max = Array.from({ length: 10_000 }, (_, i) => toolEvent({ req_id: `max-${i}` }));
    const res = await gw.call('/v1/tool-events', writer, { body: max });
    expect(res.status).toBe(200);
    expect(((await res.json()) as BatchBody).accepted).toBe(10_000);
    expect(await count('tool_events')).toBe(before + 10_000);
  });

  it('bodies that are not events → 400; a token without events.write → 403; no token → 401', async () => {
    for (const raw of ['[]', '"x"', '42', 'null', '{"a":']) {
      const res = await gw.call('/v1/tool-events', writer, { raw });
      expect(res.status).toBe(400);
    }
    expect((await gw.call('/v1/tool-events', reader, { body: toolEvent() })).status).toBe(403);
    expect((await gw.call('/v1/tool-events', undefined, { body: toolEvent() })).status).toBe(401);
  });

  it('a workspace-scoped token may only write tool events of its workspace', async () => {
    const scopedWriter = await gw.token('scoped-writer', ['events.write'], 'ws-1');
    const res = await gw.call('/v1/tool-events', scopedWriter, { body: [toolEvent({ req_id: 'own' }), toolEvent({ req_id: 'other', workspace_id: 'ws-2' })] });
    const body = (await res.json()) as BatchBody;
    expect(body.results.map((r) => r.status)).toEqual(['accepted', 'rejected']);
    expect(body.results[1]!.errors).toEqual(['[1] workspace_id: this token is scoped to workspace "ws-1"']);
  });

  it('concurrent small requests are group-committed and each gets its own outcomes', async () => {
    const before = Number((await gw.sql.query(`SELECT count(*) AS n FROM audit.tool_events`)).rows[0].n);
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const responses = await Promise.all(ids.map((id) => gw.call('/v1/tool-events', writer, { body: toolEvent({ event_id: id, req_id: 'gc' }) })));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { event_id: string; status: string }[];
    expect(bodies.map((b) => b.event_id)).toEqual(ids);
    expect(bodies.every((b) => b.status === 'accepted')).toBe(true);
    expect(await count('tool_events')).toBe(before + 200);
    // Rows written by one transaction share xmin: 200 concurrent requests took far fewer transactions.
    const txs = Number((await gw.sql.query(`SELECT count(DISTINCT xmin::text) AS n FROM audit.tool_events WHERE req_id = 'gc'`)).rows[0].n);
    expect(txs).toBeLessThan(100);
    await assertLedgerCovers(gw.sql);
  });

  it('/metrics and /ping show the active backend and ingest counters', async () => {
    const metrics = await (await gw.call('/metrics')).text();
    expect(metrics).toContain('auditstack_gateway_backend{backend="postgres"} 1');
    expect(metrics).toMatch(/auditstack_gateway_events_ingested_total\{kind="lifecycle",backend="postgres",result="duplicate"\} \d+/);
    expect(metrics).toContain('auditstack_gateway_ingest_duration_seconds_bucket');
    expect(metrics).toContain('auditstack_gateway_backend_fallback_active 0');
    const ping = (await (await gw.call('/ping?details=true')).json()) as { details: { backend: string } };
    expect(ping.details.backend).toBe('postgres');
  });
});
