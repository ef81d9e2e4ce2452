import { formatIssues } from './common.schema';
import { ClusterAuditEventSchema } from './cluster-audit-event.schema';
import { MAX_KEPT_ATTRIBUTES, ObservabilityEventSchema } from './observability-event.schema';

const OBS = { ts: '2026-11-30T10:00:00Z', source: 'otlp', body_sha256: 'a'.repeat(64), body_size: 12 };
const K8S = {
  ts: '2026-11-30T10:00:00Z',
  audit_id: '0b9d2f6e-2d34-4b8a-9a43-58c0c5a2f0d1',
  stage: 'ResponseComplete',
  level: 'Metadata',
  verb: 'get',
  request_uri: '/api/v1/namespaces/default/secrets/db',
};

describe('observability rows', () => {
  it('default what an engine record may lack, and keep scalar attributes', () => {
    const row = ObservabilityEventSchema.parse({ ...OBS, attributes: { 'service.name': 'engine', code: 503, retry: false } });
    expect(row).toMatchObject({ engine_id: null, trace_id: null, attributes_size: 0, attribute_count: 0, attributes: { code: 503, retry: false } });
  });

  it('refuse what would carry a payload or break a bound, naming the field', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_KEPT_ATTRIBUTES + 1 }, (_, i) => [`k${i}`, i]));
    const cases: [Record<string, unknown>, string][] = [
      [{ ...OBS, body: 'the prompt' }, 'unknown field(s) "body"'],
      [{ ...OBS, attributes: { nested: { prompt: 'x' } } }, 'attributes.nested'],
      [{ ...OBS, attributes: { note: 'x'.repeat(257) } }, 'attributes.note'],
      [{ ...OBS, attributes: many }, `at most ${MAX_KEPT_ATTRIBUTES} kept attributes`],
      [{ ...OBS, trace_id: 'ZZ' }, 'trace_id'],
      [{ ...OBS, body_size: -1 }, 'body_size'],
      [{ ...OBS, source: 'syslog' }, 'source'],
    ];
    for (const [input, expected] of cases) {
      const parsed = ObservabilityEventSchema.safeParse(input);
      expect(parsed.success).toBe(false);
      expect(formatIssues(parsed.error!).join('; ')).toContain(expected);
    }
  });
});

describe('cluster audit rows', () => {
  it('default lists and hashes of a Metadata-level event', () => {
    expect(ClusterAuditEventSchema.parse(K8S)).toMatchObject({
      user_groups: [],
      source_ips: [],
      request_object_sha256: null,
      request_object_size: 0,
      annotations: {},
    });
  });

  it('refuse a body, an unknown stage and oversized lists, naming the field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...K8S, requestObject: { data: { password: 'x' } } }, 'unknown field(s) "requestObject"'],
      [{ ...K8S, stage: 'Whenever' }, 'stage'],
      [{ ...K8S, source_ips: Array.from({ length: 17 }, (_, i) => `10.0.0.${i}`) }, 'source_ips'],
      [{ ...K8S, request_uri: '' }, 'request_uri'],
    ];
    for (const [input, expected] of cases) {
      const parsed = ClusterAuditEventSchema.safeParse(input);
      expect(parsed.success).toBe(false);
      expect(formatIssues(parsed.error!).join('; ')).toContain(expected);
    }
  });
});
