import { createHash } from 'node:crypto';
import { ExportLogsServiceRequestSchema, OTLP_LOGS_EXAMPLE } from '@auditstack/audit-core';
import { gzipSync } from 'node:zlib';
import { decodeLogsRequestProtobuf, encodeLogsRequestProtobuf, gunzipBounded, OtlpDecodeError } from './otlp-decode.util';
import { countLogRecords, mapLogsRequest, type MappedLogRecord } from './otlp-log-mapping.util';

const NOW = new Date('2026-12-02T12:00:00.000Z');
const OPTIONS = { engineIdAttributes: ['engine.id', 'engine_id'], keptAttributes: ['team'], now: NOW };
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

const kv = (key: string, value: unknown): Record<string, unknown> => ({
  key,
  value:
    typeof value === 'string'
      ? { stringValue: value }
      : typeof value === 'boolean'
        ? { boolValue: value }
        : Number.isInteger(value)
          ? { intValue: String(value) }
          : typeof value === 'number'
            ? { doubleValue: value }
            : value,
});

function request(records: Record<string, unknown>[], resource: Record<string, unknown> = { 'service.name': 'engine-svc', 'engine.id': 'eng-1' }) {
  return {
    resourceLogs: [
      {
        resource: { attributes: Object.entries(resource).map(([k, v]) => kv(k, v)) },
        scopeLogs: [{ scope: { name: 'agent.runtime', version: '1.0' }, logRecords: records }],
      },
    ],
  };
}

function record(attributes: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { timeUnixNano: '1796212800123456789', attributes: Object.entries(attributes).map(([k, v]) => kv(k, v)), ...extra };
}

function only(mapped: MappedLogRecord[]): Extract<MappedLogRecord, { row: unknown }> {
  expect(mapped).toHaveLength(1);
  const first = mapped[0]!;
  if ('errors' in first) throw new Error(first.errors.join('; '));
  return first;
}

describe('OTLP log record mapping', () => {
  it('a GenAI execute_tool record becomes a tool event: call id, agent, workspace, duration, sizes and hash of the arguments (never the arguments)', () => {
    const args = '{"q":"secret search"}';
    const mapped = only(
      mapLogsRequest(
        request([
          record({
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 'github',
            'gen_ai.tool.call.id': 'call_1',
            'gen_ai.agent.name': 'planner',
            'gen_ai.tool.call.arguments': args,
            'auditstack.workspace_id': 'ws-1',
            'auditstack.user_id': 'u-1',
            'auditstack.duration_ms': 249.6,
            'auditstack.tool.out_size': 4096,
            'auditstack.graph_run_id': 'run-9',
          }),
        ]),
        OPTIONS,
      ),
    );
    expect(mapped.kind).toBe('tool');
    expect(mapped.row).toEqual({
      ts: '2026-12-02T12:00:00.123Z',
      req_id: 'call_1',
      workspace_id: 'ws-1',
      user_id: 'u-1',
      agent_id: 'planner',
      tool: 'github',
      action: 'call',
      status: 'ok',
      duration_ms: 250,
      in_size: Buffer.byteLength(args),
      out_size: 4096,
      input_hash: sha(args),
      graph_run_id: 'run-9',
      graph_node: null,
      job_id: null,
    });
    expect(JSON.stringify(mapped.row)).not.toContain('secret');
  });

  it('a tool record with error.type (or an ERROR severity) is status error; gen_ai.agent.id wins over the name', () => {
    const mapped = only(
      mapLogsRequest(
        request([
          record(
            {
              'gen_ai.operation.name': 'execute_tool',
              'gen_ai.tool.name': 'sql',
              'gen_ai.agent.id': 'agent-7',
              'gen_ai.agent.name': 'x',
              'error.type': 'timeout',
            },
            { spanId: '00f067aa0ba902b7' },
          ),
        ]),
        OPTIONS,
      ),
    );
    expect(mapped.row).toMatchObject({ status: 'error', agent_id: 'agent-7', req_id: '00f067aa0ba902b7', in_size: 0, input_hash: null });
  });

  it('a lifecycle record (event.name auditstack.lifecycle.<action>) becomes a lifecycle event with its metadata', () => {
    const mapped = only(
      mapLogsRequest(
        request([
          record({
            'event.name': 'auditstack.lifecycle.stop',
            'auditstack.product_id': 'prod-a',
            'auditstack.lifecycle.metadata.reason': 'idle',
            'auditstack.lifecycle.metadata.idle_seconds': 600,
            'auditstack.duration_ms': 40,
          }),
        ]),
        OPTIONS,
      ),
    );
    expect(mapped.kind).toBe('lifecycle');
    expect(mapped.row).toEqual({
      ts: '2026-12-02T12:00:00.123Z',
      action: 'stop',
      actor: 'system',
      product_id: 'prod-a',
      user_id: null,
      engine_id: 'eng-1',
      metadata: { reason: 'idle', idle_seconds: 600 },
      duration_ms: 40,
    });
  });

  it('anything else becomes a payload-free observability event: body and attributes hashed and sized, only allowlisted scalars kept', () => {
    const attributes = { 'http.response.status_code': 503, 'user.email': 'a@b.example', team: 'core', nested: { kvlistValue: { values: [kv('a', 1)] } } };
    const mapped = only(
      mapLogsRequest(
        request([
          record(attributes, {
            observedTimeUnixNano: 1796212801000000000,
            severityNumber: 17,
            severityText: 'ERROR',
            body: { stringValue: 'payment for a@b.example failed' },
            traceId: '4BF92F3577B34DA6A3CE929D0E0E4736',
            spanId: '00f067aa0ba902b7',
          }),
        ]),
        OPTIONS,
      ),
    );
    expect(mapped.kind).toBe('observability');
    const allJson = JSON.stringify({ 'http.response.status_code': 503, nested: { a: 1 }, team: 'core', 'user.email': 'a@b.example' });
    expect(mapped.row).toEqual({
      ts: '2026-12-02T12:00:00.123Z',
      observed_ts: '2026-12-02T12:00:01.000Z',
      source: 'otlp',
      engine_id: 'eng-1',
      service_name: 'engine-svc',
      scope_name: 'agent.runtime',
      severity_number: 17,
      severity_text: 'ERROR',
      event_name: null,
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      body_sha256: sha('payment for a@b.example failed'),
      body_size: Buffer.byteLength('payment for a@b.example failed'),
      attributes: { 'engine.id': 'eng-1', 'http.response.status_code': 503, 'service.name': 'engine-svc', team: 'core' },
      attributes_sha256: sha(allJson),
      attributes_size: Buffer.byteLength(allJson),
      attribute_count: 4,
    });
    expect(JSON.stringify(mapped.row)).not.toContain('a@b.example');
  });

  it('a record without an engine is kept with engine_id null; without any time it takes the receive time', () => {
    const mapped = only(mapLogsRequest(request([{ body: { stringValue: 'x' } }], { 'service.name': 'batch-job' }), OPTIONS));
    expect(mapped.row).toMatchObject({ engine_id: null, ts: NOW.toISOString(), observed_ts: null, attribute_count: 0, attributes_sha256: null });
  });

  it('a bad record is refused by path, its neighbours are not (partial success)', () => {
    const deep = (n: number): unknown => (n === 0 ? { stringValue: 'x' } : { arrayValue: { values: [deep(n - 1)] } });
    const mapped = mapLogsRequest(
      request([record({}), record({}, { traceId: 'xyz' }), record({ deep: deep(40) }), record({}, { timeUnixNano: '-5' }), record({})]),
      OPTIONS,
    );
    expect(mapped.map((m) => ('errors' in m ? m.errors.join() : m.kind))).toEqual([
      'observability',
      'resourceLogs[0].scopeLogs[0].logRecords[1].traceId: must be 32 hex digits',
      'resourceLogs[0].scopeLogs[0].logRecords[2]: nests deeper than 16 levels',
      'resourceLogs[0].scopeLogs[0].logRecords[3].timeUnixNano: must be an unsigned 64-bit integer of nanoseconds since 1970',
      'observability',
    ]);
    expect(countLogRecords(request([record({}), record({})]))).toBe(2);
  });

  it('the documented example (OpenAPI) parses with the contract and maps to one tool event and one observability event', () => {
    const parsed = ExportLogsServiceRequestSchema.parse(OTLP_LOGS_EXAMPLE);
    const mapped = mapLogsRequest(parsed, OPTIONS);
    expect(mapped.map((m) => ('kind' in m ? m.kind : m.errors))).toEqual(['tool', 'observability']);
    expect(mapped[0]).toMatchObject({ row: { req_id: 'call_8f3a', workspace_id: 'ws-1', agent_id: 'agent-a', duration_ms: 250, in_size: 1024 } });
    expect(mapped[1]).toMatchObject({ row: { engine_id: 'eng-7', severity_number: 17, attributes: { 'error.type': 'upstream_timeout' } } });
  });

  it('attack: an attribute named __proto__ stays a key (lifecycle metadata, hashed attributes), never a prototype', () => {
    const polluted = { kvlistValue: { values: [kv('reason', 'injected')] } };
    const mapped = mapLogsRequest(
      request([
        record({ 'auditstack.lifecycle.action': 'stop', 'auditstack.lifecycle.metadata.__proto__': polluted }),
        { timeUnixNano: '1796212800123456789', attributes: [{ key: '__proto__', value: polluted }] },
      ]),
      OPTIONS,
    );
    const [lifecycle, observability] = mapped as Array<Extract<MappedLogRecord, { row: unknown }>>;
    const metadata = lifecycle!.row['metadata'] as Record<string, unknown>;
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Object.keys(metadata)).toEqual(['__proto__']);
    expect((metadata as { reason?: unknown }).reason).toBeUndefined();
    expect(observability!.row).toMatchObject({ attribute_count: 1, attributes_sha256: sha(JSON.stringify(JSON.parse('{"__proto__":{"reason":"injected"}}'))) });
  });

  it('an oddly named engine leaves engine_id null on an observability row instead of losing the record', () => {
    const mapped = only(mapLogsRequest(request([record({})], { 'engine.id': 'engine one' }), OPTIONS));
    expect(mapped.row).toMatchObject({ engine_id: null, attributes: { 'engine.id': 'engine one' } });
  });
});

describe('OTLP protobuf and gzip decoding', () => {
  it('protobuf decodes (with the OpenTelemetry root) to the same shape the JSON encoding has, and maps the same', () => {
    const json = request([
      record(
        {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'github',
          'gen_ai.tool.call.id': 'c1',
          'gen_ai.agent.id': 'a',
          'auditstack.workspace_id': 'w',
        },
        { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', severityNumber: 9 },
      ),
      record({ flag: true, ratio: 0.5 }, { body: { bytesValue: Buffer.from('hi').toString('base64') } }),
    ]);
    const decoded = decodeLogsRequestProtobuf(encodeLogsRequestProtobuf(json));
    expect(mapLogsRequest(decoded, OPTIONS)).toEqual(mapLogsRequest(json, OPTIONS));
  });

  it('LogRecord.event_name (field 12, newer than the generated root) is read from the wire: a lifecycle record keeps its name', () => {
    // A length-delimited field: tag (field << 3 | 2), length, payload.
    const ld = (field: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([(field << 3) | 2, payload.length]), payload]);
    const plain = encodeLogsRequestProtobuf(request([record({ 'auditstack.product_id': 'prod-a', 'auditstack.lifecycle.metadata.reason': 'idle' })]));
    const decoded = decodeLogsRequestProtobuf(plain) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }> };
    const logRecord = encodeLogsRequestProtobuf({ resourceLogs: [{ scopeLogs: [{ logRecords: decoded.resourceLogs[0]!.scopeLogs[0]!.logRecords }] }] });
    // Re-wrap the record with field 12 appended (lengths stay below 128 here, so one-byte varints).
    const recordBytes = logRecord.subarray(6); // request(1) > resourceLogs(2) > scopeLogs(2): three 2-byte headers
    const withName = Buffer.concat([recordBytes, ld(12, Buffer.from('auditstack.lifecycle.stop'))]);
    const wire = ld(1, ld(2, ld(2, withName)));
    const mapped = only(mapLogsRequest(decodeLogsRequestProtobuf(wire), OPTIONS));
    expect(mapped).toMatchObject({ kind: 'lifecycle', row: { action: 'stop', product_id: 'prod-a', metadata: { reason: 'idle' } } });
  });

  it('garbage is not a request: OtlpDecodeError malformed, saying nothing of the bytes', () => {
    expect(() => decodeLogsRequestProtobuf(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]))).toThrow(OtlpDecodeError);
  });

  it('gzip inflates within the limit; a zip bomb stops at the limit (too_large); non-gzip is malformed', async () => {
    expect((await gunzipBounded(gzipSync(Buffer.from('hello')), 100)).toString()).toBe('hello');
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    await expect(gunzipBounded(bomb, 5 * 1024 * 1024)).rejects.toMatchObject({ reason: 'too_large' });
    await expect(gunzipBounded(Buffer.from('not gzip'), 100)).rejects.toMatchObject({ reason: 'malformed' });
  });
});
