import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule, DatabaseModule, MetricsModule, PingController, WhoAmIController } from '@auditstack/service-kit';
import { TokensController } from './admin/tokens.controller';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway.config';

/** Root module of the gateway: event ingest, queries, digests and evidence hang off it. */
@Module({})
export class GatewayModule {
  static forRoot(config: Readonly<GatewayConfig>): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        DatabaseModule.forRoot({ url: config.DATABASE_URL, applicationName: 'auditstack-gateway', poolMax: config.DATABASE_POOL_MAX }),
        MetricsModule.forRoot({ prefix: 'auditstack_gateway_' }),
        AuthModule,
      ],
      controllers: [PingController, WhoAmIController, TokensController],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
    };
  }
}
