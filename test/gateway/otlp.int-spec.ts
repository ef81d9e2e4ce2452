import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Pool } from 'pg';
import { EvidenceService } from '@auditstack/evidence-store';
import { decodeLogsResponseProtobuf, encodeLogsRequestProtobuf } from '../../apps/gateway/src/otlp/otlp-decode.util';
import { assertLedgerCovers, startGateway, startGatewayBehindProxy, type GatewayHarness } from './support/gateway-harness';
import type { TcpProxy } from './support/tcp-proxy';

const PATH = '/v1/otlp/v1/logs';
const SECRET = 'PAYLOAD-SECRET-7f3a';

type Attr = Record<string, string | number | boolean>;

const kv = (attributes: Attr): Array<Record<string, unknown>> =>
  Object.entries(attributes).map(([key, v]) => ({
    key,
    value:
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'boolean'
          ? { boolValue: v }
          : Number.isInteger(v)
            ? { intValue: String(v) }
            : { doubleValue: v },
  }));

/** `ts` in nanoseconds since 1970 as OTLP/JSON writes it. */
const nanos = (iso: string): string => `${BigInt(Date.parse(iso)) * 1_000_000n}`;

function exportRequest(records: Array<Record<string, unknown>>, resource: Attr = { 'service.name': 'engine-runtime', 'engine.id': 'eng-otlp-1' }) {
  return { resourceLogs: [{ resource: { attributes: kv(resource) }, scopeLogs: [{ scope: { name: 'auditstack.test' }, logRecords: records }] }] };
}

function toolRecord(i: number, extra: Attr = {}): Record<string, unknown> {
  return {
    timeUnixNano: nanos('2026-11-20T10:00:00Z'),
    severityNumber: 9,
    body: { stringValue: `tool call ${SECRET}` },
    attributes: kv({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'github',
      'gen_ai.tool.call.id': `call-${i}`,
      'gen_ai.agent.id': 'agent-otlp',
      'gen_ai.tool.call.arguments': `{"q":"${SECRET}"}`,
      'auditstack.workspace_id': 'ws-otlp',
      'auditstack.duration_ms': 120 + i,
      'auditstack.tool.out_size': 2048,
      ...extra,
    }),
  };
}

function observabilityRecord(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timeUnixNano: nanos('2026-11-20T10:00:01Z'),
    severityNumber: 17,
    severityText: 'ERROR',
    body: { stringValue: `upstream failed for ${SECRET}` },
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    attributes: kv({ 'http.response.status_code': 502, 'error.type': 'upstream_timeout', 'user.secret': SECRET }),
    ...extra,
  };
}

const lifecycleRecord = (): Record<string, unknown> => ({
  timeUnixNano: nanos('2026-11-20T09:59:00Z'),
  attributes: kv({
    'event.name': 'auditstack.lifecycle.stop',
    'auditstack.product_id': 'prod-otlp',
    'auditstack.lifecycle.metadata.reason': 'idle',
    'auditstack.lifecycle.metadata.idle_seconds': 600,
  }),
});

/**
 * An agent process using the OpenTelemetry JS logs SDK as documented: a
 * LoggerProvider with a BatchLogRecordProcessor and the OTLP/HTTP protobuf
 * exporter (gzip, bearer header), emitting OTLP_N GenAI execute_tool records,
 * then flushing; any export failure (the exporter's result) exits 1.
 */
const SDK_EXPORTER_SCRIPT = `
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BatchLogRecordProcessor, LoggerProvider } = require('@opentelemetry/sdk-logs');
const { SeverityNumber } = require('@opentelemetry/api-logs');
const n = Number(process.env.OTLP_N);
const exporter = new OTLPLogExporter({ url: process.env.OTLP_URL, headers: { authorization: 'Bearer ' + process.env.OTLP_TOKEN }, compression: 'gzip' });
let failed = 0;
const exportOnce = exporter.export.bind(exporter);
exporter.export = (records, done) => exportOnce(records, (result) => { if (result.code !== 0) { failed++; console.error('export failed', result.error && result.error.message); } done(result); });
const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'agent-runtime', 'auditstack.workspace_id': 'ws-sdk' }),
  processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 64, scheduledDelayMillis: 50 })],
});
const logger = provider.getLogger('agent.tools', '1.0.0');
for (let i = 0; i < n; i++) {
  logger.emit({
    severityNumber: SeverityNumber.INFO,
    body: 'called tool with ${SECRET}',
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': i % 2 ? 'jira' : 'slack',
      'gen_ai.tool.call.id': 'sdk-call-' + i,
      'gen_ai.agent.name': 'sdk-agent',
      'auditstack.duration_ms': i,
    },
  });
}
// A lifecycle transition, named the modern way (LogRecord.eventName, protobuf field 12), not by an attribute.
logger.emit({ eventName: 'auditstack.lifecycle.stop', attributes: { 'engine.id': 'eng-sdk', 'auditstack.product_id': 'prod-sdk', 'auditstack.lifecycle.metadata.reason': 'idle' } });
provider.forceFlush().then(() => provider.shutdown()).then(() => {
  console.log('exported ' + n + ', failed exports ' + failed);
  process.exit(failed === 0 ? 0 : 1);
});
`;

/** OTLP/HTTP logs through the real gateway and PostgreSQL: JSON, protobuf + gzip, a real OpenTelemetry SDK exporter, partial success, hostile bodies. */
describe('gateway OTLP logs', () => {
  let gw: GatewayHarness;
  let writer: string;
  let reader: string;

  beforeAll(async () => {
    gw = await startGateway();
    writer = await gw.token('otlp-writer', ['events.write']);
    reader = await gw.token('otlp-reader', ['events.read']);
  });
  afterAll(async () => gw?.close());

  const count = async (table: string, where = 'true'): Promise<number> =>
    Number((await gw.sql.query(`SELECT count(*) AS n FROM audit.${table} WHERE ${where}`)).rows[0].n);

  const post = (body: Buffer | string, headers: Record<string, string>, token: string | null = writer): Promise<Response> =>
    fetch(`${gw.url}${PATH}`, { method: 'POST', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, body });

  it('OTLP/JSON: a tool call, a lifecycle record and an engine log → one row each, payload-free, listed by the read API', async () => {
    const res = await gw.call(PATH, writer, { body: exportRequest([toolRecord(1), lifecycleRecord(), observabilityRecord()]) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});

    const tool = await gw.sql.query('SELECT req_id, workspace_id, agent_id, tool, status, duration_ms, in_size, out_size, input_hash FROM audit.tool_events');
    expect(tool.rows).toEqual([
      {
        req_id: 'call-1',
        workspace_id: 'ws-otlp',
        agent_id: 'agent-otlp',
        tool: 'github',
        status: 'ok',
        duration_ms: 121,
        in_size: Buffer.byteLength(`{"q":"${SECRET}"}`),
        out_size: 2048,
        input_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    const lifecycle = await gw.sql.query('SELECT action, engine_id, product_id, metadata FROM audit.lifecycle_events');
    expect(lifecycle.rows).toEqual([{ action: 'stop', engine_id: 'eng-otlp-1', product_id: 'prod-otlp', metadata: { reason: 'idle', idle_seconds: 600 } }]);
    const obs = await gw.sql.query('SELECT * FROM audit.observability_events');
    expect(obs.rows).toHaveLength(1);
    expect(obs.rows[0]).toMatchObject({
      source: 'otlp',
      engine_id: 'eng-otlp-1',
      service_name: 'engine-runtime',
      scope_name: 'auditstack.test',
      severity_number: 17,
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      body_size: Buffer.byteLength(`upstream failed for ${SECRET}`),
      attribute_count: 3,
      attributes: { 'engine.id': 'eng-otlp-1', 'error.type': 'upstream_timeout', 'http.response.status_code': 502, 'service.name': 'engine-runtime' },
    });
    // The privacy promise: no body, no argument, no unlisted attribute value anywhere in the database's event rows.
    const everything = await gw.sql.query(
      `SELECT row_to_json(t)::text AS j FROM audit.tool_events t UNION ALL SELECT row_to_json(o)::text FROM audit.observability_events o
       UNION ALL SELECT row_to_json(l)::text FROM audit.lifecycle_events l`,
    );
    expect(everything.rows.map((r) => r.j).join('\n')).not.toContain(SECRET);

    const listed = await gw.call('/v1/observability-events?engine_id=eng-otlp-1&limit=10', reader);
    expect(listed.status).toBe(200);
    const page = (await listed.json()) as { items: Array<Record<string, unknown>>; next_cursor: string | null };
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ engine_id: 'eng-otlp-1', ts: '2026-11-20T10:00:01.000Z', ledger_seq: expect.any(Number) });
  });

  it('OTLP protobuf + gzip: decoded with the OpenTelemetry root, answered in protobuf', async () => {
    const before = await count('observability_events');
    const body = gzipSync(encodeLogsRequestProtobuf(exportRequest([observabilityRecord({ spanId: '00f067aa0ba902b8' }), toolRecord(2)])));
    const res = await post(body, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect(decodeLogsResponseProtobuf(new Uint8Array(await res.arrayBuffer()))).toEqual({});
    expect(await count('observability_events')).toBe(before + 1);
    expect(await count('tool_events', `req_id = 'call-2'`)).toBe(1);
  });

  it('a real OpenTelemetry SDK exporter (sdk-logs + exporter-logs-otlp-proto, gzip, bearer header) sending N tool-call logs → N tool rows (and an eventName-named lifecycle record → a lifecycle row)', async () => {
    const n = 200;
    // The exporter loads node:http with a dynamic import(), which Jest's VM refuses: it runs in its own Node process, as in an agent.
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['-e', SDK_EXPORTER_SCRIPT], {
        cwd: join(__dirname, '../..'),
        env: { ...process.env, OTLP_URL: `${gw.url}${PATH}`, OTLP_TOKEN: writer, OTLP_N: String(n) },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect([run.code, run.out]).toEqual([0, expect.stringContaining(`exported ${n}`)]);
    const stored = await count('tool_events', `workspace_id = 'ws-sdk'`);
    process.stdout.write(`OTLP SDK exporter: ${n} sent, ${stored} stored\n`);
    expect(stored).toBe(n);
    const rows = await gw.sql.query(`SELECT DISTINCT agent_id, action, status FROM audit.tool_events WHERE workspace_id = 'ws-sdk'`);
    expect(rows.rows).toEqual([{ agent_id: 'sdk-agent', action: 'call', status: 'ok' }]);
    const lifecycle = await gw.sql.query(`SELECT action, product_id, metadata FROM audit.lifecycle_events WHERE engine_id = 'eng-sdk'`);
    expect(lifecycle.rows).toEqual([{ action: 'stop', product_id: 'prod-sdk', metadata: { reason: 'idle' } }]);
  });

  it('partial success: refused records are counted and named by path (JSON and protobuf); the others are stored', async () => {
    const before = await count('tool_events');
    const records = [toolRecord(10), observabilityRecord({ traceId: 'not-hex' }), toolRecord(11, { 'gen_ai.tool.name': 'bad tool name!' }), toolRecord(12)];
    const res = await gw.call(PATH, writer, { body: exportRequest(records) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedLogRecords).toBe('2');
    expect(body.partialSuccess.errorMessage).toContain('resourceLogs[0].scopeLogs[0].logRecords[1].traceId: must be 32 hex digits');
    expect(body.partialSuccess.errorMessage).toContain('resourceLogs[0].scopeLogs[0].logRecords[2]: tool');
    expect(body.partialSuccess.errorMessage).not.toContain(SECRET);
    expect(await count('tool_events')).toBe(before + 2);

    const proto = await post(encodeLogsRequestProtobuf(exportRequest([toolRecord(13, { 'auditstack.workspace_id': '' })])), {
      'content-type': 'application/x-protobuf',
    });
    expect(proto.status).toBe(200);
    const decoded = decodeLogsResponseProtobuf(new Uint8Array(await proto.arrayBuffer()));
    expect(decoded.partialSuccess?.rejectedLogRecords).toBe('1');
    expect(decoded.partialSuccess?.errorMessage).toContain('workspace_id');
  });

  it('a gzip bomb is refused with 413 before it is inflated past 5 MB; nothing stored', async () => {
    const before = await count('observability_events');
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(256 * 1024);
    const res = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await count('observability_events')).toBe(before);
  });

  it('protobuf garbage and broken gzip are 400 OTLP_MALFORMED; other encodings and media types 415; protobuf elsewhere 415', async () => {
    const garbage = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]), { 'content-type': 'application/x-protobuf' });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { code: string }).code).toBe('OTLP_MALFORMED');
    const badGzip = await post(Buffer.from('definitely not gzip'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(badGzip.status).toBe(400);
    expect(((await badGzip.json()) as { code: string }).code).toBe('OTLP_MALFORMED');
    const brotli = await post(Buffer.from('{}'), { 'content-type': 'application/json', 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
    const text = await post('resourceLogs', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const elsewhere = await fetch(`${gw.url}/v1/tool-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/x-protobuf' },
      body: Buffer.from([0x0a, 0x00]),
    });
    expect(elsewhere.status).toBe(415);
  });

  it('authenticated: no token 401, a reader 403', async () => {
    const body = JSON.stringify(exportRequest([observabilityRecord()]));
    expect((await post(body, { 'content-type': 'application/json' }, null)).status).toBe(401);
    expect((await post(body, { 'content-type': 'application/json' }, reader)).status).toBe(403);
  });

  it('a workspace-scoped writer stores tool calls of its workspace only; its other records are refused one by one, and it cannot read the fleet engine logs', async () => {
    const scoped = await gw.token('otlp-agent-ws', ['events.write'], 'ws-otlp');
    const res = await gw.call(PATH, scoped, {
      body: exportRequest([toolRecord(20), toolRecord(21, { 'auditstack.workspace_id': 'ws-other' }), observabilityRecord({ spanId: '00f067aa0ba902c0' })]),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedLogRecords).toBe('2');
    expect(body.partialSuccess.errorMessage).toContain('logRecords[1]: workspace_id: this token is scoped to workspace');
    expect(body.partialSuccess.errorMessage).toContain('logRecords[2]: observability events are fleet-wide');
    expect(await count('tool_events', `req_id IN ('call-20', 'call-21')`)).toBe(1);
    const scopedReader = await gw.token('otlp-reader-ws', ['events.read'], 'ws-otlp');
    expect((await gw.call('/v1/observability-events', scopedReader)).status).toBe(403);
  });

  it('every stored row has its ledger leaf and the evidence verifier passes (online and `auditstack verify`, exit 0)', async () => {
    // Each row's leaf re-hashes from the row as stored (assertLedgerCovers), and every event row of the three kinds is covered.
    const rows = (await count('tool_events')) + (await count('lifecycle_events')) + (await count('observability_events'));
    expect(await assertLedgerCovers(gw.sql)).toBe(rows);
    expect(await count('observability_events')).toBeGreaterThan(0);
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
    process.stdout.write(`OTLP: auditstack verify exit ${cli.code}\n`);
    expect([cli.code, cli.out]).toEqual([0, expect.any(String)]);
  });
});

/** What an OTLP exporter relies on to retry: a PostgreSQL outage is a 503 with Retry-After, and the retried export stores each record once. */
describe('gateway OTLP logs through a PostgreSQL outage (AUDIT_BACKEND=postgres)', () => {
  let gw: GatewayHarness & { proxy: TcpProxy };
  let writer: string;

  beforeAll(async () => {
    gw = await startGatewayBehindProxy({ AUDIT_BACKEND: 'postgres' });
    writer = await gw.token('otlp-writer', ['events.write']);
    // Verified once while PostgreSQL is up, so the gateway vouches for the token during the outage.
    expect((await gw.call(PATH, writer, { body: exportRequest([observabilityRecord({ spanId: '00f067aa0ba90200' })]) })).status).toBe(200);
  });
  afterAll(async () => gw?.close());

  it('503 + Retry-After while PostgreSQL is away (nothing acknowledged); the retry after recovery stores every record once', async () => {
    const body = gzipSync(encodeLogsRequestProtobuf(exportRequest([toolRecord(100), toolRecord(101), observabilityRecord({ spanId: '00f067aa0ba90201' })])));
    const send = (): Promise<Response> =>
      fetch(`${gw.url}${PATH}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
        body,
      });
    await gw.proxy.cut();
    const during = await send();
    expect(during.status).toBe(503);
    expect(Number(during.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await during.json()) as { code: string }).code).toBe('STORAGE_UNAVAILABLE');
    await gw.proxy.restore();

    // The exporter's retry (and a second, duplicate retry): stored once each.
    let after: Response | null = null;
    for (let attempt = 0; attempt < 50 && after?.status !== 200; attempt++) {
      after = await send();
      if (after.status !== 200) await new Promise((resolve) => setTimeout(resolve, Number(after!.headers.get('retry-after') ?? 1) * 100));
    }
    expect(after?.status).toBe(200);
    expect(decodeLogsResponseProtobuf(new Uint8Array(await after!.arrayBuffer()))).toEqual({});
    expect((await send()).status).toBe(200);
    const tools = await gw.sql.query(`SELECT count(*)::int AS n FROM audit.tool_events WHERE req_id IN ('call-100', 'call-101')`);
    const obs = await gw.sql.query(`SELECT count(*)::int AS n FROM audit.observability_events WHERE span_id = '00f067aa0ba90201'`);
    expect([tools.rows[0].n, obs.rows[0].n]).toEqual([2, 1]);
    expect(await assertLedgerCovers(gw.sql)).toBe(4);
  });
});
