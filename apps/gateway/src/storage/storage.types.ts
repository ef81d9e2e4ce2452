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

/**
 * Outcome of storing one valid event: `rejected` when PostgreSQL refused that
 * row on its own (it failed alone, the rest of its group commit did not).
 */
export type StoreOutcome = 'accepted' | 'duplicate' | 'rejected';

/** Marker names. Persisted: never rename. */
export const GATEWAY_MARKERS = {
  fallbackStarted: 'backend_fallback_started',
  fallbackEnded: 'backend_fallback_ended',
  emergencyStop: 'emergency_stop',
  /** The emergency stop's sentinel was found removed at boot after an engagement (recorded by the first gateway to see it). */
  emergencyStopLifted: 'emergency_stop_lifted',
  toolCallDenied: 'tool_call_denied',
  /** A spool line that could not be replayed was copied to `quarantine/<file>`; the rest of the file was replayed. */
  spoolLineQuarantined: 'spool_line_quarantined',
  /** A spool line verifies but does not follow the line before it (a line removed or reordered); it was replayed. */
  spoolChainBroken: 'spool_chain_broken',
} as const;

/** Thrown (and mapped to 503 with `Retry-After`) when the configured backend cannot take writes; nothing was acknowledged. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  constructor(
    message: string,
    /** Seconds a client should wait before retrying (the `Retry-After` header). */
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}
