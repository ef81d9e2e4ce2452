import { randomUUID } from 'node:crypto';
import { EVENT_KINDS, type ClusterAuditEventInput, type ObservabilityEventInput } from '@auditstack/audit-core';
import { validateEvent, type ValidatedItem } from '../../apps/gateway/src/ingest/event-validation.util';
import { IngestService } from '../../apps/gateway/src/ingest/ingest.service';
import { assertLedgerCovers, startGatewayBehindProxy, type GatewayHarness } from './support/gateway-harness';
import { runVerify, waitFor } from './support/spool-faults';
import type { TcpProxy } from './support/tcp-proxy';

/**
 * The two event domains added for the standard formats (issue 14):
 * observability records and cluster audit events are stored like lifecycle
 * and tool events — one transaction with their ledger leaves, idempotent on
 * event_id, spooled while PostgreSQL is down and replayed after — and
 * `auditstack verify` re-hashes them from their tables.
 */
function observability(overrides: Partial<ObservabilityEventInput> = {}): ObservabilityEventInput {
  return {
    ts: '2026-11-30T10:00:00.000Z',
    source: 'otlp',
    engine_id: 'eng-7',
    service_name: 'engine',
    severity_number: 17,
    severity_text: 'ERROR',
    event_name: 'engine.oom',
    trace_id: '5b8efff798038103d269b633813fc60c',
    span_id: 'eee19b7ec3c1b174',
    body_sha256: 'a'.repeat(64),
    body_size: 120,
    attributes: { 'service.name': 'engine', 'http.response.status_code': 503, retry: true },
    attributes_sha256: 'b'.repeat(64),
    attributes_size: 96,
    attribute_count: 5,
    ...overrides,
  };
}

function cluster(overrides: Partial<ClusterAuditEventInput> = {}): ClusterAuditEventInput {
  return {
    ts: '2026-11-30T10:00:01.000Z',
    audit_id: randomUUID(),
    stage: 'ResponseComplete',
    level: 'Metadata',
    cluster_id: 'prod-eu',
    verb: 'delete',
    username: 'system:serviceaccount:ops:deployer',
    user_groups: ['system:serviceaccounts', 'system:authenticated'],
    source_ips: ['10.0.0.7'],
    user_agent: 'kubectl/v1.31.0',
    api_group: 'apps',
    api_version: 'v1',
    resource: 'deployments',
    namespace: 'engines',
    name: 'engine-7',
    request_uri: '/apis/apps/v1/namespaces/engines/deployments/engine-7',
    response_code: 200,
    request_received_ts: '2026-11-30T10:00:00.900Z',
    annotations: { 'authorization.k8s.io/decision': 'allow' },
    ...overrides,
  };
}

const item = (index: number, kind: 'observability' | 'cluster', input: unknown): ValidatedItem => ({ index, ...validateEvent(kind, input, null, 'tolerant') });

describe('observability and cluster audit events in storage', () => {
  let gw: GatewayHarness & { proxy: TcpProxy };
  let ingest: IngestService;

  beforeAll(async () => {
    gw = await startGatewayBehindProxy({ AUDIT_BACKEND: 'auto', AUDIT_FALLBACK_SECONDS: '1' });
    ingest = gw.app.get(IngestService);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('stores both kinds with their leaves, answers duplicate for a retry, and refuses a row outside its schema', async () => {
    const items = [item(0, 'observability', observability()), item(1, 'cluster', cluster()), item(2, 'observability', observability({ body_size: -1 }))];
    const first = await ingest.ingestValidated(EVENT_KINDS.observability, items, false);
    expect(first.response.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'rejected']);
    expect(first.response.results[2]!.errors!.join()).toContain('body_size');
    const again = await ingest.ingestValidated(EVENT_KINDS.observability, items.slice(0, 2), false);
    expect(again.response.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);

    const obs = await gw.sql.query('SELECT engine_id, attributes, body_sha256, ledger_seq FROM audit.observability_events');
    expect(obs.rows).toEqual([
      {
        engine_id: 'eng-7',
        attributes: { 'service.name': 'engine', 'http.response.status_code': 503, retry: true },
        body_sha256: 'a'.repeat(64),
        ledger_seq: '0',
      },
    ]);
    const k8s = await gw.sql.query('SELECT verb, resource, user_groups, annotations FROM audit.cluster_audit_events');
    expect(k8s.rows).toEqual([
      {
        verb: 'delete',
        resource: 'deployments',
        user_groups: ['system:serviceaccounts', 'system:authenticated'],
        annotations: { 'authorization.k8s.io/decision': 'allow' },
      },
    ]);
    expect(await assertLedgerCovers(gw.sql)).toBe(2);
  });

  it('spools both kinds while PostgreSQL is down, replays them once after, and the whole ledger verifies', async () => {
    await gw.proxy.cut();
    const spooled = await ingest.ingestValidated(
      EVENT_KINDS.cluster,
      [item(0, 'cluster', cluster({ verb: 'create' })), item(1, 'observability', observability({ event_name: 'engine.restart' }))],
      false,
    );
    expect(spooled.response.backend).toBe('jsonl');
    expect(spooled.response.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    await gw.proxy.restore();
    const drained = await waitFor(async () => {
      const details = ((await (await gw.call('/ping?details=true')).json()) as { details: { fallback_active: boolean; spool_bytes: number } }).details;
      return !details.fallback_active && details.spool_bytes === 0;
    }, 30_000);
    expect(drained).toBe(true);

    const counts = await gw.sql.query<{ o: string; c: string }>(
      'SELECT (SELECT count(*) FROM audit.observability_events) AS o, (SELECT count(*) FROM audit.cluster_audit_events) AS c',
    );
    expect(counts.rows[0]).toEqual({ o: '2', c: '2' });
    // 4 events + the fallback started/ended markers.
    expect(await assertLedgerCovers(gw.sql)).toBe(6);
    const verify = await runVerify(gw.db.url, gw.home);
    expect({ code: verify.code, out: verify.out }).toMatchObject({ code: 0 });
  });
});
