import { Inject, Injectable, Logger } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { METRICS_REGISTRY } from '@auditstack/service-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

interface LedgerStateRow {
  size: string;
  last_checkpoint: Date | null;
}

/**
 * Evidence gauges read from the database at scrape time, so every gateway
 * replica reports the shared ledger (the alerts take `max` across replicas):
 * tree size, when the last checkpoint was made, and the heartbeat cadence the
 * `AuditCheckpointMissing` alert compares against.
 */
@Injectable()
export class EvidenceMetricsService {
  private readonly logger = new Logger(EvidenceMetricsService.name);
  /** One query serves all gauges of a scrape. */
  private cached: { at: number; row: Promise<LedgerStateRow | null> } | undefined;

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(GATEWAY_CONFIG) config: Readonly<GatewayConfig>,
    private readonly dataSource: DataSource,
  ) {
    const state = () => this.state();
    new Gauge({
      name: 'auditstack_evidence_tree_size',
      help: 'Leaves in the evidence ledger (RFC 6962 tree size).',
      registers: [registry],
      async collect() {
        const row = await state();
        if (row) this.set(Number(row.size));
      },
    });
    new Gauge({
      name: 'auditstack_evidence_last_checkpoint_timestamp_seconds',
      help: 'Unix time of the newest signed checkpoint.',
      registers: [registry],
      async collect() {
        const row = await state();
        if (row?.last_checkpoint) this.set(row.last_checkpoint.getTime() / 1000);
      },
    });
    new Gauge({
      name: 'auditstack_evidence_checkpoint_heartbeat_seconds',
      help: 'Longest interval between checkpoints when nothing happens (CHECKPOINT_HEARTBEAT_SECONDS).',
      registers: [registry],
    }).set(config.CHECKPOINT_HEARTBEAT_SECONDS);
  }

  private state(): Promise<LedgerStateRow | null> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > 1000) this.cached = { at: now, row: this.load() };
    return this.cached.row;
  }

  private async load(): Promise<LedgerStateRow | null> {
    try {
      const rows: LedgerStateRow[] = await this.dataSource.query(
        `SELECT h.size, (SELECT max(created_at) FROM audit.checkpoints) AS last_checkpoint FROM audit.ledger_head h WHERE h.id = 1`,
      );
      return rows[0] ?? null;
    } catch (error) {
      // A scrape during a database outage reports what it can; the fallback gauges tell why.
      this.logger.warn(`evidence metrics unavailable: ${(error as Error).message}`);
      return null;
    }
  }
}
