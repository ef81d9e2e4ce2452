import { createHash } from 'node:crypto';
import { canonicalJson } from '@auditstack/evidence';
import {
  digestBody,
  K8sAuditEnvelopeError,
  mapK8sAuditEvent,
  NON_CANONICAL_ANNOTATION,
  readK8sAuditEnvelope,
  renameColumnInMessage,
  ALTERED_ANNOTATION,
  truncateText,
} from './k8s-audit-mapper.util';

type Json = Record<string, unknown>;

/** An audit Event as kube-apiserver's webhook backend sends it inside an EventList (items carry no kind/apiVersion). */
function auditEvent(overrides: Json = {}): Json {
  return {
    level: 'Metadata',
    auditID: '6d1c0ad4-8c0e-4b59-9b3e-7b7c3e8b4f21',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/payments/secrets/db-password',
    verb: 'get',
    user: {
      username: 'system:serviceaccount:payments:api',
      uid: 'b7c4…',
      groups: ['system:serviceaccounts', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/pod-name': ['api-7d9f'] },
    },
    sourceIPs: ['10.0.3.17'],
    userAgent: 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46',
    objectRef: { resource: 'secrets', namespace: 'payments', name: 'db-password', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: '2026-12-01T09:15:02.371204Z',
    stageTimestamp: '2026-12-01T09:15:02.380911Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by RoleBinding "api/payments"' },
    ...overrides,
  };
}

const ok = (result: ReturnType<typeof mapK8sAuditEvent>): Json => {
  if ('errors' in result) throw new Error(`expected a row, got ${result.errors.join('; ')}`);
  return result.row;
};
const errors = (result: ReturnType<typeof mapK8sAuditEvent>): string[] => ('errors' in result ? result.errors : []);

describe('readK8sAuditEnvelope', () => {
  it('reads an audit.k8s.io/v1 EventList and a single Event', () => {
    const list = readK8sAuditEnvelope({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: [auditEvent(), auditEvent()] });
    expect(list).toMatchObject({ single: false, items: [expect.any(Object), expect.any(Object)] });
    expect(readK8sAuditEnvelope({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', ...auditEvent() })).toMatchObject({
      single: true,
      items: [expect.any(Object)],
    });
    // Go marshals an empty slice as null.
    expect(readK8sAuditEnvelope({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: null }).items).toEqual([]);
  });

  it.each([
    ['an array body', [auditEvent()], 'body: must be an audit.k8s.io/v1 EventList or Event (a JSON object)'],
    ['a string body', 'EventList', 'body: must be'],
    ['the removed v1beta1 API', { kind: 'EventList', apiVersion: 'audit.k8s.io/v1beta1', items: [] }, 'apiVersion: must be audit.k8s.io/v1'],
    ['another kind', { kind: 'Policy', apiVersion: 'audit.k8s.io/v1', rules: [] }, 'kind: must be EventList or Event'],
    ['items not an array', { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: { 0: auditEvent() } }, 'items: must be an array'],
  ])('refuses %s naming the field, never echoing a value', (_, body, message) => {
    expect(() => readK8sAuditEnvelope(body)).toThrow(K8sAuditEnvelopeError);
    expect(() => readK8sAuditEnvelope(body)).toThrow(message);
  });

  it('refuses a list of more than 10,000 items as too large', () => {
    const items = new Array(10_001).fill({});
    try {
      readK8sAuditEnvelope({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items });
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(K8sAuditEnvelopeError);
      expect((error as K8sAuditEnvelopeError).tooLarge).toBe(true);
    }
  });
});

describe('mapK8sAuditEvent', () => {
  it('maps every field of a Metadata-level event to the cluster audit row', () => {
    expect(ok(mapK8sAuditEvent(auditEvent(), 'prod-eu-1'))).toEqual({
      ts: '2026-12-01T09:15:02.380911Z',
      audit_id: '6d1c0ad4-8c0e-4b59-9b3e-7b7c3e8b4f21',
      stage: 'ResponseComplete',
      level: 'Metadata',
      cluster_id: 'prod-eu-1',
      verb: 'get',
      username: 'system:serviceaccount:payments:api',
      user_groups: ['system:serviceaccounts', 'system:authenticated'],
      impersonated_user: null,
      source_ips: ['10.0.3.17'],
      user_agent: 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46',
      api_group: null,
      api_version: 'v1',
      resource: 'secrets',
      subresource: null,
      namespace: 'payments',
      name: 'db-password',
      request_uri: '/api/v1/namespaces/payments/secrets/db-password',
      response_code: 200,
      request_received_ts: '2026-12-01T09:15:02.371204Z',
      request_object_sha256: null,
      request_object_size: 0,
      response_object_sha256: null,
      response_object_size: 0,
      annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by RoleBinding "api/payments"' },
    });
  });

  it('keeps the impersonated user and the object reference of a subresource; no cluster id → null', () => {
    const row = ok(
      mapK8sAuditEvent(
        auditEvent({
          verb: 'create',
          impersonatedUser: { username: 'alice@example.com', groups: ['devs'] },
          objectRef: { resource: 'deployments', subresource: 'scale', namespace: 'web', name: 'frontend', apiGroup: 'apps', apiVersion: 'v1' },
        }),
        null,
      ),
    );
    expect(row).toMatchObject({
      cluster_id: null,
      impersonated_user: 'alice@example.com',
      api_group: 'apps',
      resource: 'deployments',
      subresource: 'scale',
      namespace: 'web',
      name: 'frontend',
    });
  });

  it('a RequestResponse-level event keeps no body: only the SHA-256 of its canonical JSON and its size', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-0', namespace: 'web' },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'DB_PASSWORD', value: 'hunter2' }] }] },
    };
    const status = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web-0', uid: 'f3a1' }, status: { phase: 'Pending' } };
    const row = ok(
      mapK8sAuditEvent(
        auditEvent({ level: 'RequestResponse', verb: 'create', requestObject: pod, responseObject: status, responseStatus: { code: 201 } }),
        null,
      ),
    );
    const canonical = canonicalJson(pod);
    expect(row['request_object_sha256']).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(row['request_object_size']).toBe(Buffer.byteLength(canonical));
    expect(row['response_object_sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(row['response_object_size']).toBe(Buffer.byteLength(canonicalJson(status)));
    expect(row['response_code']).toBe(201);
    expect(JSON.stringify(row)).not.toContain('hunter2');
    expect(JSON.stringify(row)).not.toContain('nginx');
    expect(Object.keys(row)).not.toContain('requestObject');
  });

  it('the body hash does not depend on the key order the API server used', () => {
    expect(digestBody({ b: 1, a: { d: [1, 2], c: 'x' } })).toEqual(digestBody({ a: { c: 'x', d: [1, 2] }, b: 1 }));
    expect(digestBody(undefined)).toEqual({ sha256: null, size: 0, nonCanonical: false });
  });

  it('a body nested deeper than canonical JSON allows is still hashed (plain JSON text), and flagged', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 600; i++) deep = { a: deep };
    const row = ok(mapK8sAuditEvent(auditEvent({ level: 'Request', requestObject: deep }), null));
    expect(row['request_object_sha256']).toBe(createHash('sha256').update(JSON.stringify(deep)).digest('hex'));
    expect((row['annotations'] as Json)[NON_CANONICAL_ANNOTATION]).toBe('requestObject');
  });

  it('a body holding a number beyond double range (1e400 parses as Infinity) is still hashed, and flagged', () => {
    const row = ok(mapK8sAuditEvent(auditEvent({ level: 'RequestResponse', responseObject: JSON.parse('{"spec":{"replicas":1e400}}') }), null));
    expect(row['response_object_sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect((row['annotations'] as Json)[NON_CANONICAL_ANNOTATION]).toBe('responseObject');
  });

  it('annotation keys named like Object.prototype members are kept like any other', () => {
    const row = ok(mapK8sAuditEvent(auditEvent({ annotations: { toString: 'a', hasOwnProperty: 'b', valueOf: 'c' } }), null));
    expect(row['annotations']).toEqual({ hasOwnProperty: 'b', toString: 'a', valueOf: 'c' });
  });

  it('attack: a 100 KB User-Agent or request URI does not get an event refused (it would act unaudited): cut and flagged', () => {
    const row = ok(mapK8sAuditEvent(auditEvent({ userAgent: 'x'.repeat(100_000), requestURI: `/api/v1/pods?labelSelector=${'a'.repeat(100_000)}` }), null));
    expect((row['user_agent'] as string).length).toBe(512);
    expect(row['user_agent']).toMatch(/…$/);
    expect((row['request_uri'] as string).length).toBe(4096);
    expect((row['annotations'] as Json)[ALTERED_ANNOTATION]).toBe('requestURI,userAgent');
  });

  it('attack: a forged X-Forwarded-For chain of 100 addresses keeps the last 16 sourceIPs (the last one is the real peer)', () => {
    const forged = Array.from({ length: 99 }, (_, i) => `203.0.113.${i}`);
    const row = ok(mapK8sAuditEvent(auditEvent({ sourceIPs: [...forged, '10.0.3.17'] }), null));
    const ips = row['source_ips'] as string[];
    expect(ips).toHaveLength(16);
    expect(ips[15]).toBe('10.0.3.17');
    expect((row['annotations'] as Json)[ALTERED_ANNOTATION]).toBe('sourceIPs');
  });

  it('caps groups at 64 and annotations at 62 (keys in order, values cut to 1,024), keeping room for the flags', () => {
    const groups = Array.from({ length: 100 }, (_, i) => `g${i}`);
    const annotations = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v'.repeat(2000)]));
    const row = ok(mapK8sAuditEvent(auditEvent({ user: { username: 'u', groups }, annotations }), null));
    expect(row['user_groups']).toEqual(groups.slice(0, 64));
    const kept = row['annotations'] as Record<string, string>;
    expect(Object.keys(kept)).toHaveLength(63);
    expect(kept['k00']).toHaveLength(1024);
    expect(kept['k62']).toBeUndefined();
    expect(kept[ALTERED_ANNOTATION]).toBe('annotations,user.groups');
  });

  it('attack: control characters and lone surrogates (a name from a crafted URL path, an OIDC claim) are replaced, not a reason to refuse', () => {
    const row = ok(
      mapK8sAuditEvent(
        auditEvent({
          user: { username: 'eve\u0007', groups: ['a\ud800'] },
          objectRef: { resource: 'secrets', name: 'x\u0000y' },
          annotations: { k: 'v\u001b[31m' },
        }),
        null,
      ),
    );
    expect(row).toMatchObject({ username: 'eve\uFFFD', user_groups: ['a\uFFFD'], name: 'x\uFFFDy' });
    expect((row['annotations'] as Json)['k']).toBe('v\uFFFD[31m');
    expect((row['annotations'] as Json)[ALTERED_ANNOTATION]).toBe('annotations,objectRef.name,user.groups,user.username');
  });

  it('attack: a client-chosen Audit-ID of 10,000 characters is cut to 128, not a reason to refuse', () => {
    const row = ok(mapK8sAuditEvent(auditEvent({ auditID: 'a'.repeat(10_000) }), null));
    expect((row['audit_id'] as string).length).toBe(128);
    expect((row['annotations'] as Json)[ALTERED_ANNOTATION]).toBe('auditID');
  });

  it('an out-of-range response code is dropped (null) and flagged; an empty annotation key is dropped and flagged', () => {
    const row = ok(mapK8sAuditEvent(auditEvent({ responseStatus: { code: 70000 }, annotations: { '': 'x', a: 'b' } }), null));
    expect(row['response_code']).toBeNull();
    expect(row['annotations']).toEqual({ a: 'b', [ALTERED_ANNOTATION]: 'annotations,responseStatus.code' });
  });

  it('attack: an annotation named like our own flag cannot forge or hide one (it is dropped, and that is flagged)', () => {
    const row = ok(mapK8sAuditEvent(auditEvent({ annotations: { [ALTERED_ANNOTATION]: 'nothing', a: 'b' } }), null));
    expect(row['annotations']).toEqual({ a: 'b', [ALTERED_ANNOTATION]: 'annotations' });
  });

  it('a missing stageTimestamp falls back to requestReceivedTimestamp; with neither, the event is refused', () => {
    expect(ok(mapK8sAuditEvent(auditEvent({ stageTimestamp: undefined }), null))['ts']).toBe('2026-12-01T09:15:02.371204Z');
    expect(errors(mapK8sAuditEvent(auditEvent({ stageTimestamp: undefined, requestReceivedTimestamp: undefined }), null))).toEqual([
      'stageTimestamp: required',
    ]);
  });

  it.each([
    ['no auditID', { auditID: undefined }, ['auditID: required']],
    ['no requestURI', { requestURI: undefined }, ['requestURI: required']],
    ['no stage, no verb', { stage: undefined, verb: '' }, ['stage: required', 'verb: required']],
    ['user not an object', { user: 'admin' }, ['user: must be a JSON object']],
    ['a numeric username', { user: { username: 42 } }, ['user.username: must be a string']],
    ['sourceIPs not strings', { sourceIPs: [1, 2] }, ['sourceIPs: must be an array of strings']],
    ['a fractional response code', { responseStatus: { code: 200.5 } }, ['responseStatus.code: must be an integer']],
    ['a non-string annotation', { annotations: { a: 1 } }, ['annotations: must be an object of string values']],
    ['another kind', { kind: 'Pod' }, ['kind: must be Event']],
    ['another apiVersion', { apiVersion: 'audit.k8s.io/v1beta1' }, ['apiVersion: must be audit.k8s.io/v1']],
  ])('refuses an event with %s, naming the Kubernetes field and not the value', (_, overrides, expected) => {
    expect(errors(mapK8sAuditEvent(auditEvent(overrides), null))).toEqual(expected);
  });

  it('refuses an item that is not an object', () => {
    expect(errors(mapK8sAuditEvent('event', null))).toEqual(['must be an audit Event (a JSON object)']);
    expect(errors(mapK8sAuditEvent(null, null))).toEqual(['must be an audit Event (a JSON object)']);
  });

  it('accepts items that carry kind Event and apiVersion audit.k8s.io/v1 (as the log backend writes them)', () => {
    expect(ok(mapK8sAuditEvent({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', ...auditEvent() }, null))['verb']).toBe('get');
  });
});

describe('helpers', () => {
  it('truncateText never splits a surrogate pair', () => {
    expect(truncateText('abc', 3)).toBe('abc');
    expect(truncateText('abcd', 3)).toBe('ab…');
    const cut = truncateText(`a${'😀'.repeat(5)}`, 3);
    expect(cut).toBe('a…');
  });

  it('renameColumnInMessage names the Kubernetes field of a stored column', () => {
    expect(renameColumnInMessage('username: must be a string')).toBe('user.username: must be a string');
    expect(renameColumnInMessage('ts: must be between 1970-01-01T00:00:00Z and now + 86400 s')).toBe(
      'stageTimestamp: must be between 1970-01-01T00:00:00Z and now + 86400 s',
    );
    expect(renameColumnInMessage('user_groups[3]: too long')).toBe('user.groups[3]: too long');
    expect(renameColumnInMessage('something else')).toBe('something else');
  });
});
