import { configureEventTimestamps, DEFAULT_EVENT_MAX_FUTURE_SKEW_SECONDS, formatIssues } from './common.schema';
import { PAYLOAD_FIELD_NAMES, TOOL_EVENT_FIELDS, ToolEventSchema } from './tool-event.schema';

const HEX = 'c'.repeat(64);

const VALID = {
  event_id: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b',
  ts: '2026-11-22T10:00:00.123Z',
  req_id: 'req_01JD3X9K',
  workspace_id: 'ws-acme',
  user_id: 'u_42',
  agent_id: 'agent.planner',
  tool: 'github.create_issue',
  action: 'create',
  status: 'ok',
  duration_ms: 412,
  in_size: 2048,
  out_size: 512,
  input_hash: `sha256:${HEX}`,
  graph_run_id: 'run-9f2c',
  graph_node: 'plan/step-3',
  job_id: null,
};

function rejection(input: unknown): string[] {
  const result = ToolEventSchema.safeParse(input);
  if (result.success) throw new Error('expected a rejection');
  return formatIssues(result.error);
}

describe('ToolEventSchema', () => {
  it('accepts a valid event: UTC Date, bare input_hash', () => {
    const parsed = ToolEventSchema.parse(VALID);
    expect(parsed.ts.toISOString()).toBe('2026-11-22T10:00:00.123Z');
    expect(parsed.input_hash).toBe(HEX);
    expect(Object.keys(parsed).sort()).toEqual([...TOOL_EVENT_FIELDS].sort());
  });

  it('accepts the minimal event: nullable fields absent become null ("arrived without hash")', () => {
    const { event_id: _e, user_id: _u, input_hash: _h, graph_run_id: _g, graph_node: _n, job_id: _j, ...minimal } = VALID;
    const parsed = ToolEventSchema.parse({ ...minimal, ts: '2026-11-22T12:00:00+02:00', status: 'timeout' });
    expect(parsed).toMatchObject({ user_id: null, input_hash: null, graph_run_id: null, graph_node: null, job_id: null });
    expect(parsed.ts.toISOString()).toBe('2026-11-22T10:00:00.000Z');
    expect(parsed.event_id).toBeUndefined();
  });

  it.each(['payload', 'input', 'output'])('rejects a %s field: payload fields are never stored', (key) => {
    const messages = rejection({ ...VALID, [key]: { prompt: 'my secret prompt' } });
    expect(messages).toEqual([expect.stringMatching(new RegExp(`^payload fields are never stored: "${key}"`))]);
    expect(messages.join()).not.toContain('my secret prompt');
  });

  it('treats every payload-like key that way, case-insensitively, and lists other unknown keys apart', () => {
    for (const key of PAYLOAD_FIELD_NAMES) {
      expect(rejection({ ...VALID, [key]: 'x' })[0]).toContain('payload fields are never stored');
    }
    const [message] = rejection({ ...VALID, Prompt: 'x', colour: 'blue' });
    expect(message).toMatch(/^payload fields are never stored: "Prompt" .*; unknown field\(s\) "colour"; a tool event has exactly: event_id, ts/);
  });

  it('rejects negative sizes, naming the field', () => {
    expect(rejection({ ...VALID, in_size: -1 })).toEqual(['in_size: must be a non-negative integer ≤ 2147483647']);
    expect(rejection({ ...VALID, in_size: 2 ** 31 })).toEqual(['in_size: must be a non-negative integer ≤ 2147483647']);
    expect(rejection({ ...VALID, out_size: -5, duration_ms: 1.5 }).sort()).toEqual([
      'duration_ms: must be a non-negative integer ≤ 2147483647',
      'out_size: must be a non-negative integer ≤ 2147483647',
    ]);
  });

  it('rejects an input_hash that is not a hash', () => {
    for (const bad of ['hello world', HEX.toUpperCase(), `md5:${HEX}`, HEX.slice(1)]) {
      expect(rejection({ ...VALID, input_hash: bad })).toEqual(["input_hash: must be 64 lowercase hex characters (SHA-256), optionally prefixed 'sha256:'"]);
    }
  });

  it('rejects an unparsable timestamp and one without a zone', () => {
    expect(rejection({ ...VALID, ts: 'not a date' })[0]).toMatch(/^ts: must be an ISO-8601 date-time/);
    expect(rejection({ ...VALID, ts: '2026-11-22 10:00:00' })[0]).toMatch(/^ts: /);
  });

  it('poison timestamps (both ends, with offsets) are refused naming ts: year 0, before 1970, year 9999, beyond the future skew', () => {
    const refused = (ts: string): string[] => {
      const r = ToolEventSchema.safeParse({ ...VALID, ts });
      return r.success ? [] : formatIssues(r.error);
    };
    for (const ts of ['0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '1970-01-01T00:59:59+01:00', '9999-12-31T23:59:59-05:00', '9999-12-31T23:59:59Z']) {
      expect([ts, refused(ts)]).toEqual([ts, [expect.stringMatching(/^ts: must be between 1970-01-01T00:00:00Z and now \+ 86400 s/)]]);
    }
    expect(refused('1970-01-01T00:00:00Z')).toEqual([]);
    expect(refused('1970-01-01T01:00:00+01:00')).toEqual([]);
    expect(refused(new Date(Date.now() + 3_600_000).toISOString())).toEqual([]);
    expect(refused(new Date(Date.now() + 90_000_000).toISOString())).toHaveLength(1);
    configureEventTimestamps({ maxFutureSkewSeconds: 60 });
    try {
      expect(refused(new Date(Date.now() + 3_600_000).toISOString())).toEqual([expect.stringContaining('now + 60 s')]);
    } finally {
      configureEventTimestamps({ maxFutureSkewSeconds: DEFAULT_EVENT_MAX_FUTURE_SKEW_SECONDS });
    }
  });

  it('keeps free text and PII out of identifier fields', () => {
    expect(rejection({ ...VALID, user_id: 'jane.doe@example.com' })[0]).toMatch(/^user_id: must be an identifier/);
    expect(rejection({ ...VALID, tool: 'please summarise this contract' })[0]).toMatch(/^tool: must be an identifier/);
    expect(rejection({ ...VALID, graph_node: 'n'.repeat(129) })[0]).toMatch(/^graph_node: must be an identifier: 1–128/);
    expect(rejection({ ...VALID, action: 'a'.repeat(65) })[0]).toMatch(/^action: must be an identifier: 1–64/);
  });

  it('requires the non-nullable fields and a known status', () => {
    const { workspace_id: _w, ...noWorkspace } = VALID;
    expect(rejection(noWorkspace)).toEqual(['workspace_id: required']);
    expect(rejection({ ...VALID, status: 'maybe' })).toEqual(['status: must be one of ok, error, denied, timeout']);
  });

  it('rejects a non-object body', () => {
    expect(rejection('hello')).toEqual(['a tool event must be a JSON object']);
  });
});
