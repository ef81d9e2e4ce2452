import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EvidenceService, evidenceOptionsFromSettings, type EvidenceSettings } from '@auditstack/evidence-store';
import { EvidenceCadenceService } from './evidence-cadence.service';
import { EvidenceController } from './evidence.controller';
import { EvidenceMetricsService } from './evidence-metrics.service';
import { EvidenceStatusService } from './evidence-status.service';
import { dataSourcePool } from './evidence-pool.util';
import { EVIDENCE_SERVICE } from './evidence.tokens';

/**
 * Evidence in the gateway: the read API (`/v1/evidence/*`, `evidence.read`)
 * and checkpoints on cadence and at shutdown. Settings: the EVIDENCE_*,
 * CHECKPOINT_* and TSA_* keys of the gateway config.
 */
@Module({})
export class EvidenceModule {
  static forRoot(settings: EvidenceSettings): DynamicModule {
    return {
      module: EvidenceModule,
      controllers: [EvidenceController],
      providers: [
        {
          provide: EVIDENCE_SERVICE,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => {
            const logger = new Logger('Evidence');
            // Told once, when the trust root is pinned at first start: the operator must keep a copy out of band.
            const service = new EvidenceService({
              ...evidenceOptionsFromSettings(dataSourcePool(dataSource), settings),
              onNotice: (message) => logger.warn(message),
            });
            // Load or create the signing key now: a bad key file stops boot instead of the first checkpoint.
            service.signer();
            return service;
          },
        },
        EvidenceCadenceService,
        EvidenceMetricsService,
        EvidenceStatusService,
      ],
      exports: [EVIDENCE_SERVICE],
    };
  }
}
