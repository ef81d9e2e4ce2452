import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule, DatabaseModule, MetricsModule, PingController, WhoAmIController } from '@auditstack/service-kit';
import { ENGINE_CONFIG, type EngineConfig } from './config/engine.config';

/** Root module of the engine: scheduler, workers, action types and the checks API hang off it. */
@Module({})
export class EngineModule {
  static forRoot(config: Readonly<EngineConfig>): DynamicModule {
    return {
      module: EngineModule,
      imports: [
        DatabaseModule.forRoot({ url: config.DATABASE_URL, applicationName: 'auditstack-engine', poolMax: config.DATABASE_POOL_MAX }),
        MetricsModule.forRoot({ prefix: 'auditstack_engine_' }),
        AuthModule,
      ],
      controllers: [PingController, WhoAmIController],
      providers: [{ provide: ENGINE_CONFIG, useValue: config }],
    };
  }
}
