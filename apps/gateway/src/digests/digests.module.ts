import { Module } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { loadCostModel } from './cost-model.util';
import { DigestsController } from './digests.controller';
import { DigestsService } from './digests.service';
import { COST_MODEL } from './digests.tokens';

/** Finops and privacy dashboards. */
@Module({
  imports: [LifecycleModule],
  controllers: [DigestsController],
  providers: [DigestsService, { provide: COST_MODEL, inject: [GATEWAY_CONFIG], useFactory: (c: Readonly<GatewayConfig>) => loadCostModel(c.COST_MODEL_FILE) }],
})
export class DigestsModule {}
