import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY, PING_DETAILS, type PingDetails } from '@auditstack/service-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { EventStorageService } from './event-storage.service';
import { GatewayMetrics } from './gateway-metrics';
import { ReadDbService } from './read-db.service';

/**
 * Event storage (backends, group commit, fallback and replay) and the
 * gateway's metrics; global so every feature module can store and count.
 * Also answers `/ping` details with the active backend.
 */
@Global()
@Module({})
export class StorageModule {
  static forRoot(config: Readonly<GatewayConfig>): DynamicModule {
    let storageRef: EventStorageService | null = null;
    return {
      module: StorageModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        {
          provide: GatewayMetrics,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) => new GatewayMetrics(registry, () => storageRef?.spoolBytes ?? 0),
        },
        {
          provide: EventStorageService,
          inject: [GATEWAY_CONFIG, GatewayMetrics],
          useFactory: (cfg: Readonly<GatewayConfig>, metrics: GatewayMetrics) => (storageRef = new EventStorageService(cfg, metrics)),
        },
        ReadDbService,
        {
          provide: PING_DETAILS,
          inject: [EventStorageService],
          useFactory:
            (storage: EventStorageService): PingDetails =>
            () =>
              storage.details(),
        },
      ],
      exports: [GATEWAY_CONFIG, GatewayMetrics, EventStorageService, ReadDbService, PING_DETAILS],
    };
  }
}
