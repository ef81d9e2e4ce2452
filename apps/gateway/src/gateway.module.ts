import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { recordTokenChange } from '@auditstack/evidence-store';
import { AuthModule, DatabaseModule, MetricsModule, PingController, StorageUnavailableFilter, WhoAmIController } from '@auditstack/service-kit';
import { TokensController } from './admin/tokens.controller';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway.config';
import { DigestsModule } from './digests/digests.module';
import { EvidenceModule } from './evidence/evidence.module';
import { GovernanceModule } from './governance/governance.module';
import { GATEWAY_READINESS } from './health/gateway-readiness.util';
import { IngestModule } from './ingest/ingest.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { StorageModule } from './storage/storage.module';
import { ToolsModule } from './tools/tools.module';

/** Root module of the gateway: event ingest, queries, digests and evidence hang off it. */
@Module({})
export class GatewayModule {
  static forRoot(config: Readonly<GatewayConfig>): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          applicationName: 'auditstack-gateway',
          poolMax: config.DATABASE_POOL_MAX,
          // Only the `postgres` backend needs the database to take events; the others start and spool.
          startWithoutDatabase: config.AUDIT_BACKEND !== 'postgres',
          tokenChangeRecorder: recordTokenChange,
        }),
        MetricsModule.forRoot({ prefix: 'auditstack_gateway_' }),
        AuthModule,
        StorageModule.forRoot(config),
        GovernanceModule,
        IngestModule,
        LifecycleModule,
        ToolsModule,
        DigestsModule,
        EvidenceModule.forRoot(config),
      ],
      controllers: [PingController, WhoAmIController, TokensController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        GATEWAY_READINESS,
        // PostgreSQL, Redis or a disk unavailable anywhere (evidence, token admin, queries…): 503 with Retry-After, no connection details.
        { provide: APP_FILTER, useClass: StorageUnavailableFilter },
      ],
    };
  }
}
