import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CloudEvent, HTTP, type Message } from 'cloudevents';
import { Pool } from 'pg';
import { canonicalJson } from '@auditstack/evidence';
import { EvidenceService } from '@auditstack/evidence-store';
import { deriveCloudEventId } from '../../apps/gateway/src/cloudevents/cloudevent-id.util';
import { assertLedgerCovers, startGateway, type GatewayHarness } from './support/gateway-harness';

interface BatchBody {
  results: { index: number; status: string; event_id?: string; errors?: string[] }[];
  accepted: number;
  duplicate: number;
  rejected: number;
  backend: string;
}

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { path: string; rule: string; in?: string }[];
}

const TIME = '2026-11-20T10:00:00.000Z';
const SOURCE = '/orchestrator/eu-1';

const startData = { product_id: 'prod-a', user_id: 'u-1', actor: 'system', metadata: { reason: 'request', boot_ms: 1200 }, duration_ms: 1200 };
const toolData = {
  workspace_id: 'ws-1',
  user_id: 'u-1',
  agent_id: 'agent-a',
  tool: 'github',
  action: 'search',
  status: 'ok',
  duration_ms: 250,
  in_size: 1024,
  out_size: 4096,
  input_hash: 'a'.repeat(64),
};

/** A CloudEvent as the SDK builds it (strict: the SDK validates it against CloudEvents 1.0). */
function cloudEvent(attributes: Record<string, unknown>): CloudEvent<unknown> {
  return new CloudEvent({ source: SOURCE, time: TIME, datacontenttype: 'application/json', ...attributes });
}

/** CloudEvents 1.0 over HTTP through the real gateway: binary, structured and batched, emitted with the `cloudevents` SDK. */
describe('gateway CloudEvents ingest (POST /v1/cloudevents)', () => {
  let gw: GatewayHarness;
  let writer: string;

  const send = (message: Message, token: string = writer): Promise<Response> =>
    gw.call('/v1/cloudevents', token, { raw: String(message.body), headers: message.headers as Record<string, string> });
  const batch = (events: unknown[], token: string = writer): Promise<Response> =>
    gw.call('/v1/cloudevents', token, { raw: JSON.stringify(events), headers: { 'content-type': 'application/cloudevents-batch+json; charset=utf-8' } });

  beforeAll(async () => {
    gw = await startGateway();
    writer = await gw.token('ce-writer', ['events.write']);
  });
  afterAll(async () => gw?.close());

  it('binary mode (HTTP.binary): a lifecycle event is stored with ts from time, engine_id from subject and event_id from (source, id); a redelivery is a duplicate', async () => {
    const event = cloudEvent({ id: 'evt-start-1', type: 'com.september.engine.start', subject: 'eng-1', data: startData });
    const message = HTTP.binary(event);
    expect(message.headers['ce-id']).toBe('evt-start-1');
    const res = await send(message);
    const eventId = deriveCloudEventId(SOURCE, 'evt-start-1');
    expect([res.status, await res.json()]).toEqual([200, { event_id: eventId, status: 'accepted', backend: 'postgres' }]);
    const row = await gw.sql.query(
      'SELECT ts, action, actor, engine_id, product_id, user_id, metadata, duration_ms FROM audit.lifecycle_events WHERE event_id = $1',
      [eventId],
    );
    expect(row.rows).toEqual([
      {
        ts: new Date(TIME),
        action: 'start',
        actor: 'system',
        engine_id: 'eng-1',
        product_id: 'prod-a',
        user_id: 'u-1',
        metadata: expect.objectContaining({ reason: 'request', boot_ms: 1200 }),
        duration_ms: 1200,
      },
    ]);
    const again = await send(HTTP.binary(event));
    expect([again.status, await again.json()]).toEqual([200, { event_id: eventId, status: 'duplicate', backend: 'postgres' }]);
  });

  it('structured mode (HTTP.structured): a tool call is stored with req_id from the id; a redelivery is a duplicate', async () => {
    const event = cloudEvent({ id: 'call-0001', type: 'io.auditstack.tool.call', data: toolData });
    const message = HTTP.structured(event);
    expect(message.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    const res = await send(message);
    const eventId = deriveCloudEventId(SOURCE, 'call-0001');
    expect([res.status, await res.json()]).toEqual([200, { event_id: eventId, status: 'accepted', backend: 'postgres' }]);
    const row = await gw.sql.query('SELECT ts, req_id, workspace_id, tool, status, in_size, out_size, input_hash FROM audit.tool_events WHERE event_id = $1', [
      eventId,
    ]);
    expect(row.rows).toEqual([
      {
        ts: new Date(TIME),
        req_id: 'call-0001',
        workspace_id: 'ws-1',
        tool: 'github',
        status: 'ok',
        in_size: 1024,
        out_size: 4096,
        input_hash: 'a'.repeat(64),
      },
    ]);
    const again = await send(HTTP.structured(event));
    expect(((await again.json()) as { status: string }).status).toBe('duplicate');
  });

  it('tolerant schemas apply: an unknown metadata key is kept and flagged, the warning naming data.metadata', async () => {
    const event = cloudEvent({
      id: 'evt-tier-1',
      type: 'com.september.engine.start',
      subject: 'eng-3',
      data: { ...startData, metadata: { reason: 'request', tier: 'gold' } },
    });
    const res = await send(HTTP.binary(event));
    const eventId = deriveCloudEventId(SOURCE, 'evt-tier-1');
    expect([res.status, await res.json()]).toEqual([
      200,
      { event_id: eventId, status: 'accepted', backend: 'postgres', warnings: [expect.stringMatching(/^data\.metadata\.tier: unknown key, kept/)] },
    ]);
    const row = await gw.sql.query('SELECT metadata FROM audit.lifecycle_events WHERE event_id = $1', [eventId]);
    expect(row.rows[0].metadata).toEqual({ reason: 'request', tier: 'gold' });
  });

  it('a batch: per-event outcomes — mixed kinds stored, redelivery duplicate, unknown and onboarding types and payload keys rejected with reasons, nothing of a payload stored', async () => {
    const events = [
      cloudEvent({
        id: 'evt-prov-1',
        type: 'io.auditstack.lifecycle.provision',
        data: { engine_id: 'eng-7', product_id: 'prod-a', actor: 'prod-a', metadata: { image: 'registry.example/engine:1.4.2', region: 'eu' } },
      }), // 0 accepted
      cloudEvent({ id: 'call-0002', type: 'gen_ai.execute_tool', data: { ...toolData, tool: undefined, 'gen_ai.tool.name': 'jira' } }), // 1 accepted
      cloudEvent({ id: 'evt-start-1', type: 'com.september.engine.start', subject: 'eng-1', data: startData }), // 2 duplicate (binary test)
      cloudEvent({ id: 'x-1', type: 'com.example.invoice.paid', data: {} }), // 3 unknown type
      cloudEvent({ id: 'x-2', type: 'com.ligbox.account.created', data: { email_hash: 'b'.repeat(64) } }), // 4 onboarding: not ours
      cloudEvent({ id: 'call-0003', type: 'io.auditstack.tool.call', data: { ...toolData, prompt: 'secret prompt text' } }), // 5 payload key
      cloudEvent({ id: 'evt-bad-1', type: 'io.auditstack.lifecycle.teleport', data: {} }), // 6 unknown action
    ].map((e) => JSON.parse(e.toString()) as Record<string, unknown>);
    const { id: _id, ...noId } = events[0]!;
    const res = await batch([...events, noId, { ...events[1], id: 'call-0004', time: 'yesterday' }]); // 7 no id, 8 bad time
    expect(res.status).toBe(200);
    const body = (await res.json()) as BatchBody;
    expect(body.results.map((r) => r.status)).toEqual([
      'accepted',
      'accepted',
      'duplicate',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect([body.accepted, body.duplicate, body.rejected, body.backend]).toEqual([2, 1, 6, 'postgres']);
    expect(body.results[0]!.event_id).toBe(deriveCloudEventId(SOURCE, 'evt-prov-1'));
    expect(body.results[2]!.event_id).toBe(deriveCloudEventId(SOURCE, 'evt-start-1'));
    expect(body.results[3]!.errors!.join()).toMatch(/^\[3\] type: not a supported CloudEvents type; supported: io\.auditstack\.lifecycle\.<action>/);
    expect(body.results[3]!.errors!.join()).not.toContain('invoice');
    expect(body.results[4]!.errors!.join()).toMatch(/^\[4\] type: onboarding events \(account\.created, onboarding\.completed\) are not ingested/);
    expect(body.results[5]!.errors!.join()).toContain('[5] data: payload fields are never stored: "prompt"');
    expect(body.results[6]!.errors!.join()).toMatch(/^\[6\] type: unknown lifecycle action/);
    expect(body.results[7]!.errors).toEqual(['[7] id: required']);
    expect(body.results[8]!.errors!.join()).toMatch(/^\[8\] time: /);

    const tool = await gw.sql.query('SELECT tool, req_id FROM audit.tool_events WHERE event_id = $1', [body.results[1]!.event_id]);
    expect(tool.rows).toEqual([{ tool: 'jira', req_id: 'call-0002' }]);
    const leaked = await gw.sql.query(`SELECT 1 FROM audit.tool_events WHERE row_to_json(tool_events)::text LIKE '%secret prompt%'`);
    expect(leaked.rowCount).toBe(0);

    // The same batch again: nothing new.
    const again = (await (await batch([...events, noId])).json()) as BatchBody;
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
  });

  it('an unsupported type from an engine (engineid extension) is kept as a payload-free observability event', async () => {
    const data = { replicas: 3, note: 'secret operator text' };
    const event = cloudEvent({
      id: 'obs-1',
      type: 'com.example.autoscaler.scaled',
      engineid: 'eng-5',
      traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`,
      data,
    });
    const res = await send(HTTP.binary(event));
    const eventId = deriveCloudEventId(SOURCE, 'obs-1');
    expect([res.status, await res.json()]).toEqual([200, { event_id: eventId, status: 'accepted', backend: 'postgres' }]);
    const row = await gw.sql.query(
      'SELECT ts, source, engine_id, event_name, trace_id, span_id, body_sha256, body_size, attributes, attribute_count FROM audit.observability_events WHERE event_id = $1',
      [eventId],
    );
    expect(row.rows).toEqual([
      {
        ts: new Date(TIME),
        source: 'cloudevents',
        engine_id: 'eng-5',
        event_name: 'com.example.autoscaler.scaled',
        trace_id: 'c'.repeat(32),
        span_id: 'd'.repeat(16),
        body_sha256: createHash('sha256').update(canonicalJson(data)).digest('hex'),
        body_size: Buffer.byteLength(canonicalJson(data)),
        attributes: { 'cloudevents.event_id': 'obs-1', 'cloudevents.event_source': SOURCE, 'cloudevents.event_spec_version': '1.0' },
        attribute_count: 8,
      },
    ]);
    const leaked = await gw.sql.query(`SELECT 1 FROM audit.observability_events WHERE row_to_json(observability_events)::text LIKE '%secret operator%'`);
    expect(leaked.rowCount).toBe(0);
    expect(((await (await send(HTTP.structured(event))).json()) as { status: string }).status).toBe('duplicate');
  });

  it('one refused CloudEvent → 400 CLOUDEVENT_REJECTED naming the attribute (a header in binary mode), nothing stored', async () => {
    const count = async (): Promise<number> =>
      Number((await gw.sql.query('SELECT (SELECT count(*) FROM audit.lifecycle_events) + (SELECT count(*) FROM audit.tool_events) AS n')).rows[0].n);
    const before = await count();
    const unknown = await send(HTTP.structured(cloudEvent({ id: 'u-1', type: 'com.example.thing.happened', data: {} })));
    const problem = (await unknown.json()) as Problem;
    expect([unknown.status, unknown.headers.get('content-type')]).toEqual([400, expect.stringContaining('application/problem+json')]);
    expect(problem.code).toBe('CLOUDEVENT_REJECTED');
    expect(problem.detail).toMatch(/^type: not a supported CloudEvents type; supported: /);
    expect(problem.errors).toEqual([{ path: 'type', rule: expect.stringMatching(/^not a supported/), in: 'body' }]);

    const noType = await gw.call('/v1/cloudevents', writer, {
      raw: JSON.stringify(toolData),
      headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'a-1', 'ce-source': SOURCE },
    });
    const noTypeProblem = (await noType.json()) as Problem;
    expect([noType.status, noTypeProblem.code, noTypeProblem.detail]).toEqual([400, 'CLOUDEVENT_REJECTED', 'type: required (header ce-type)']);
    expect(noTypeProblem.errors).toEqual([{ path: 'ce-type', rule: 'required (header ce-type)', in: 'header' }]);

    const payload = await send(HTTP.binary(cloudEvent({ id: 'call-p', type: 'io.auditstack.tool.call', data: { ...toolData, output: 'the answer' } })));
    expect([payload.status, ((await payload.json()) as Problem).detail]).toEqual([
      400,
      expect.stringContaining('data: payload fields are never stored: "output"'),
    ]);

    const badMetadata = await send(
      HTTP.binary(cloudEvent({ id: 'p-1', type: 'io.auditstack.lifecycle.provision', data: { engine_id: 'e', product_id: 'p', actor: 'system' } })),
    );
    expect(((await badMetadata.json()) as Problem).detail).toContain('data.metadata.image: required');

    const notCe = await gw.call('/v1/cloudevents', writer, { body: { hello: 'world' } });
    expect([notCe.status, ((await notCe.json()) as Problem).detail]).toEqual([400, expect.stringMatching(/^not a CloudEvent: send ce-specversion/)]);
    expect(await count()).toBe(before);
  });

  it('workspace-scoped callers: tool calls of their workspace only, no lifecycle events (403 alone, rejected in a batch); auth and limits', async () => {
    const scoped = await gw.token('ce-scoped', ['events.write'], 'ws-1');
    const lifecycle = cloudEvent({
      id: 'evt-scoped-1',
      type: 'io.auditstack.lifecycle.stop',
      subject: 'eng-1',
      data: { actor: 'admin', metadata: { reason: 'idle' } },
    });
    const forbidden = await send(HTTP.structured(lifecycle), scoped);
    expect([forbidden.status, ((await forbidden.json()) as Problem).code]).toEqual([403, 'WORKSPACE_FORBIDDEN']);
    const own = cloudEvent({ id: 'call-ws1', type: 'io.auditstack.tool.call', data: toolData });
    const other = cloudEvent({ id: 'call-ws2', type: 'io.auditstack.tool.call', data: { ...toolData, workspace_id: 'ws-2' } });
    const body = (await (
      await batch(
        [own, other, lifecycle].map((e) => JSON.parse(e.toString()) as unknown),
        scoped,
      )
    ).json()) as BatchBody;
    expect(body.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'rejected']);
    expect(body.results[1]!.errors!.join()).toContain('[1] data.workspace_id: this token is scoped to workspace "ws-1"');
    expect(body.results[2]!.errors!.join()).toContain('[2] type: lifecycle events are fleet-wide');
    const telemetry = cloudEvent({ id: 'obs-scoped', type: 'com.example.autoscaler.scaled', engineid: 'eng-5', data: {} });
    const refused = await send(HTTP.structured(telemetry), scoped);
    expect([refused.status, ((await refused.json()) as Problem).detail]).toEqual([403, expect.stringMatching(/^observability events are fleet-wide/)]);

    expect((await send(HTTP.structured(own), '')).status).toBe(401);
    const reader = await gw.token('ce-reader', ['events.read']);
    expect((await send(HTTP.structured(own), reader)).status).toBe(403);
    const text = await gw.call('/v1/cloudevents', writer, { raw: 'hello', headers: { 'content-type': 'text/plain', 'ce-specversion': '1.0' } });
    expect([text.status, ((await text.json()) as Problem).code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const tooMany = await batch(Array.from({ length: 10_001 }, () => ({})));
    expect([tooMany.status, ((await tooMany.json()) as Problem).code]).toEqual([413, 'BATCH_TOO_LARGE']);
    const big = await gw.call('/v1/cloudevents', writer, {
      raw: JSON.stringify([{ pad: 'x'.repeat(5 * 1024 * 1024) }]),
      headers: { 'content-type': 'application/cloudevents-batch+json' },
    });
    expect(big.status).toBe(413);
    const poisoned = await gw.call('/v1/cloudevents', writer, {
      raw: '{"specversion":"1.0","id":"a","source":"/x","type":"io.auditstack.tool.call","__proto__":{"x":1}}',
      headers: { 'content-type': 'application/cloudevents+json' },
    });
    expect(poisoned.status).toBe(400);
  });

  it('a batch of 10,000 tool calls (the bound) is stored whole', async () => {
    const events = Array.from(
      { length: 10_000 },
      (_, i) => JSON.parse(cloudEvent({ id: `bulk-${i}`, type: 'io.auditstack.tool.call', data: toolData }).toString()) as unknown,
    );
    const started = performance.now();
    const res = await batch(events);
    const body = (await res.json()) as BatchBody;
    process.stdout.write(`cloudevents: batch of 10,000 → ${body.accepted} accepted in ${Math.round(performance.now() - started)} ms\n`);
    expect([res.status, body.accepted, body.rejected]).toEqual([200, 10_000, 0]);
  });

  it('every stored CloudEvent is a ledger leaf and the evidence verifier passes (auditstack verify exit 0)', async () => {
    const lifecycle = await gw.sql.query<{ n: string }>('SELECT count(*) AS n FROM audit.lifecycle_events');
    const tools = await gw.sql.query<{ n: string }>('SELECT count(*) AS n FROM audit.tool_events');
    const observability = await gw.sql.query<{ n: string }>('SELECT count(*) AS n FROM audit.observability_events');
    process.stdout.write(`cloudevents: ${lifecycle.rows[0]!.n} lifecycle, ${tools.rows[0]!.n} tool, ${observability.rows[0]!.n} observability rows stored\n`);
    expect(await assertLedgerCovers(gw.sql)).toBe(Number(lifecycle.rows[0]!.n) + Number(tools.rows[0]!.n) + Number(observability.rows[0]!.n));
    const pool = new Pool({ connectionString: gw.db.url, max: 2 });
    try {
      const evidence = new EvidenceService({ db: pool, home: gw.home });
      await evidence.checkpointNow();
      const report = await evidence.verifyOnline();
      expect(report.problems ?? []).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      await pool.end();
    }
    const cli = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [join(__dirname, '../../tools/bin/auditstack.js'), 'verify'], {
        env: { ...process.env, DATABASE_URL: gw.db.url, AUDITSTACK_HOME: gw.home },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    process.stdout.write(`cloudevents: auditstack verify exit ${cli.code}\n`);
    expect([cli.code, cli.out]).toEqual([0, expect.any(String)]);
  });
});
