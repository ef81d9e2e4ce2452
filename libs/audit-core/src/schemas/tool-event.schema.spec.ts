import { configureEventTimestamps, DEFAULT_EVENT_MAX_FUTURE_SKEW_SECONDS, formatIssues } from './common.schema';
import {
  isRecognisedToolStatus,
  PAYLOAD_FIELD_NAMES,
  TOOL_EVENT_FIELDS,
  TOOL_EVENT_STATUSES,
  ToolEventSchema,
  ToolEventStatusSchema,
  unrecognisedStatusWarning,
} from './tool-event.schema';

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
      expect(rejection({ ...VALID, input_hash: bad })).toEqual([
        `input_hash: must be 64 lowercase hex characters (SHA-256), optionally prefixed 'sha256:', or "" / null for no hash`,
      ]);
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

  it('requires the non-nullable fields and a status code', () => {
    const { workspace_id: _w, ...noWorkspace } = VALID;
    expect(rejection(noWorkspace)).toEqual(['workspace_id: required']);
    const rule = "status: must be a status code: 1–32 characters of a–z, 0–9, '_', '.', '-' (recognised: ok, error, denied, timeout)";
    for (const bad of ['', 'OK', 'not ok', 'x'.repeat(33), 'ok;drop', 42, null]) expect(rejection({ ...VALID, status: bad })).toEqual([rule]);
    const { status: _s, ...noStatus } = VALID;
    expect(rejection(noStatus)).toEqual(['status: required']);
  });

  it('rejects a non-object body', () => {
    expect(rejection('hello')).toEqual(['a tool event must be a JSON object']);
  });

  describe('seed 001 rows (tool_audit_events as its emitters write them)', () => {
    /** A row as seed 001's backend writes it: column defaults for sizes and hash, its own status codes. */
    const SEED_ROW = {
      ts: '2026-12-01 23:00:00+00',
      req_id: 'req-1',
      workspace_id: 'ws-1',
      user_id: 'u-1',
      agent_id: 'sofiia',
      tool: 'web_search',
      action: 'search',
      status: 'succeeded',
      input_hash: '',
      graph_run_id: null,
      graph_node: null,
      job_id: null,
    };

    it('accepts the row: sizes and duration absent → 0, input_hash "" → null (no hash), status kept as sent, PostgreSQL text time', () => {
      const parsed = ToolEventSchema.parse(SEED_ROW);
      expect(parsed).toMatchObject({ duration_ms: 0, in_size: 0, out_size: 0, input_hash: null, status: 'succeeded' });
      expect(parsed.ts.toISOString()).toBe('2026-12-01T23:00:00.000Z');
    });

    it('keeps explicit sizes, and null / absent input_hash mean no hash too', () => {
      const parsed = ToolEventSchema.parse({ ...SEED_ROW, duration_ms: 7, in_size: 10, out_size: 20, input_hash: null });
      expect(parsed).toMatchObject({ duration_ms: 7, in_size: 10, out_size: 20, input_hash: null });
      const { input_hash: _h, ...noHash } = SEED_ROW;
      expect(ToolEventSchema.parse(noHash).input_hash).toBeNull();
      expect(ToolEventSchema.parse({ ...SEED_ROW, input_hash: HEX }).input_hash).toBe(HEX);
    });

    it.each([
      ['2026-12-01 23:00:00+00', '2026-12-01T23:00:00.000Z'],
      ['2026-12-01 23:00:00.123456+00:00', '2026-12-01T23:00:00.123Z'],
      ['2026-12-01T23:00:00.123456+00', '2026-12-01T23:00:00.123Z'],
      ['2026-12-02 01:30:00+02', '2026-12-01T23:30:00.000Z'],
      ['2026-12-01T23:00:00Z', '2026-12-01T23:00:00.000Z'],
    ])('accepts the time %s', (ts, iso) => {
      expect(ToolEventSchema.parse({ ...SEED_ROW, ts }).ts.toISOString()).toBe(iso);
    });

    it('any short status code is stored as sent; the four recognised ones are flagged as such', () => {
      for (const status of ['succeeded', 'failed', 'cancelled', 'rate_limited', 'http.429', 'a', 'x'.repeat(32), ...TOOL_EVENT_STATUSES]) {
        expect(ToolEventSchema.parse({ ...SEED_ROW, status }).status).toBe(status);
        expect(ToolEventStatusSchema.safeParse(status).success).toBe(true);
      }
      expect(TOOL_EVENT_STATUSES.filter(isRecognisedToolStatus)).toEqual(['ok', 'error', 'denied', 'timeout']);
      expect(isRecognisedToolStatus('succeeded')).toBe(false);
      expect(unrecognisedStatusWarning('succeeded')).toBe('status: "succeeded" is not one of ok, error, denied, timeout; stored as sent');
    });

    it('payload fields stay refused on a seed row', () => {
      expect(rejection({ ...SEED_ROW, prompt: 'what is my password' })).toEqual([expect.stringMatching(/^payload fields are never stored: "prompt"/)]);
    });
  });
});
