import { createHash } from 'node:crypto';
import {
  EVENT_KINDS,
  IDENTIFIER_PATTERN,
  IDENTIFIER_RULE,
  MAX_KEPT_ATTRIBUTE_VALUE,
  PAYLOAD_FIELD_NAMES,
  quoteKeys,
  ToolEventSchema,
} from '@auditstack/audit-core';
import { canonicalJson } from '@auditstack/evidence';
import { deriveCloudEventId } from './cloudevent-id.util';
import type { CloudEventRecord } from './cloudevent-reader.util';
import { ENGINE_ID_EXTENSION, targetOfType } from './cloudevent-types.util';

/** A CloudEvent mapped to a native event input, ready for the kind's schema. */
export interface MappedCloudEvent {
  readonly kind: typeof EVENT_KINDS.lifecycle | typeof EVENT_KINDS.tool | typeof EVENT_KINDS.observability;
  /** The native event as a client would send it to `/v1/<kind>-events`. */
  readonly input: Record<string, unknown>;
  /** Where each native field came from (`ts` ← `time`), so validation messages name the CloudEvents attribute. */
  readonly origins: Readonly<Record<string, string>>;
}

/** The field names of a native tool event (the `tool` field, not the event kind). */
const TOOL_FIELDS = ToolEventSchema.keyof().enum;

/**
 * GenAI semantic-convention names accepted in a tool call's data, next to the
 * native field names (`gen_ai.tool.name` for `tool`…). Both at once is a conflict.
 */
export const GENAI_DATA_ALIASES: Readonly<Record<string, string>> = {
  'gen_ai.tool.name': TOOL_FIELDS.tool,
  'gen_ai.agent.id': TOOL_FIELDS.agent_id,
  'gen_ai.tool.call.id': TOOL_FIELDS.req_id,
};

const PAYLOAD_KEYS: ReadonlySet<string> = new Set(PAYLOAD_FIELD_NAMES);
const TIME_FIELDS = ['ts', 'timestamp'] as const;
const LIFECYCLE_DATA = 'engine_id, product_id, user_id, actor, metadata, duration_ms';
const TOOL_DATA = 'req_id, workspace_id, user_id, agent_id, tool, action, status, duration_ms, in_size, out_size, input_hash, graph_run_id, graph_node, job_id';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Maps one CloudEvent to the native event it stands for (see
 * docs/ingest-formats.md, "CloudEvents"): the `type` chooses the kind (and the
 * lifecycle action), `data` holds the native fields, `time` becomes `ts`, and
 * the `event_id` is derived from `source` + `id` (the CloudEvents idempotency
 * key). `receivedAt` stands in for a missing `time` (and `data.ts`). Input is
 * attacker controlled: messages name attributes and fields, never values.
 */
export function mapCloudEvent(event: CloudEventRecord, receivedAt: Date): MappedCloudEvent | { errors: string[] } {
  const target = targetOfType(event.type);
  if ('error' in target) {
    if (target.unsupported && event.extensions[ENGINE_ID_EXTENSION] !== undefined) return observabilityOf(event, receivedAt);
    return { errors: [target.error] };
  }
  const data = event.data === undefined || event.data === null ? {} : event.data;
  if (!isPlainObject(data)) {
    return { errors: [`data: must be a JSON object of ${target.kind} event fields (${target.kind === EVENT_KINDS.tool ? TOOL_DATA : LIFECYCLE_DATA})`] };
  }
  const errors: string[] = [];
  const payload = Object.keys(data).filter((key) => PAYLOAD_KEYS.has(key.toLowerCase()));
  if (payload.length > 0) {
    errors.push(`data: payload fields are never stored: ${quoteKeys(payload)} (send sizes and SHA-256 hashes instead: in_size, out_size, input_hash)`);
  }
  if (data['event_id'] !== undefined) errors.push('data.event_id: not accepted: the event id is derived from the source and id attributes');

  const input: Record<string, unknown> = { ...data };
  const origins: Record<string, string> = {};
  for (const key of TIME_FIELDS) delete input[key];
  const dataTimes = TIME_FIELDS.filter((key) => data[key] !== undefined);
  if (event.time !== null) {
    if (dataTimes.length > 0) errors.push(`data.${dataTimes[0]}: not accepted next to the time attribute: give the instant once, as time`);
    input['ts'] = event.time;
    origins['ts'] = 'time';
  } else if (dataTimes.length > 0) {
    if (dataTimes.length > 1) errors.push('data.timestamp: not accepted next to data.ts');
    input['ts'] = data[dataTimes[0]!];
    origins['ts'] = `data.${dataTimes[0]}`;
  } else {
    // No time anywhere: the gateway's receipt time (documented; a redelivery is still a duplicate, by source + id).
    input['ts'] = receivedAt.toISOString();
    origins['ts'] = 'time';
  }

  if (target.kind === EVENT_KINDS.lifecycle) {
    if (data['action'] !== undefined) errors.push('data.action: not accepted: the action comes from the type attribute');
    input['action'] = target.action;
    origins['action'] = 'type';
    if (event.subject !== null) {
      if (data['engine_id'] === undefined) {
        input['engine_id'] = event.subject;
        origins['engine_id'] = 'subject';
      } else if (data['engine_id'] !== event.subject) {
        errors.push('subject: must equal data.engine_id when both are given (the subject of a lifecycle event is its engine)');
      }
    }
  } else {
    for (const [alias, field] of Object.entries(GENAI_DATA_ALIASES)) {
      if (data[alias] === undefined) continue;
      delete input[alias];
      if (data[field] !== undefined) {
        errors.push(`data[${JSON.stringify(alias)}]: conflicts with data.${field}; send one of them`);
        continue;
      }
      input[field] = data[alias];
      origins[field] = `data[${JSON.stringify(alias)}]`;
    }
    // The CloudEvent id is the natural request id when it is identifier-like and data names none.
    if (input['req_id'] === undefined && IDENTIFIER_PATTERN.test(event.id)) {
      input['req_id'] = event.id;
      origins['req_id'] = 'id';
    }
  }
  if (errors.length > 0) return { errors };
  input['event_id'] = deriveCloudEventId(event.source, event.id);
  origins['event_id'] = 'id';
  return { kind: target.kind, input, origins };
}

/** Deepest `data` an observability event hashes (JSON nesting levels). */
export const MAX_DATA_DEPTH = 64;

/** Whether `value` nests deeper than `max` levels (iterative: hostile input cannot exhaust the stack here). */
function deeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return false;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/**
 * An event of an unsupported type that names its engine (`engineid`
 * extension): kept as a payload-free observability event — `data` and the
 * full attribute set only as SHA-256 + size, the type as `event_name`, the
 * trace context from a W3C `traceparent` extension, and in clear only the
 * CloudEvent's id, source and spec version (so the row can be traced back).
 */
function observabilityOf(event: CloudEventRecord, receivedAt: Date): MappedCloudEvent | { errors: string[] } {
  const engineId = event.extensions[ENGINE_ID_EXTENSION];
  if (typeof engineId !== 'string' || !IDENTIFIER_PATTERN.test(engineId)) return { errors: [`${ENGINE_ID_EXTENSION}: ${IDENTIFIER_RULE}`] };
  if (deeperThan(event.data, MAX_DATA_DEPTH)) return { errors: [`data: nested deeper than ${MAX_DATA_DEPTH} levels`] };
  const attributes: Record<string, unknown> = { specversion: event.specversion, id: event.id, source: event.source, type: event.type };
  for (const name of ['time', 'subject', 'datacontenttype', 'dataschema'] as const) if (event[name] !== null) attributes[name] = event[name];
  Object.assign(attributes, event.extensions);
  let attributesJson: string;
  let body: { sha256: string; size: number } | null = null;
  try {
    attributesJson = canonicalJson(attributes);
    if (event.data !== undefined && event.data !== null) {
      const bytes = Buffer.from(typeof event.data === 'string' ? event.data : canonicalJson(event.data), 'utf8');
      body = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    }
  } catch {
    return { errors: ['data: cannot be hashed as canonical JSON (RFC 8785)'] };
  }
  const trace = typeof event.extensions['traceparent'] === 'string' ? TRACEPARENT.exec(event.extensions['traceparent']) : null;
  const traceId = trace && !/^0+$/.test(trace[1]!) ? trace[1]! : null;
  const spanId = trace && traceId && !/^0+$/.test(trace[2]!) ? trace[2]! : null;
  const kept: Record<string, string> = {};
  for (const [key, value] of [
    ['cloudevents.event_id', event.id],
    ['cloudevents.event_source', event.source],
    ['cloudevents.event_spec_version', event.specversion],
  ] as const) {
    if (value.length <= MAX_KEPT_ATTRIBUTE_VALUE) kept[key] = value;
  }
  const input: Record<string, unknown> = {
    event_id: deriveCloudEventId(event.source, event.id),
    ts: event.time ?? receivedAt.toISOString(),
    observed_ts: receivedAt.toISOString(),
    source: 'cloudevents',
    engine_id: engineId,
    event_name: event.type,
    trace_id: traceId,
    span_id: spanId,
    body_sha256: body?.sha256 ?? null,
    body_size: body?.size ?? 0,
    attributes: kept,
    attributes_sha256: createHash('sha256').update(attributesJson).digest('hex'),
    attributes_size: Buffer.byteLength(attributesJson, 'utf8'),
    attribute_count: Object.keys(attributes).length,
  };
  return {
    kind: EVENT_KINDS.observability,
    input,
    origins: { ts: 'time', observed_ts: 'time', engine_id: ENGINE_ID_EXTENSION, event_name: 'type', event_id: 'id' },
  };
}

const LEADING_FIELD = /^([A-Za-z_][A-Za-z0-9_]*)(?=[:.[])/;

/**
 * Rewrites native validation messages (`ts: must be …`, `metadata.image:
 * required`, `unknown field(s) …`) to name where the value came from in the
 * CloudEvent (`time: must be …`, `data.metadata.image: required`,
 * `data: unknown field(s) …`).
 */
export function relabelErrors(messages: readonly string[], origins: Readonly<Record<string, string>>): string[] {
  return messages.map((message) => {
    const match = LEADING_FIELD.exec(message);
    if (!match) return `data: ${message}`;
    const field = match[1]!;
    return `${origins[field] ?? `data.${field}`}${message.slice(field.length)}`;
  });
}
