import type { EventKind, LedgerRowInput } from '@auditstack/audit-core';

export type { EventKind } from '@auditstack/audit-core';

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
