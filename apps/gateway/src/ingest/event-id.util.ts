import { createHash } from 'node:crypto';
import { canonicalJson } from '@auditstack/evidence';
import type { EventKind } from '../storage/storage.types';

/**
 * The idempotency key of an event sent without `event_id`: a UUID (version 5
 * layout, RFC 9562 §5.5, but over SHA-256 instead of SHA-1) of the event's
 * normalised content — the canonical JSON (RFC 8785) of its ledger payload
 * with `event_id` null, prefixed by the kind. The same event retried gives the
 * same id, so it is reported `duplicate` instead of stored twice; two events
 * differing in any field (a timestamp to the millisecond) get different ids.
 */
export function deriveEventId(kind: EventKind, content: Record<string, unknown>): string {
  const digest = createHash('sha256')
    .update(`auditstack:${kind}:`)
    .update(canonicalJson({ ...content, event_id: null }))
    .digest();
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
