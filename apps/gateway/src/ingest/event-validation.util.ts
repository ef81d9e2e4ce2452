import {
  ClusterAuditEventSchema,
  clusterAuditEventPayload,
  formatIssues,
  isRecognisedToolStatus,
  lifecycleEventPayload,
  lifecycleEventSchema,
  EVENT_KINDS,
  LifecycleEventSchema,
  MAX_BATCH_EVENTS,
  ObservabilityEventSchema,
  observabilityEventPayload,
  toolEventPayload,
  ToolEventSchema,
  unknownMetadataKeys,
  unknownMetadataWarning,
  unrecognisedStatusWarning,
  withPath,
  type EventSchemaMode,
  type LedgerRowInput,
} from '@auditstack/audit-core';
import type { EventKind, PreparedEvent } from '../storage/storage.types';
import { deriveEventId } from './event-id.util';

/**
 * An event that passed validation: the row to store, and what was accepted
 * but flagged (`warnings`, e.g. `metadata.tier: unknown key, kept`;
 * `unknownMetadataKeys`, the kept unknown top-level metadata keys, for the
 * `auditstack_gateway_unknown_metadata_keys_total` counter).
 */
export interface ValidEvent {
  readonly event: PreparedEvent;
  readonly warnings?: readonly string[];
  readonly unknownMetadataKeys?: readonly string[];
}

/** One element of a request, validated. */
export type ValidatedItem = ({ readonly index: number } & ValidEvent) | { readonly index: number; readonly errors: readonly string[] };

/** The body could not be read as one event or a batch. */
export class IngestBodyError extends Error {
  override readonly name = 'IngestBodyError';
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const SCHEMAS = {
  lifecycle: LifecycleEventSchema,
  tool: ToolEventSchema,
  observability: ObservabilityEventSchema,
  cluster: ClusterAuditEventSchema,
} as const satisfies Record<EventKind, unknown>;
const PAYLOADS = {
  lifecycle: lifecycleEventPayload,
  tool: toolEventPayload,
  observability: observabilityEventPayload,
  cluster: clusterAuditEventPayload,
} as const satisfies Record<EventKind, unknown>;

/**
 * The first string inside `value` that is not well-formed UTF-16 (a lone
 * surrogate): PostgreSQL's jsonb refuses it, so it is refused here as bad
 * input rather than failing the insert.
 */
function malformedStringPath(value: unknown, path: (string | number)[]): (string | number)[] | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = malformedStringPath(value[i], [...path, i]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = malformedStringPath(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Validates one event with the audit-core schema of its kind (the lifecycle
 * schema of `mode`, by default the configured {@link eventSchemaMode}) and
 * prepares the row to store: the ledger payload of the parsed event, with
 * `event_id` supplied or derived — kept unknown metadata keys are part of it,
 * so they are stored and hashed. Input is attacker controlled: messages name
 * fields, never values.
 */
export function validateEvent(kind: EventKind, input: unknown, workspaceScope: string | null, mode: EventSchemaMode): ValidEvent | { errors: string[] } {
  const schema = kind === EVENT_KINDS.lifecycle ? lifecycleEventSchema(mode) : SCHEMAS[kind];
  const parsed = schema.safeParse(input);
  if (!parsed.success) return { errors: formatIssues(parsed.error) };
  const bad = malformedStringPath(parsed.data, []);
  if (bad) return { errors: [withPath(bad, 'must be valid Unicode text (no lone surrogate)')] };
  const data = parsed.data as LedgerRowInput;
  if (kind === EVENT_KINDS.tool && workspaceScope !== null && data['workspace_id'] !== workspaceScope) {
    return { errors: [`workspace_id: this token is scoped to workspace ${JSON.stringify(workspaceScope)}`] };
  }
  const content = PAYLOADS[kind]({ ...data, event_id: null });
  const eventId = typeof data['event_id'] === 'string' ? data['event_id'] : deriveEventId(kind, content);
  const row: LedgerRowInput = { ...content, event_id: eventId };
  const event: PreparedEvent = { kind, eventId, ts: new Date(String(row['ts'])), row };
  if (kind === EVENT_KINDS.lifecycle) {
    const unknown = unknownMetadataKeys(String(data['action']), data['metadata']);
    return unknown.length > 0 ? { event, warnings: unknown.map(unknownMetadataWarning), unknownMetadataKeys: unknown } : { event };
  }
  if (kind === EVENT_KINDS.tool) {
    if (kind !== EVENT_KINDS.tool) return { event };
    const status = String(data['status']);
    if (!isRecognisedToolStatus(status)) return { event, warnings: [unrecognisedStatusWarning(status)] };
  }
  return { event };
}

/**
 * Reads a request body as one event (an object) or a batch (an array of 1 to
 * {@link MAX_BATCH_EVENTS}) and validates each element independently.
 *
 * @throws IngestBodyError when the body is neither (or is too large).
 */
export function validateBody(
  kind: EventKind,
  body: unknown,
  workspaceScope: string | null,
  mode: EventSchemaMode,
): { single: boolean; items: ValidatedItem[] } {
  if (Array.isArray(body)) {
    if (body.length === 0) throw new IngestBodyError('a batch must hold at least one event');
    if (body.length > MAX_BATCH_EVENTS) throw new IngestBodyError(`a batch holds at most ${MAX_BATCH_EVENTS} events, got ${body.length}`, true);
    return { single: false, items: body.map((input, index) => ({ index, ...validateEvent(kind, input, workspaceScope, mode) })) };
  }
  if (body === null || typeof body !== 'object') {
    throw new IngestBodyError(`the body must be a JSON ${kind} event object or an array of them`);
  }
  return { single: true, items: [{ index: 0, ...validateEvent(kind, body, workspaceScope, mode) }] };
}
