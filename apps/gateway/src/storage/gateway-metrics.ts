import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ActiveBackend } from './storage.types';

const BACKENDS: readonly ActiveBackend[] = ['postgres', 'jsonl', 'null'];

/** The gateway's own Prometheus series (issue 5 §8), registered on the service's registry. */
export class GatewayMetrics {
  readonly eventsIngested: Counter<'kind' | 'backend' | 'result'>;
  readonly ingestDuration: Histogram<'kind'>;
  readonly backend: Gauge<'backend'>;
  readonly fallbackActive: Gauge;
  readonly spoolBytes: Gauge;
  readonly replayedEvents: Counter;
  readonly unknownMetadataKeys: Counter<'action'>;

  constructor(registry: Registry, spoolBytes: () => number) {
    this.eventsIngested = new Counter({
      name: 'auditstack_gateway_events_ingested_total',
      help: 'Events received, by kind, backend that took them and result (accepted, duplicate, rejected).',
      labelNames: ['kind', 'backend', 'result'],
      registers: [registry],
    });
    this.ingestDuration = new Histogram({
      name: 'auditstack_gateway_ingest_duration_seconds',
      help: 'Time from request to acknowledgement (durable), per ingest request.',
      labelNames: ['kind'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.backend = new Gauge({
      name: 'auditstack_gateway_backend',
      help: 'Active storage backend (1 for the one taking writes now).',
      labelNames: ['backend'],
      registers: [registry],
    });
    this.fallbackActive = new Gauge({
      name: 'auditstack_gateway_backend_fallback_active',
      help: '1 while the auto backend spools to JSONL because PostgreSQL is down.',
      registers: [registry],
    });
    this.spoolBytes = new Gauge({
      name: 'auditstack_gateway_spool_bytes',
      help: 'Bytes of JSONL spool not yet replayed into PostgreSQL.',
      registers: [registry],
      collect() {
        this.set(spoolBytes());
      },
    });
    this.replayedEvents = new Counter({
      name: 'auditstack_gateway_replayed_events_total',
      help: 'Spooled events replayed into PostgreSQL after an outage (duplicates included).',
      registers: [registry],
    });
    this.unknownMetadataKeys = new Counter({
      name: 'auditstack_gateway_unknown_metadata_keys_total',
      help: 'Unknown metadata keys kept on accepted lifecycle events (EVENT_SCHEMA_MODE=tolerant), by action: an emitter is ahead of the schema.',
      labelNames: ['action'],
      registers: [registry],
    });
  }

  setBackend(active: ActiveBackend, fallback: boolean): void {
    for (const b of BACKENDS) this.backend.set({ backend: b }, b === active ? 1 : 0);
    this.fallbackActive.set(fallback ? 1 : 0);
  }
}
