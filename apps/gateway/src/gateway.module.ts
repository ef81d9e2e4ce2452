import { Module, type DynamicModule } from '@nestjs/common';
import { GATEWAY_API_INFO, GATEWAY_ROUTES } from '@auditstack/audit-core';
import { recordTokenChange } from '@auditstack/evidence-store';
import { AuthModule, ContractModule, DatabaseModule, MetricsModule, PingController, WhoAmIController } from '@auditstack/service-kit';
import { TokensController } from './admin/tokens.controller';
import { GATEWAY_CONFIG, rateLimitPerMinute, type GatewayConfig } from './config/gateway.config';
import { CloudEventsModule } from './cloudevents/cloudevents.module';
import { DigestsModule } from './digests/digests.module';
import { EvidenceModule } from './evidence/evidence.module';
import { GATEWAY_ERRORS } from './gateway.errors';
import { GovernanceModule } from './governance/governance.module';
import { GATEWAY_READINESS } from './health/gateway-readiness.util';
import { IngestModule } from './ingest/ingest.module';
import { K8sAuditModule } from './k8s-audit/k8s-audit.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { OtlpModule } from './otlp/otlp.module';
import { StorageModule } from './storage/storage.module';
import { TimelineModule } from './timeline/timeline.module';
import { ToolsModule } from './tools/tools.module';

/** What the gateway's OpenAPI document says it is. */
/** Root module of the gateway: event ingest, queries, digests and evidence hang off it. */
@Module({})
export class GatewayModule {
  static forRoot(config: Readonly<GatewayConfig>): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        // Every route on its contract; every error an RFC 9457 problem (storage outages: 503 + Retry-After, no connection detail).
        ContractModule.forRoot({
          ...GATEWAY_API_INFO,
          routes: GATEWAY_ROUTES,
          errors: GATEWAY_ERRORS,
          rateLimitPerMinute: rateLimitPerMinute(config),
          shedEventLoopDelayMs: config.SHED_EVENT_LOOP_DELAY_MS,
        }),
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
        OtlpModule,
        CloudEventsModule,
        K8sAuditModule,
        LifecycleModule,
        TimelineModule,
        ToolsModule,
        DigestsModule,
        EvidenceModule.forRoot(config),
      ],
      controllers: [PingController, WhoAmIController, TokensController],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, GATEWAY_READINESS],
    };
  }
}
