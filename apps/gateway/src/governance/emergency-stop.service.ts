import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { EventStorageService } from '../storage/event-storage.service';
import { GATEWAY_MARKERS } from '../storage/storage.types';

/**
 * The kill switch for governed tool calls. Engaged by `POST
 * /v1/admin/emergency-stop` (which also writes the sentinel file, so a
 * restart keeps it engaged) or by the sentinel file present at boot. There is
 * deliberately no API to lift it: an operator removes the sentinel and
 * restarts the gateway (docs/operations.md).
 */
@Injectable()
export class EmergencyStopService implements OnApplicationBootstrap {
  private readonly logger = new Logger('EmergencyStop');
  readonly sentinel: string;
  private engaged: { since: Date; by: string; reason: string } | null = null;

  constructor(
    @Inject(GATEWAY_CONFIG) config: Readonly<GatewayConfig>,
    private readonly storage: EventStorageService,
  ) {
    this.sentinel = resolve(config.EMERGENCY_STOP_FILE ?? resolve(config.AUDITSTACK_HOME, 'EMERGENCY_STOP'));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!existsSync(this.sentinel)) return;
    this.engaged = { since: new Date(), by: 'sentinel', reason: `sentinel file ${this.sentinel} present at boot` };
    this.logger.warn(`EMERGENCY STOP engaged: ${this.engaged.reason}; every governed tool call is denied`);
    try {
      await this.storage.recordMarker(GATEWAY_MARKERS.emergencyStop, { by: 'sentinel', reason: this.engaged.reason, sentinel: this.sentinel });
    } catch (error) {
      // The stop holds even when it cannot be recorded right now: failing closed matters more than the marker.
      this.logger.error(`emergency stop engaged but its ledger marker could not be written: ${(error as Error).message}`);
    }
  }

  state(): { engaged: boolean; since?: string; by?: string; reason?: string; sentinel: string } {
    return this.engaged
      ? { engaged: true, since: this.engaged.since.toISOString(), by: this.engaged.by, reason: this.engaged.reason, sentinel: this.sentinel }
      : { engaged: false, sentinel: this.sentinel };
  }

  get isEngaged(): boolean {
    return this.engaged !== null;
  }

  /** Engages the stop (idempotent): ledger marker first, then the sentinel, then the in-memory switch. */
  async engage(by: string, reason: string): Promise<{ marker_id: string | null; already: boolean }> {
    if (this.engaged) return { marker_id: null, already: true };
    const marker = await this.storage.recordMarker(GATEWAY_MARKERS.emergencyStop, { by, reason, sentinel: this.sentinel });
    mkdirSync(dirname(this.sentinel), { recursive: true, mode: 0o700 });
    writeFileSync(this.sentinel, `${JSON.stringify({ engaged_at: marker.ts.toISOString(), by, reason, marker_id: marker.id })}\n`, { mode: 0o600 });
    this.engaged = { since: marker.ts, by, reason };
    this.logger.warn(`EMERGENCY STOP engaged by ${by}: ${reason}`);
    return { marker_id: marker.id, already: false };
  }
}
