import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@auditstack/service-kit';

/** The engine's Prometheus metrics, on the service registry served at `/metrics`. */
@Injectable()
export class EngineMetrics {
  readonly runs: Counter<'action_type' | 'status'>;
  readonly runDuration: Histogram<'action_type'>;
  readonly actions: Gauge<'status'>;
  readonly scheduleLag: Histogram;
  readonly syncs: Counter<'result'>;
  readonly queueDepth: Gauge;
  private depthSource: (() => Promise<number>) | null = null;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.runs = new Counter({
      name: 'auditstack_engine_runs_total',
      help: 'Runs written, by action type and status (pass, fail, error).',
      labelNames: ['action_type', 'status'],
      registers: [registry],
    });
    this.runDuration = new Histogram({
      name: 'auditstack_engine_run_duration_seconds',
      help: 'Duration of a run, from handler start to finish.',
      labelNames: ['action_type'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    });
    this.actions = new Gauge({
      name: 'auditstack_engine_actions',
      help: 'Actions seen by the last schedule sync, by status (active, paused, invalid).',
      labelNames: ['status'],
      registers: [registry],
    });
    this.scheduleLag = new Histogram({
      name: 'auditstack_engine_schedule_lag_seconds',
      help: 'Actual start of a scheduled run minus its firing time.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    this.syncs = new Counter({
      name: 'auditstack_engine_sync_total',
      help: 'Schedule reconciliations, by result (ok, error).',
      labelNames: ['result'],
      registers: [registry],
    });
    const depth = (): (() => Promise<number>) | null => this.depthSource;
    this.queueDepth = new Gauge({
      name: 'auditstack_engine_queue_depth',
      help: 'Check jobs waiting for a worker.',
      registers: [registry],
      async collect() {
        const source = depth();
        if (!source) return;
        try {
          this.set(await source());
        } catch {
          // Redis unreachable: keep the last value rather than fail the scrape.
        }
      },
    });
  }

  /** Where the queue-depth gauge reads from at scrape time. */
  setDepthSource(source: () => Promise<number>): void {
    this.depthSource = source;
  }
}
