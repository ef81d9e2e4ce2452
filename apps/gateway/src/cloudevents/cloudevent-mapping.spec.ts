import { createHash } from 'node:crypto';
import { CloudEvent, HTTP } from 'cloudevents';
import { canonicalJson } from '@auditstack/evidence';
import { CLOUDEVENT_EXAMPLE } from '@auditstack/audit-core';
import { deriveCloudEventId } from './cloudevent-id.util';
import { mapCloudEvent, relabelErrors, type MappedCloudEvent } from './cloudevent-mapper.util';
import { CloudEventBodyError, readCloudEvents, type CloudEventRecord, type ReadCloudEvent } from './cloudevent-reader.util';
import { targetOfType } from './cloudevent-types.util';

const TIME = '2026-11-20T10:00:00.000Z';
const received = new Date('2026-12-02T12:00:00Z');

const lifecycleData = { product_id: 'prod-a', user_id: 'u-1', actor: 'system', metadata: { reason: 'request', boot_ms: 1200 }, duration_ms: 1200 };
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

/** What Fastify hands the controller: headers as sent (lowercase names), the body parsed as JSON. */
function received1(message: { headers: Record<string, unknown>; body: unknown }): { headers: Record<string, string>; body: unknown } {
  const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { headers, body: typeof message.body === 'string' ? JSON.parse(message.body) : message.body };
}

function only(items: ReadCloudEvent[]): CloudEventRecord {
  expect(items).toHaveLength(1);
  const item = items[0]!;
  if ('errors' in item) throw new Error(`unexpected errors: ${item.errors.join('; ')}`);
  return item.event;
}

function errorsOf(items: ReadCloudEvent[], index = 0): readonly string[] {
  const item = items[index]!;
  return 'errors' in item ? item.errors : [];
}

function mapped(event: CloudEventRecord): MappedCloudEvent {
  const result = mapCloudEvent(event, received);
  if ('errors' in result) throw new Error(`unexpected errors: ${result.errors.join('; ')}`);
  return result;
}

describe('CloudEvents type mapping', () => {
  it.each([
    ['io.auditstack.lifecycle.provision', { kind: 'lifecycle', action: 'provision' }],
    ['com.september.engine.auto_restart_gave_up', { kind: 'lifecycle', action: 'auto_restart_gave_up' }],
    ['io.auditstack.tool.call', { kind: 'tool' }],
    ['io.auditstack.gen_ai.execute_tool', { kind: 'tool' }],
    ['gen_ai.execute_tool', { kind: 'tool' }],
  ])('%s → %j', (type, target) => {
    expect(targetOfType(type)).toEqual(target);
  });

  it('an unknown action, an onboarding type and an unknown type are refused with a reason that lists what is supported and never quotes the type', () => {
    const action = targetOfType('io.auditstack.lifecycle.teleport');
    expect(action).toEqual({
      error: expect.stringMatching(/^type: unknown lifecycle action; the last segment must be one of provision, start/),
      unsupported: false,
    });
    for (const type of ['account.created', 'com.ligbox.onboarding.completed']) {
      expect(targetOfType(type)).toEqual({
        error: expect.stringMatching(/^type: onboarding events \(account.created, onboarding.completed\) are not ingested/),
        unsupported: false,
      });
    }
    const unknown = targetOfType('com.example.secret-thing');
    expect(unknown).toEqual({
      error: expect.stringContaining('type: not a supported CloudEvents type; supported: io.auditstack.lifecycle.<action>'),
      unsupported: true,
    });
    expect((unknown as { error: string }).error).toMatch(/kept as an observability event when it carries the engineid extension attribute$/);
    expect(JSON.stringify(unknown)).not.toContain('secret-thing');
    expect(targetOfType('com.Bad_Name.engine.start')).toEqual({ error: expect.stringContaining('not a supported'), unsupported: true });
  });
});

describe('CloudEvents event id', () => {
  it('is a version-5-layout UUID of (source, id): stable, and different when either differs, without ambiguity between them', () => {
    const id = deriveCloudEventId('/orchestrator', 'evt-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveCloudEventId('/orchestrator', 'evt-1')).toBe(id);
    expect(deriveCloudEventId('/orchestrator', 'evt-2')).not.toBe(id);
    expect(deriveCloudEventId('/other', 'evt-1')).not.toBe(id);
    expect(deriveCloudEventId('a', 'bc')).not.toBe(deriveCloudEventId('ab', 'c'));
  });
});

describe('reading CloudEvents from HTTP (binary, structured, batch) as the SDK emits them', () => {
  const lifecycle = new CloudEvent({
    id: 'evt-1',
    source: '/orchestrator/eu-1',
    type: 'com.september.engine.start',
    subject: 'eng-1',
    time: TIME,
    datacontenttype: 'application/json',
    data: lifecycleData,
  });

  it('binary mode: ce-* headers and the data as body', () => {
    const { headers, body } = received1(HTTP.binary(lifecycle));
    expect(headers['ce-id']).toBe('evt-1');
    const read = readCloudEvents(headers, body);
    expect(read.mode).toBe('binary');
    expect(only(read.items)).toEqual({
      id: 'evt-1',
      source: '/orchestrator/eu-1',
      type: 'com.september.engine.start',
      specversion: '1.0',
      time: TIME,
      subject: 'eng-1',
      datacontenttype: 'application/json',
      dataschema: null,
      extensions: {},
      data: lifecycleData,
    });
  });

  it('structured mode: the whole event as application/cloudevents+json', () => {
    const { headers, body } = received1(HTTP.structured(lifecycle));
    expect(headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    const read = readCloudEvents(headers, body);
    expect(read.mode).toBe('structured');
    expect(only(read.items)).toMatchObject({ id: 'evt-1', source: '/orchestrator/eu-1', time: TIME, subject: 'eng-1', data: lifecycleData });
  });

  it('batch mode: each element read on its own, a bad one reported at its index', () => {
    const good = JSON.parse(lifecycle.toString()) as Record<string, unknown>;
    const { id: _id, ...noId } = good;
    const body = [good, noId, { ...good, specversion: '0.3' }, 'x', { ...good, data_base64: 'AAAA' }];
    const read = readCloudEvents({ 'content-type': 'application/cloudevents-batch+json; charset=utf-8' }, body);
    expect(read.mode).toBe('batch');
    expect('event' in read.items[0]!).toBe(true);
    expect(errorsOf(read.items, 1)).toEqual(['id: required']);
    expect(errorsOf(read.items, 2)).toEqual(['specversion: must be "1.0" (CloudEvents 1.0)']);
    expect(errorsOf(read.items, 3)).toEqual(['a CloudEvent in structured mode must be a JSON object']);
    expect(errorsOf(read.items, 4)).toEqual(['data_base64: binary data is not accepted; data must be a JSON object']);
  });

  it('spec-required attributes are checked before the SDK, which would fill a missing id or time', () => {
    const binary = readCloudEvents({ 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-source': '/x' }, {});
    expect(errorsOf(binary.items)).toEqual(['id: required (header ce-id)', 'type: required (header ce-type)']);
    const structured = readCloudEvents(
      { 'content-type': 'application/cloudevents+json' },
      { specversion: '1.0', id: '', source: '/x', type: 'io.auditstack.tool.call' },
    );
    expect(errorsOf(structured.items)).toEqual(['id: must be a non-empty string']);
    // No time: none is invented by the reader (the mapper documents what stands in).
    const untimed = readCloudEvents({ 'content-type': 'application/cloudevents+json' }, { specversion: '1.0', id: 'a', source: '/x', type: 't' });
    expect(only(untimed.items).time).toBeNull();
    // A time the SDK would replace with "now" reaches the mapper as sent (and fails native validation there).
    const badTime = readCloudEvents(
      { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'a', 'ce-source': '/x', 'ce-type': 't', 'ce-time': 'yesterday' },
      {},
    );
    expect(only(badTime.items).time).toBe('yesterday');
  });

  it('bounds: attribute count, lengths, extension names and values, non-JSON data content types', () => {
    const base = { specversion: '1.0', id: 'a', source: '/x', type: 'io.auditstack.tool.call' };
    const ct = { 'content-type': 'application/cloudevents+json' };
    const many = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`ext${i}`, 'v']));
    expect(errorsOf(readCloudEvents(ct, { ...base, ...many }).items)).toEqual(['a CloudEvent carries at most 64 attributes, got 74']);
    expect(errorsOf(readCloudEvents(ct, { ...base, id: 'x'.repeat(1025) }).items)).toEqual(['id: must be at most 1024 characters']);
    expect(errorsOf(readCloudEvents(ct, { ...base, source: 'a b' }).items)).toEqual(['source: must not contain control characters or whitespace']);
    expect(errorsOf(readCloudEvents(ct, { ...base, Bad_Ext: 1 }).items)).toEqual([
      'extension attribute "Bad_Ext": names must be 1–64 characters of a–z and 0–9 (CloudEvents 1.0)',
    ]);
    expect(errorsOf(readCloudEvents(ct, { ...base, traceparent: { a: 1 } }).items)).toEqual([
      'traceparent: an extension attribute must be a string, a number or a boolean',
    ]);
    expect(errorsOf(readCloudEvents(ct, { ...base, datacontenttype: 'text/plain', data: 'hello' }).items)).toEqual([
      'datacontenttype: must be application/json (or another +json type): data must be a JSON object',
    ]);
    expect(only(readCloudEvents(ct, { ...base, datacontenttype: 'application/vnd.x+json; charset=utf-8', traceparent: '00-ab', data: {} }).items).data).toEqual(
      {},
    );
    const headers = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`ce-x${i}`, 'v']));
    expect(errorsOf(readCloudEvents({ ...headers, 'ce-specversion': '1.0', 'ce-id': 'a', 'ce-source': '/x', 'ce-type': 't' }, {}).items)).toEqual([
      'a CloudEvent carries at most 64 attributes (ce-* headers)',
    ]);
  });

  it('a body that is no CloudEvent in any mode is a body error; a batch beyond 10,000 is too large', () => {
    expect(() => readCloudEvents({ 'content-type': 'application/json' }, { a: 1 })).toThrow(/^not a CloudEvent: send ce-specversion/);
    expect(() => readCloudEvents({ 'content-type': 'application/cloudevents+json' }, [])).toThrow(CloudEventBodyError);
    expect(() => readCloudEvents({ 'content-type': 'application/cloudevents-batch+json' }, {})).toThrow(/must be a JSON array/);
    expect(() => readCloudEvents({ 'content-type': 'application/cloudevents-batch+json' }, [])).toThrow(/at least one/);
    let thrown: unknown;
    try {
      readCloudEvents(
        { 'content-type': 'application/cloudevents-batch+json' },
        Array.from({ length: 10_001 }, () => ({})),
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CloudEventBodyError);
    expect((thrown as CloudEventBodyError).tooLarge).toBe(true);
  });
});

describe('mapping a CloudEvent to a native event', () => {
  const record = (overrides: Partial<CloudEventRecord> = {}): CloudEventRecord => ({
    id: 'evt-1',
    source: '/orchestrator',
    type: 'io.auditstack.lifecycle.start',
    specversion: '1.0',
    time: TIME,
    subject: null,
    datacontenttype: 'application/json',
    dataschema: null,
    extensions: {},
    data: { ...lifecycleData, engine_id: 'eng-1' },
    ...overrides,
  });

  it('lifecycle: data fields, time → ts, action from the type, subject → engine_id, event_id from (source, id)', () => {
    const m = mapped(record({ type: 'com.september.engine.start', subject: 'eng-9', data: lifecycleData }));
    expect(m.kind).toBe('lifecycle');
    expect(m.input).toEqual({ ...lifecycleData, engine_id: 'eng-9', action: 'start', ts: TIME, event_id: deriveCloudEventId('/orchestrator', 'evt-1') });
    expect(m.origins).toMatchObject({ ts: 'time', engine_id: 'subject', action: 'type' });
  });

  it('tool: data fields, req_id from the id when data names none, GenAI aliases', () => {
    const m = mapped(record({ type: 'io.auditstack.tool.call', data: toolData }));
    expect(m).toMatchObject({ kind: 'tool', input: { ...toolData, req_id: 'evt-1', ts: TIME }, origins: { req_id: 'id' } });
    const { tool: _t, agent_id: _a, ...rest } = toolData;
    const genai = mapped(record({ type: 'gen_ai.execute_tool', data: { ...rest, 'gen_ai.tool.name': 'github', 'gen_ai.agent.id': 'agent-a', req_id: 'r-7' } }));
    expect(genai.input).toEqual({ ...toolData, req_id: 'r-7', ts: TIME, event_id: deriveCloudEventId('/orchestrator', 'evt-1') });
    expect(mapCloudEvent(record({ type: 'gen_ai.execute_tool', data: { ...toolData, 'gen_ai.tool.name': 'x' } }), received)).toEqual({
      errors: ['data["gen_ai.tool.name"]: conflicts with data.tool; send one of them'],
    });
  });

  it('time: from data.ts or data.timestamp when the attribute is absent, the receipt time when nothing gives one; twice is refused', () => {
    expect(mapped(record({ time: null, data: { ...lifecycleData, engine_id: 'e', timestamp: '2026-11-01T00:00:00Z' } })).input['ts']).toBe(
      '2026-11-01T00:00:00Z',
    );
    expect(mapped(record({ time: null })).input['ts']).toBe(received.toISOString());
    expect(mapCloudEvent(record({ data: { ...lifecycleData, ts: TIME } }), received)).toEqual({
      errors: ['data.ts: not accepted next to the time attribute: give the instant once, as time'],
    });
  });

  it('payload keys in data, data.event_id, data.action, a subject that disagrees and non-object data are refused naming the attribute', () => {
    expect(mapCloudEvent(record({ type: 'io.auditstack.tool.call', data: { ...toolData, prompt: 'secret', Output: 'x' } }), received)).toEqual({
      errors: ['data: payload fields are never stored: "prompt", "Output" (send sizes and SHA-256 hashes instead: in_size, out_size, input_hash)'],
    });
    expect(mapCloudEvent(record({ data: { ...lifecycleData, engine_id: 'e', event_id: 'x', action: 'stop' } }), received)).toEqual({
      errors: [
        'data.event_id: not accepted: the event id is derived from the source and id attributes',
        'data.action: not accepted: the action comes from the type attribute',
      ],
    });
    expect(mapCloudEvent(record({ subject: 'eng-2' }), received)).toEqual({
      errors: ['subject: must equal data.engine_id when both are given (the subject of a lifecycle event is its engine)'],
    });
    expect(mapCloudEvent(record({ data: 'text' }), received)).toEqual({
      errors: [expect.stringMatching(/^data: must be a JSON object of lifecycle event fields/)],
    });
    expect(mapCloudEvent(record({ type: 'account.created' }), received)).toEqual({ errors: [expect.stringMatching(/^type: onboarding events/)] });
  });

  it('the documented example (CLOUDEVENT_EXAMPLE) reads and maps to a lifecycle start', () => {
    const m = mapped(only(readCloudEvents({ 'content-type': 'application/cloudevents+json' }, structuredClone(CLOUDEVENT_EXAMPLE)).items));
    expect(m.input).toMatchObject({ action: 'start', engine_id: 'eng-1', ts: CLOUDEVENT_EXAMPLE.time });
  });

  it('an unsupported type with the engineid extension → a payload-free observability event: data and attributes only hashed and sized', () => {
    const data = { replicas: 3, note: 'secret operator text' };
    const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const m = mapped(record({ type: 'com.example.engine.scaled.v2', data, extensions: { engineid: 'eng-4', traceparent } }));
    expect(m.kind).toBe('observability');
    expect(m.input).toEqual({
      event_id: deriveCloudEventId('/orchestrator', 'evt-1'),
      ts: TIME,
      observed_ts: received.toISOString(),
      source: 'cloudevents',
      engine_id: 'eng-4',
      event_name: 'com.example.engine.scaled.v2',
      trace_id: 'a'.repeat(32),
      span_id: 'b'.repeat(16),
      body_sha256: createHash('sha256').update(canonicalJson(data)).digest('hex'),
      body_size: Buffer.byteLength(canonicalJson(data)),
      attributes: { 'cloudevents.event_id': 'evt-1', 'cloudevents.event_source': '/orchestrator', 'cloudevents.event_spec_version': '1.0' },
      attributes_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      attributes_size: expect.any(Number),
      attribute_count: 8, // specversion, id, source, type, time, datacontenttype, engineid, traceparent
    });
    expect(JSON.stringify(m.input)).not.toContain('secret operator text');
    // Without engineid, a bad engineid, an onboarding type with engineid, a mistyped lifecycle action with engineid: rejected.
    expect(mapCloudEvent(record({ type: 'com.example.thing' }), received)).toEqual({ errors: [expect.stringMatching(/^type: not a supported/)] });
    expect(mapCloudEvent(record({ type: 'com.example.thing', extensions: { engineid: 'has space' } }), received)).toEqual({
      errors: [expect.stringMatching(/^engineid: must be an identifier/)],
    });
    expect(mapCloudEvent(record({ type: 'account.created', extensions: { engineid: 'e' } }), received)).toEqual({
      errors: [expect.stringMatching(/^type: onboarding/)],
    });
    expect(mapCloudEvent(record({ type: 'com.x.engine.strat', extensions: { engineid: 'e' } }), received)).toEqual({
      errors: [expect.stringMatching(/^type: unknown lifecycle action/)],
    });
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(mapCloudEvent(record({ type: 'com.example.thing', data: deep, extensions: { engineid: 'e' } }), received)).toEqual({
      errors: ['data: nested deeper than 64 levels'],
    });
  });

  it('native validation messages are relabelled to the attribute they came from', () => {
    const origins = { ts: 'time', engine_id: 'subject', req_id: 'id' };
    expect(relabelErrors(['ts: must be an ISO-8601 date-time', 'metadata.image: required', 'engine_id: required for start events'], origins)).toEqual([
      'time: must be an ISO-8601 date-time',
      'data.metadata.image: required',
      'subject: required for start events',
    ]);
    expect(relabelErrors(['unknown field(s) "x"; a tool event has exactly: …', 'workspace_id: this token is scoped'], origins)).toEqual([
      'data: unknown field(s) "x"; a tool event has exactly: …',
      'data.workspace_id: this token is scoped',
    ]);
  });
});
