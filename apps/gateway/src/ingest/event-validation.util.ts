import {
  formatIssues,
  lifecycleEventPayload,
  EVENT_KINDS,
  LifecycleEventSchema,
  MAX_BATCH_EVENTS,
  toolEventPayload,
  ToolEventSchema,
  withPath,
  type LedgerRowInput,
} from '@auditstack/audit-core';
import type { EventKind, PreparedEvent } from '../storage/storage.types';
import { deriveEventId } from './event-id.util';

/** One element of a request, validated. */
export type ValidatedItem = { readonly index: number; readonly event: PreparedEvent } | { readonly index: number; readonly errors: readonly string[] };

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

const SCHEMAS = { lifecycle: LifecycleEventSchema, tool: ToolEventSchema } as const;
const PAYLOADS = { lifecycle: lifecycleEventPayload, tool: toolEventPayload } as const;

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
 * Validates one event with the audit-core schema and prepares the row to
 * store: the ledger payload of the parsed event, with `event_id` supplied or
 * derived. Input is attacker controlled: messages name fields, never values.
 */
export function validateEvent(kind: EventKind, input: unknown, workspaceScope: string | null): { event: PreparedEvent } | { errors: string[] } {
  const parsed = SCHEMAS[kind].safeParse(input);
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
  return { event: { kind, eventId, ts: new Date(String(row['ts'])), row } };
}

/**
 * Reads a request body as one event (an object) or a batch (an array of 1 to
 * {@link MAX_BATCH_EVENTS}) and validates each element independently.
 *
 * @throws IngestBodyError when the body is neither (or is too large).
 */
export function validateBody(kind: EventKind, body: unknown, workspaceScope: string | null): { single: boolean; items: ValidatedItem[] } {
  if (Array.isArray(body)) {
    if (body.length === 0) throw new IngestBodyError('a batch must hold at least one event');
    if (body.length > MAX_BATCH_EVENTS) throw new IngestBodyError(`a batch holds at most ${MAX_BATCH_EVENTS} events, got ${body.length}`, true);
    return { single: false, items: body.map((input, index) => ({ index, ...validateEvent(kind, input, workspaceScope) })) };
  }
  if (body === null || typeof body !== 'object') {
    throw new IngestBodyError(`the body must be a JSON ${kind} event object or an array of them`);
  }
  return { single: true, items: [{ index: 0, ...validateEvent(kind, body, workspaceScope) }] };
}
