import { LEDGER_KINDS, type LedgerKind } from '../constants/ledger-kinds';

/**
 * What a ledger leaf covers for each kind of stored row: the row's content as
 * written, minus the columns the append itself fills (`ledger_seq`). Writers
 * hash this object when they append; the verifier re-reads the row with
 * `LEDGER_ROW_SOURCES[kind]`, rebuilds the object and re-hashes it, so both
 * sides must use these functions and nothing else.
 *
 * Input is a row as `pg` returns it (snake_case columns; timestamptz as Date).
 */
export type LedgerRowInput = Record<string, unknown>;

const iso = (value: unknown): string => {
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new TypeError('a ledger payload timestamp is not a valid date');
  return date.toISOString();
};
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** Payload of a `lifecycle` leaf (ref = event_id). */
export function lifecycleEventPayload(row: LedgerRowInput): Record<string, unknown> {
  return {
    event_id: row.event_id,
    ts: iso(row.ts),
    action: row.action,
    actor: row.actor,
    product_id: orNull(row.product_id),
    user_id: orNull(row.user_id),
    engine_id: orNull(row.engine_id),
    metadata: row.metadata ?? {},
    duration_ms: orNull(row.duration_ms),
  };
}

/** Payload of a `tool` leaf (ref = event_id). Sizes and hashes only: the row never holds a payload. */
export function toolEventPayload(row: LedgerRowInput): Record<string, unknown> {
  return {
    event_id: row.event_id,
    ts: iso(row.ts),
    req_id: orNull(row.req_id),
    workspace_id: orNull(row.workspace_id),
    user_id: orNull(row.user_id),
    agent_id: orNull(row.agent_id),
    tool: row.tool,
    action: row.action,
    status: row.status,
    duration_ms: row.duration_ms,
    in_size: row.in_size,
    out_size: row.out_size,
    input_hash: orNull(row.input_hash),
    graph_run_id: orNull(row.graph_run_id),
    graph_node: orNull(row.graph_node),
    job_id: orNull(row.job_id),
  };
}

/** Payload of an `observability` leaf (ref = event_id): an engine's log record, payload-free (body and attributes as hash + size). */
export function observabilityEventPayload(row: LedgerRowInput): Record<string, unknown> {
  return {
    event_id: row.event_id,
    ts: iso(row.ts),
    observed_ts: row.observed_ts === null || row.observed_ts === undefined ? null : iso(row.observed_ts),
    source: row.source,
    engine_id: orNull(row.engine_id),
    service_name: orNull(row.service_name),
    scope_name: orNull(row.scope_name),
    severity_number: orNull(row.severity_number),
    severity_text: orNull(row.severity_text),
    event_name: orNull(row.event_name),
    trace_id: orNull(row.trace_id),
    span_id: orNull(row.span_id),
    body_sha256: orNull(row.body_sha256),
    body_size: row.body_size,
    attributes: row.attributes ?? {},
    attributes_sha256: orNull(row.attributes_sha256),
    attributes_size: row.attributes_size,
    attribute_count: row.attribute_count,
  };
}

/** Payload of a `cluster` leaf (ref = event_id): one Kubernetes audit event, metadata only (bodies as hash + size). */
export function clusterAuditEventPayload(row: LedgerRowInput): Record<string, unknown> {
  return {
    event_id: row.event_id,
    ts: iso(row.ts),
    audit_id: row.audit_id,
    stage: row.stage,
    level: row.level,
    cluster_id: orNull(row.cluster_id),
    verb: row.verb,
    username: orNull(row.username),
    user_groups: row.user_groups ?? [],
    impersonated_user: orNull(row.impersonated_user),
    source_ips: row.source_ips ?? [],
    user_agent: orNull(row.user_agent),
    api_group: orNull(row.api_group),
    api_version: orNull(row.api_version),
    resource: orNull(row.resource),
    subresource: orNull(row.subresource),
    namespace: orNull(row.namespace),
    name: orNull(row.name),
    request_uri: row.request_uri,
    response_code: orNull(row.response_code),
    request_received_ts: row.request_received_ts === null || row.request_received_ts === undefined ? null : iso(row.request_received_ts),
    request_object_sha256: orNull(row.request_object_sha256),
    request_object_size: row.request_object_size,
    response_object_sha256: orNull(row.response_object_sha256),
    response_object_size: row.response_object_size,
    annotations: row.annotations ?? {},
  };
}

/** Columns of `audit.observability_events` a leaf covers, in table order. */
export const OBSERVABILITY_EVENT_COLUMNS = [
  'event_id',
  'ts',
  'observed_ts',
  'source',
  'engine_id',
  'service_name',
  'scope_name',
  'severity_number',
  'severity_text',
  'event_name',
  'trace_id',
  'span_id',
  'body_sha256',
  'body_size',
  'attributes',
  'attributes_sha256',
  'attributes_size',
  'attribute_count',
] as const;

/** Columns of `audit.cluster_audit_events` a leaf covers, in table order. */
export const CLUSTER_AUDIT_EVENT_COLUMNS = [
  'event_id',
  'ts',
  'audit_id',
  'stage',
  'level',
  'cluster_id',
  'verb',
  'username',
  'user_groups',
  'impersonated_user',
  'source_ips',
  'user_agent',
  'api_group',
  'api_version',
  'resource',
  'subresource',
  'namespace',
  'name',
  'request_uri',
  'response_code',
  'request_received_ts',
  'request_object_sha256',
  'request_object_size',
  'response_object_sha256',
  'response_object_size',
  'annotations',
] as const;

/** Payload of a `run` leaf (ref = run id). */
export function runPayload(row: LedgerRowInput): Record<string, unknown> {
  return {
    id: row.id,
    scheduled_at: iso(row.scheduled_at),
    job_id: row.job_id,
    action_id: row.action_id,
    project_id: row.project_id,
    action_type: row.action_type,
    trigger: row.trigger,
    status: row.status,
    message: row.message ?? '',
    output: row.output ?? {},
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
    duration_ms: row.duration_ms,
  };
}

/** Payload of a `marker` leaf (ref = id): a fact the gateway records about itself (`audit.gateway_markers`). */
export function gatewayMarkerPayload(row: LedgerRowInput): Record<string, unknown> {
  return {
    id: row.id,
    ts: iso(row.ts),
    marker: row.marker,
    details: row.details ?? {},
  };
}

/** Payload of a `config` leaf (ref = id): one change made through the engine API (`audit.config_changes`). */
export function configChangePayload(row: LedgerRowInput): Record<string, unknown> {
  return {
    id: row.id,
    at: iso(row.at),
    actor: row.actor,
    subject_kind: row.subject_kind,
    subject_id: row.subject_id,
    change: row.change,
    before: orNull(row.before),
    after: orNull(row.after),
  };
}

/** Where the verifier re-reads the rows of each kind that lives in a table of its own. */
export interface LedgerRowSource {
  table: string;
  /** Column holding the leaf's `ref`. */
  key: string;
  /** Columns to select (exactly what the payload function reads). */
  columns: readonly string[];
  /** Time column (partition key) used to bound scans. */
  timeColumn: string;
  payload(row: LedgerRowInput): Record<string, unknown>;
}

export const LEDGER_ROW_SOURCES: Readonly<Partial<Record<LedgerKind, LedgerRowSource>>> = Object.freeze({
  [LEDGER_KINDS.lifecycle]: {
    table: 'audit.lifecycle_events',
    key: 'event_id',
    timeColumn: 'ts',
    columns: ['event_id', 'ts', 'action', 'actor', 'product_id', 'user_id', 'engine_id', 'metadata', 'duration_ms'],
    payload: lifecycleEventPayload,
  },
  [LEDGER_KINDS.tool]: {
    table: 'audit.tool_events',
    key: 'event_id',
    timeColumn: 'ts',
    columns: [
      'event_id',
      'ts',
      'req_id',
      'workspace_id',
      'user_id',
      'agent_id',
      'tool',
      'action',
      'status',
      'duration_ms',
      'in_size',
      'out_size',
      'input_hash',
      'graph_run_id',
      'graph_node',
      'job_id',
    ],
    payload: toolEventPayload,
  },
  [LEDGER_KINDS.observability]: {
    table: 'audit.observability_events',
    key: 'event_id',
    timeColumn: 'ts',
    columns: OBSERVABILITY_EVENT_COLUMNS,
    payload: observabilityEventPayload,
  },
  [LEDGER_KINDS.cluster]: {
    table: 'audit.cluster_audit_events',
    key: 'event_id',
    timeColumn: 'ts',
    columns: CLUSTER_AUDIT_EVENT_COLUMNS,
    payload: clusterAuditEventPayload,
  },
  [LEDGER_KINDS.run]: {
    table: 'audit.runs',
    key: 'id',
    timeColumn: 'scheduled_at',
    columns: [
      'id',
      'scheduled_at',
      'job_id',
      'action_id',
      'project_id',
      'action_type',
      'trigger',
      'status',
      'message',
      'output',
      'started_at',
      'finished_at',
      'duration_ms',
    ],
    payload: runPayload,
  },
  [LEDGER_KINDS.marker]: {
    table: 'audit.gateway_markers',
    key: 'id',
    timeColumn: 'ts',
    columns: ['id', 'ts', 'marker', 'details'],
    payload: gatewayMarkerPayload,
  },
  [LEDGER_KINDS.config]: {
    table: 'audit.config_changes',
    key: 'id',
    timeColumn: 'at',
    columns: ['id', 'at', 'actor', 'subject_kind', 'subject_id', 'change', 'before', 'after'],
    payload: configChangePayload,
  },
});
