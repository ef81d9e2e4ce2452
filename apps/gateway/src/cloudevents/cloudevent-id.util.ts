import { createHash } from 'node:crypto';

/**
 * The stored `event_id` of a CloudEvent: a UUID (version 5 layout, RFC 9562
 * §5.5, over SHA-256 instead of SHA-1, like `deriveEventId`) of its `source`
 * and `id` — the pair CloudEvents 1.0 makes unique per event. A redelivery
 * (same source, same id) gets the same event_id and is reported `duplicate`;
 * the same id from another source is another event.
 *
 * Input: `auditstack:cloudevents:` followed by the JSON array `[source, id]`
 * (unambiguous whatever the strings hold), so anyone can recompute the id of a
 * CloudEvent they sent.
 */
export function deriveCloudEventId(source: string, id: string): string {
  const digest = createHash('sha256')
    .update('auditstack:cloudevents:')
    .update(JSON.stringify([source, id]))
    .digest();
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
