import type { LedgerRowInput } from '@auditstack/audit-core';

/** The two event classes the gateway stores. */
export type EventKind = 'lifecycle' | 'tool';

/** Configured storage backend (`AUDIT_BACKEND`). */
export type BackendSetting = 'auto' | 'postgres' | 'jsonl' | 'null';

/** Where writes go right now (`auto` resolves to `postgres`, or `jsonl` while PostgreSQL is down). */
export type ActiveBackend = 'postgres' | 'jsonl' | 'null';

/**
 * A validated event ready to store: `row` is exactly the ledger payload
 * (`lifecycleEventPayload` / `toolEventPayload` output), so what is stored is
 * what is hashed.
 */
export interface PreparedEvent {
  readonly kind: EventKind;
  readonly eventId: string;
  readonly ts: Date;
  readonly row: LedgerRowInput;
}

/** A gateway marker (`audit.gateway_markers`), a ledger leaf of kind `marker`. */
export interface MarkerRecord {
  readonly id: string;
  readonly ts: Date;
  readonly marker: string;
  readonly details: Record<string, unknown>;
}

/** Outcome of storing one valid event. */
export type StoreOutcome = 'accepted' | 'duplicate';

/** Marker names. Persisted: never rename. */
export const GATEWAY_MARKERS = {
  fallbackStarted: 'backend_fallback_started',
  fallbackEnded: 'backend_fallback_ended',
  emergencyStop: 'emergency_stop',
  toolCallDenied: 'tool_call_denied',
} as const;

/** Thrown (and mapped to 503) when the configured backend cannot take writes. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}
