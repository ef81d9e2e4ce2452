import { Controller, Header, Inject, Module, type DynamicModule } from '@nestjs/common';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { COMMON_ROUTES } from '@auditstack/audit-core';
import { ContractRoute } from '../contract/contract-route.decorator';

/** Injection token of the service's prom-client registry. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

@Controller()
class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  /** Prometheus text exposition; open, like every scrape target. */
  @ContractRoute(COMMON_ROUTES.metrics)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/** One prom-client registry per service, with process metrics under the service's prefix. */
@Module({})
export class MetricsModule {
  static forRoot(options: { prefix: string }): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        {
          provide: METRICS_REGISTRY,
          useFactory: () => {
            const registry = new Registry();
            collectDefaultMetrics({ register: registry, prefix: options.prefix });
            return registry;
          },
        },
      ],
      exports: [METRICS_REGISTRY],
    };
  }
}
