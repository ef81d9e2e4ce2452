import { Inject, Injectable } from '@nestjs/common';
import { DomainError, fieldErrorFromMessage, type EventSchemaMode } from '@auditstack/audit-core';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { GatewayErrorCode } from '../gateway.errors';
import { GatewayMetrics } from '../storage/gateway-metrics';
import { EventStorageService } from '../storage/event-storage.service';
import type { EventKind, PreparedEvent } from '../storage/storage.types';
import { IngestBodyError, validateBody, validateEvent, type ValidatedItem, type ValidEvent } from './event-validation.util';

/** Per-event result of an ingest request. */
export interface EventResult {
  index: number;
  status: 'accepted' | 'duplicate' | 'rejected';
  event_id?: string;
  errors?: string[];
  /** What was accepted but flagged (`metadata.tier: unknown key, kept`). */
  warnings?: string[];
}

/** Response of a batch: per-event results plus counts and the backend that took the events. */
export interface BatchResponse {
  results: EventResult[];
  accepted: number;
  duplicate: number;
  rejected: number;
  backend: string;
}

/** The one event of a single-event request was refused: a 400 naming each field and rule. */
function rejected(messages: readonly string[]): DomainError<GatewayErrorCode> {
  return new DomainError<GatewayErrorCode>('EVENT_REJECTED', messages.join('; '), { errors: messages.map((m) => fieldErrorFromMessage(m, 'body')) });
}

/**
 * The ingest path: validate every element, store the valid ones (group
 * commit, one transaction per flush), answer per event. Nothing is
 * acknowledged before it is durable.
 */
@Injectable()
export class IngestService {
  /** `EVENT_SCHEMA_MODE`: unknown metadata keys kept and flagged (`tolerant`) or refused (`strict`). */
  readonly schemaMode: EventSchemaMode;

  constructor(
    private readonly storage: EventStorageService,
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_CONFIG) config: Readonly<GatewayConfig>,
  ) {
    this.schemaMode = config.EVENT_SCHEMA_MODE;
  }

  /**
   * Validates one native event of `kind` under this gateway's `EVENT_SCHEMA_MODE`
   * (the format adapters — OTLP, CloudEvents, Kubernetes audit — map each element
   * and validate it here, then store with {@link ingestValidated}).
   */
  validate(kind: EventKind, input: unknown, workspaceScope: string | null): ValidEvent | { errors: string[] } {
    return validateEvent(kind, input, workspaceScope, this.schemaMode);
  }

  async ingest(kind: EventKind, body: unknown, workspaceScope: string | null): Promise<{ single: boolean; response: BatchResponse }> {
    let validated;
    try {
      validated = validateBody(kind, body, workspaceScope, this.schemaMode);
    } catch (error) {
      if (error instanceof IngestBodyError) {
        if (error.tooLarge) throw new DomainError<GatewayErrorCode>('BATCH_TOO_LARGE', error.message);
        throw new DomainError('VALIDATION_FAILED', error.message, { errors: [{ path: '', rule: error.message, in: 'body' }] });
      }
      throw error;
    }
    return this.ingestValidated(kind, validated.items, validated.single);
  }

  /**
   * Stores the valid items of a request already validated (by {@link validateBody}
   * or by a format adapter — OTLP, CloudEvents, the Kubernetes audit webhook —
   * that maps each element to a native event and calls `validateEvent`) and
   * answers per item. `metricKind` labels the metrics (the kind of a request
   * whose items are all of one kind). A single item that is refused throws a
   * 400 `EVENT_REJECTED`; a batch answers 200 with per-item outcomes. Nothing
   * is acknowledged before it is durable; a storage outage throws
   * `StorageUnavailableError` (503 + Retry-After).
   */
  async ingestValidated(metricKind: EventKind, items: readonly ValidatedItem[], single: boolean): Promise<{ single: boolean; response: BatchResponse }> {
    const kind = metricKind;
    const end = this.metrics.ingestDuration.startTimer({ kind });
    try {
      if (single) {
        const only = items[0]!;
        if ('errors' in only) {
          this.metrics.eventsIngested.inc({ kind, backend: this.storage.active(), result: 'rejected' });
          throw rejected(only.errors);
        }
      }
      const valid: PreparedEvent[] = [];
      const results: EventResult[] = items.map((item) => {
        if ('errors' in item) return { index: item.index, status: 'rejected', errors: item.errors.map((e) => `[${item.index}] ${e}`) };
        valid.push(item.event);
        return { index: item.index, status: 'accepted', event_id: item.event.eventId, ...(item.warnings?.length ? { warnings: [...item.warnings] } : {}) };
      });
      let backend = this.storage.active();
      if (valid.length > 0) {
        // StorageUnavailableError propagates: 503 with Retry-After (the ProblemFilter's storage mapping), nothing acknowledged.
        const stored = await this.storage.store(valid);
        backend = stored.backend;
        let v = 0;
        for (const r of results) {
          if (r.status === 'rejected') continue;
          const i = v++;
          r.status = stored.outcomes[i]!;
          // Refused by the database on its own (the rest of its group commit was stored): rejected, never stored.
          if (r.status === 'rejected') r.errors = [`[${r.index}] ${stored.errors[i] ?? 'could not be stored'}`];
        }
        if (single && results[0]!.status === 'rejected') {
          this.metrics.eventsIngested.inc({ kind, backend, result: 'rejected' });
          const message = `event ${stored.errors[0] ?? 'could not be stored'}`;
          throw rejected([message]);
        }
      }
      const count = (status: EventResult['status']): number => results.filter((r) => r.status === status).length;
      const response = { results, accepted: count('accepted'), duplicate: count('duplicate'), rejected: count('rejected'), backend };
      for (const result of ['accepted', 'duplicate', 'rejected'] as const) {
        const n = response[result];
        if (n > 0) this.metrics.eventsIngested.inc({ kind, backend, result }, n);
      }
      items.forEach((item, i) => {
        // Unknown metadata keys kept on events stored now (a duplicate was counted when first stored).
        if ('errors' in item || !item.unknownMetadataKeys?.length || results[i]!.status !== 'accepted') return;
        this.metrics.unknownMetadataKeys.inc({ action: String(item.event.row['action']) }, item.unknownMetadataKeys.length);
      });
      return { single, response };
    } finally {
      end();
    }
  }
}
