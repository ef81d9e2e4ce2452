import { createHash } from 'node:crypto';
import { canonicalJson } from '@auditstack/evidence';
import { EVENT_KINDS, MAX_KEPT_ATTRIBUTE_KEY, MAX_KEPT_ATTRIBUTE_VALUE, MAX_KEPT_ATTRIBUTES, IDENTIFIER_PATTERN } from '@auditstack/audit-core';
import { AnyValueError, plainAttributes, plainValue, type PlainValue } from './otlp-any-value.util';

/**
 * OTLP log records → auditstack rows (docs/ingest-formats.md, "OpenTelemetry").
 *
 * - a GenAI tool call (`gen_ai.operation.name` = `execute_tool`) → a tool event;
 * - an orchestrator lifecycle record (`auditstack.lifecycle.action`, or
 *   `event.name` / `eventName` = `auditstack.lifecycle.<action>`) → a lifecycle event;
 * - anything else → an observability event: body and attributes hashed and
 *   sized, never stored; an allowlist of scalar attributes kept.
 *
 * Pure functions: the rows go through the kind's schema (validateEvent) next.
 */

/** Attributes an observability row keeps (scalar values only), before `OTLP_KEPT_ATTRIBUTES`. */
export const OTLP_BUILTIN_KEPT_ATTRIBUTES = [
  'service.name',
  'service.namespace',
  'service.version',
  'service.instance.id',
  'engine.id',
  'engine_id',
  'deployment.environment',
  'deployment.environment.name',
  'host.name',
  'k8s.namespace.name',
  'k8s.pod.name',
  'http.request.method',
  'http.route',
  'http.response.status_code',
  'rpc.method',
  'rpc.service',
  'error.type',
  'exception.type',
  'event.name',
  'event.domain',
  'code.function',
  'code.function.name',
  'code.namespace',
  'gen_ai.operation.name',
  'gen_ai.system',
  'gen_ai.provider.name',
  'gen_ai.request.model',
  'gen_ai.response.model',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
] as const;

/** Control characters and lone surrogates: text that a column or jsonb must not hold. */
const UNFIT_TEXT = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `value` when it is text of at most `max` characters a column can hold, else null (dropped, never truncated: a cut value would say something else). */
function fitting(value: string | null, max: number): string | null {
  return value !== null && value.length <= max && !UNFIT_TEXT.test(value) ? value : null;
}

/** Lifecycle marker: `event.name` / `eventName` = `auditstack.lifecycle.<action>`. */
export const LIFECYCLE_EVENT_NAME_PREFIX = 'auditstack.lifecycle.';
/** Record attributes `auditstack.lifecycle.metadata.<key>` become `metadata.<key>` of a lifecycle event. */
export const LIFECYCLE_METADATA_PREFIX = 'auditstack.lifecycle.metadata.';

/** The attribute names the mapping reads (documented in docs/ingest-formats.md). */
export const OTLP_ATTRIBUTES = {
  operation: 'gen_ai.operation.name',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolArguments: 'gen_ai.tool.call.arguments',
  toolResult: 'gen_ai.tool.call.result',
  agentId: 'gen_ai.agent.id',
  agentName: 'gen_ai.agent.name',
  workspaceId: 'auditstack.workspace_id',
  userId: 'auditstack.user_id',
  productId: 'auditstack.product_id',
  toolAction: 'auditstack.tool.action',
  toolStatus: 'auditstack.tool.status',
  durationMs: 'auditstack.duration_ms',
  inSize: 'auditstack.tool.in_size',
  outSize: 'auditstack.tool.out_size',
  inputHash: 'auditstack.tool.input_hash',
  graphRunId: 'auditstack.graph_run_id',
  graphNode: 'auditstack.graph_node',
  jobId: 'auditstack.job_id',
  lifecycleAction: 'auditstack.lifecycle.action',
  lifecycleActor: 'auditstack.lifecycle.actor',
  eventName: 'event.name',
  errorType: 'error.type',
  serviceName: 'service.name',
} as const;

/** The value of `gen_ai.operation.name` that makes a record a tool call. */
export const EXECUTE_TOOL = 'execute_tool';
/** `action` of a tool event whose record names none. */
export const DEFAULT_TOOL_ACTION = 'call';
/** Most log records one request may carry (as a native batch). */
export const MAX_OTLP_LOG_RECORDS = 10_000;

/** Settings of the mapping. */
export interface OtlpMappingOptions {
  /** Attributes naming the engine, first found wins (`OTLP_ENGINE_ID_ATTRIBUTES`). */
  readonly engineIdAttributes: readonly string[];
  /** Extra attributes an observability row keeps (`OTLP_KEPT_ATTRIBUTES`). */
  readonly keptAttributes: readonly string[];
  /** Receive time: the timestamp of a record that carries neither time nor observed time. */
  readonly now: Date;
}

/** Where a record sits in the request (OTLP/JSON path). */
export interface OtlpRecordRef {
  readonly index: number;
  readonly path: string;
}

/** The kinds a log record maps to. */
export type MappedRecordKind = typeof EVENT_KINDS.tool | typeof EVENT_KINDS.lifecycle | typeof EVENT_KINDS.observability;

/** One log record mapped to a native row, or why it could not be. */
export type MappedLogRecord =
  (OtlpRecordRef & { readonly kind: MappedRecordKind; readonly row: Record<string, unknown> }) | (OtlpRecordRef & { readonly errors: readonly string[] });

type Attributes = { readonly [key: string]: PlainValue };

interface RecordContext {
  readonly resource: Attributes;
  readonly scopeName: string | null;
  readonly record: Record<string, unknown>;
  readonly attributes: Attributes;
}

class RecordError extends Error {}

function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Sets an own property whatever the key (an attacker's `__proto__` stays a key, never a prototype). */
function define<V>(target: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Looks a key up in the record's attributes, then the resource's. */
function lookup(ctx: RecordContext, key: string): PlainValue | undefined {
  if (Object.hasOwn(ctx.attributes, key)) return ctx.attributes[key];
  if (Object.hasOwn(ctx.resource, key)) return ctx.resource[key];
  return undefined;
}

/** A string attribute (numbers and booleans read as their text); null when absent or empty. */
function text(ctx: RecordContext, key: string): string | null {
  const value = lookup(ctx, key);
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined || value === null) return null;
  throw new RecordError(`attributes.${key}: must be a string`);
}

/**
 * An integer attribute (an int, a double — rounded: emitters measure 12.7 ms —
 * or a decimal string); null when absent.
 */
function integer(ctx: RecordContext, key: string): number | null {
  const value = lookup(ctx, key);
  if (value === undefined || value === null) return null;
  const n = typeof value === 'number' ? Math.round(value) : typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new RecordError(`attributes.${key}: must be an integer`);
  return n;
}

/** Bytes and SHA-256 of a payload-like attribute (a string: its UTF-8; anything else: its canonical JSON). */
function measure(value: PlainValue): { size: number; sha256: string } {
  const bytes = Buffer.from(typeof value === 'string' ? value : canonicalJson(value), 'utf8');
  return { size: bytes.length, sha256: sha256Hex(bytes) };
}

const NANOS_PER_MS = 1_000_000n;

/** `timeUnixNano` (decimal string or number) → Date (millisecond precision); null when 0 or absent. */
function nanosToDate(value: unknown, field: string): Date | null {
  if (value === undefined || value === null || value === '' || value === 0 || value === '0') return null;
  let nanos: bigint;
  try {
    if (typeof value === 'number' && !Number.isInteger(value)) throw new Error();
    nanos = BigInt(value as string | number);
  } catch {
    throw new RecordError(`${field}: must be an unsigned 64-bit integer of nanoseconds since 1970`);
  }
  if (nanos < 0n || nanos >= 2n ** 64n) throw new RecordError(`${field}: must be an unsigned 64-bit integer of nanoseconds since 1970`);
  return new Date(Number(nanos / NANOS_PER_MS));
}

/** OTLP ids: hex of the right length, all-zero meaning "none". */
function hexId(value: unknown, length: number, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !new RegExp(`^[0-9a-fA-F]{${length}}$`).test(value)) {
    throw new RecordError(`${field}: must be ${length} hex digits`);
  }
  const lower = value.toLowerCase();
  return /^0+$/.test(lower) ? null : lower;
}

function timestamps(ctx: RecordContext, now: Date): { ts: string; observed: string | null } {
  const time = nanosToDate(ctx.record['timeUnixNano'], 'timeUnixNano');
  const observed = nanosToDate(ctx.record['observedTimeUnixNano'], 'observedTimeUnixNano');
  // OTLP logs data model: Timestamp is optional; ObservedTimestamp stands in, and the receive time when neither is set.
  return { ts: (time ?? observed ?? now).toISOString(), observed: observed ? observed.toISOString() : null };
}

function engineId(ctx: RecordContext, options: OtlpMappingOptions): string | null {
  for (const key of options.engineIdAttributes) {
    const value = text(ctx, key);
    if (value !== null) return value;
  }
  return null;
}

/** An engine id that is an identifier, else null: an observability record is kept even when its engine is named oddly (the raw value stays in the kept `engine.id` attribute when it fits). */
function observedEngineId(ctx: RecordContext, options: OtlpMappingOptions): string | null {
  const id = engineIdLenient(ctx, options);
  return id !== null && IDENTIFIER_PATTERN.test(id) ? id : null;
}

function engineIdLenient(ctx: RecordContext, options: OtlpMappingOptions): string | null {
  for (const key of options.engineIdAttributes) {
    const value = textOrNull(ctx, key);
    if (value !== null) return value;
  }
  return null;
}

/** Like {@link text}, but a non-scalar value reads as null instead of failing the record. */
function textOrNull(ctx: RecordContext, key: string): string | null {
  const value = lookup(ctx, key);
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function eventName(ctx: RecordContext): string | null {
  const field = ctx.record['eventName'];
  if (typeof field === 'string' && field !== '') return field;
  const attribute = ctx.attributes[OTLP_ATTRIBUTES.eventName];
  return typeof attribute === 'string' && attribute !== '' ? attribute : null;
}

function lifecycleAction(ctx: RecordContext): string | null {
  const explicit = text(ctx, OTLP_ATTRIBUTES.lifecycleAction);
  if (explicit !== null) return explicit;
  const name = eventName(ctx);
  return name !== null && name.startsWith(LIFECYCLE_EVENT_NAME_PREFIX) ? name.slice(LIFECYCLE_EVENT_NAME_PREFIX.length) : null;
}

function toolRow(ctx: RecordContext, ts: string, spanId: string | null): Record<string, unknown> {
  const args = ctx.attributes[OTLP_ATTRIBUTES.toolArguments];
  const result = ctx.attributes[OTLP_ATTRIBUTES.toolResult];
  const argsMeasure = args === undefined || args === null ? null : measure(args);
  const resultMeasure = result === undefined || result === null ? null : measure(result);
  const status =
    text(ctx, OTLP_ATTRIBUTES.toolStatus) ??
    (ctx.attributes[OTLP_ATTRIBUTES.errorType] !== undefined || Number(ctx.record['severityNumber'] ?? 0) >= 17 ? 'error' : 'ok');
  return {
    ts,
    req_id: text(ctx, OTLP_ATTRIBUTES.toolCallId) ?? spanId,
    workspace_id: text(ctx, OTLP_ATTRIBUTES.workspaceId),
    user_id: text(ctx, OTLP_ATTRIBUTES.userId),
    agent_id: text(ctx, OTLP_ATTRIBUTES.agentId) ?? text(ctx, OTLP_ATTRIBUTES.agentName),
    tool: text(ctx, OTLP_ATTRIBUTES.toolName),
    action: text(ctx, OTLP_ATTRIBUTES.toolAction) ?? DEFAULT_TOOL_ACTION,
    status,
    duration_ms: integer(ctx, OTLP_ATTRIBUTES.durationMs) ?? 0,
    in_size: integer(ctx, OTLP_ATTRIBUTES.inSize) ?? argsMeasure?.size ?? 0,
    out_size: integer(ctx, OTLP_ATTRIBUTES.outSize) ?? resultMeasure?.size ?? 0,
    input_hash: text(ctx, OTLP_ATTRIBUTES.inputHash) ?? argsMeasure?.sha256 ?? null,
    graph_run_id: text(ctx, OTLP_ATTRIBUTES.graphRunId),
    graph_node: text(ctx, OTLP_ATTRIBUTES.graphNode),
    job_id: text(ctx, OTLP_ATTRIBUTES.jobId),
  };
}

function lifecycleRow(ctx: RecordContext, action: string, ts: string, options: OtlpMappingOptions): Record<string, unknown> {
  const metadata: Record<string, PlainValue> = {};
  for (const [key, value] of Object.entries(ctx.attributes)) {
    if (key.startsWith(LIFECYCLE_METADATA_PREFIX) && key.length > LIFECYCLE_METADATA_PREFIX.length) {
      define(metadata, key.slice(LIFECYCLE_METADATA_PREFIX.length), value);
    }
  }
  return {
    ts,
    action,
    actor: text(ctx, OTLP_ATTRIBUTES.lifecycleActor) ?? 'system',
    product_id: text(ctx, OTLP_ATTRIBUTES.productId),
    user_id: text(ctx, OTLP_ATTRIBUTES.userId),
    engine_id: engineId(ctx, options),
    metadata,
    duration_ms: integer(ctx, OTLP_ATTRIBUTES.durationMs),
  };
}

function keptAttributes(ctx: RecordContext, options: OtlpMappingOptions): Record<string, string | number | boolean> {
  const wanted = new Set<string>([...OTLP_BUILTIN_KEPT_ATTRIBUTES, ...options.keptAttributes, ...options.engineIdAttributes]);
  const kept: Record<string, string | number | boolean> = {};
  const keys = [...wanted].filter((k) => k.length > 0 && k.length <= MAX_KEPT_ATTRIBUTE_KEY && !UNFIT_TEXT.test(k)).sort();
  let n = 0;
  for (const key of keys) {
    if (n >= MAX_KEPT_ATTRIBUTES) break;
    const value = lookup(ctx, key);
    if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) define(kept, key, value);
    else if (typeof value === 'string' && fitting(value, MAX_KEPT_ATTRIBUTE_VALUE) !== null) define(kept, key, value);
    else continue;
    n++;
  }
  return kept;
}

function severity(ctx: RecordContext): { number: number | null; text: string | null } {
  const n = ctx.record['severityNumber'];
  const number = typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 24 ? n : null;
  const t = ctx.record['severityText'];
  return { number, text: typeof t === 'string' && t !== '' ? fitting(t, 32) : null };
}

function observabilityRow(ctx: RecordContext, ts: string, observed: string | null, traceId: string | null, spanId: string | null, options: OtlpMappingOptions) {
  const bodyValue = ctx.record['body'] === undefined ? undefined : plainValue(ctx.record['body']);
  const body = bodyValue === undefined || bodyValue === null ? null : measure(bodyValue);
  const count = Object.keys(ctx.attributes).length;
  const attributesJson = count > 0 ? canonicalJson(ctx.attributes) : null;
  const sev = severity(ctx);
  return {
    ts,
    observed_ts: observed,
    source: 'otlp',
    // Descriptive columns that do not fit are left null (the record is kept; the attribute hashes still cover them).
    engine_id: observedEngineId(ctx, options),
    service_name: fitting(textOrNull(ctx, OTLP_ATTRIBUTES.serviceName), 256),
    scope_name: fitting(ctx.scopeName, 256),
    severity_number: sev.number,
    severity_text: sev.text,
    event_name: fitting(eventName(ctx), 256),
    trace_id: traceId,
    span_id: spanId,
    body_sha256: body?.sha256 ?? null,
    body_size: body?.size ?? 0,
    attributes: keptAttributes(ctx, options),
    attributes_sha256: attributesJson === null ? null : sha256Hex(attributesJson),
    attributes_size: attributesJson === null ? 0 : Buffer.byteLength(attributesJson, 'utf8'),
    attribute_count: count,
  };
}

function mapRecord(ctx: RecordContext, options: OtlpMappingOptions): { kind: MappedRecordKind; row: Record<string, unknown> } {
  const { ts, observed } = timestamps(ctx, options.now);
  const traceId = hexId(ctx.record['traceId'], 32, 'traceId');
  const spanId = hexId(ctx.record['spanId'], 16, 'spanId');
  if (text(ctx, OTLP_ATTRIBUTES.operation) === EXECUTE_TOOL) return { kind: EVENT_KINDS.tool, row: toolRow(ctx, ts, spanId) };
  const action = lifecycleAction(ctx);
  if (action !== null) return { kind: EVENT_KINDS.lifecycle, row: lifecycleRow(ctx, action, ts, options) };
  return { kind: EVENT_KINDS.observability, row: observabilityRow(ctx, ts, observed, traceId, spanId, options) };
}

/** Counts the log records of a request (to refuse an oversized one before mapping). */
export function countLogRecords(request: unknown): number {
  let n = 0;
  for (const resourceLogs of arr(obj(request)['resourceLogs'])) {
    for (const scopeLogs of arr(obj(resourceLogs)['scopeLogs'])) n += arr(obj(scopeLogs)['logRecords']).length;
  }
  return n;
}

/**
 * Maps every log record of an `ExportLogsServiceRequest` (OTLP/JSON shape) to
 * a native row of its kind, in request order. A record that cannot be mapped
 * (a bad id, a bad timestamp, attributes nested too deep) gets errors naming
 * its path; the others are unaffected (OTLP partial success).
 */
export function mapLogsRequest(request: unknown, options: OtlpMappingOptions): MappedLogRecord[] {
  const out: MappedLogRecord[] = [];
  let index = 0;
  arr(obj(request)['resourceLogs']).forEach((resourceLogs, i) => {
    const resourcePath = `resourceLogs[${i}]`;
    let resource: Attributes | null = null;
    let resourceError: string | null = null;
    try {
      resource = plainAttributes(arr(obj(obj(resourceLogs)['resource'])['attributes']));
    } catch (error) {
      if (!(error instanceof AnyValueError)) throw error;
      resourceError = `${resourcePath}.resource.attributes: ${error.message}`;
    }
    arr(obj(resourceLogs)['scopeLogs']).forEach((scopeLogs, j) => {
      const scope = obj(obj(scopeLogs)['scope']);
      const scopeName = typeof scope['name'] === 'string' && scope['name'] !== '' ? scope['name'] : null;
      arr(obj(scopeLogs)['logRecords']).forEach((logRecord, k) => {
        const path = `${resourcePath}.scopeLogs[${j}].logRecords[${k}]`;
        const ref = { index: index++, path };
        if (resource === null) {
          out.push({ ...ref, errors: [resourceError!] });
          return;
        }
        const record = obj(logRecord);
        try {
          const attributes = plainAttributes(arr(record['attributes']));
          out.push({ ...ref, ...mapRecord({ resource, scopeName, record, attributes }, options) });
        } catch (error) {
          if (error instanceof AnyValueError) out.push({ ...ref, errors: [`${path}: ${error.message}`] });
          else if (error instanceof RecordError) out.push({ ...ref, errors: [`${path}.${error.message}`] });
          else throw error;
        }
      });
    });
  });
  return out;
}
