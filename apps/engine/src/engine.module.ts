import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ENGINE_API_INFO, ENGINE_ROUTES } from '@auditstack/audit-core';
import { AuthModule, ContractModule, DatabaseModule, MetricsModule, PingController, WhoAmIController } from '@auditstack/service-kit';
import { ActionTypesController } from './actions/action-types.controller';
import { ActionTypesModule } from './actions/action-types.module';
import { ActionsController } from './actions/actions.controller';
import { ActionsService } from './actions/actions.service';
import { rateLimitPerMinuteOf, type EngineConfig } from './config/engine.config';
import { EngineCoreModule } from './engine-core.module';
import { ENGINE_ERRORS } from './engine.errors';
import { ServicesController } from './inventory/services.controller';
import { ServiceInventoryRepository } from './inventory/service-inventory.repository';
import { ActionMetrics } from './metrics/action-metrics.service';
import { OverviewController } from './overview/overview.controller';
import { OverviewService } from './overview/overview.service';
import { ProjectsController } from './projects/projects.controller';
import { ProjectsService } from './projects/projects.service';
import { ENGINE_READINESS } from './queue/engine-readiness.util';
import { CheckWorker } from './runs/check-worker.service';
import { RunExecutor } from './runs/run-executor.service';
import { RunWriter } from './runs/run-writer.repository';
import { RunsController } from './runs/runs.controller';
import { RunsService } from './runs/runs.service';
import { MissedFiringService } from './scheduling/missed-firing.service';
import { ScheduleSync } from './scheduling/schedule-sync.service';
import { WorkbooksModule } from './workbooks/workbooks.module';

/** Options beyond the environment (tests and embedding applications). */
export interface EngineModuleOptions {
  /**
   * Extra `@ActionType` classes (e.g. from a published package). A type id
   * that is already registered stops the boot.
   */
  actionTypes?: readonly Provider[];
}

/** Root module of the engine: scheduler, workers, action types and the checks API hang off it. */
@Module({})
export class EngineModule {
  static forRoot(config: Readonly<EngineConfig>, options: EngineModuleOptions = {}): DynamicModule {
    return {
      module: EngineModule,
      imports: [
        DatabaseModule.forRoot({ url: config.DATABASE_URL, applicationName: 'auditstack-engine', poolMax: config.DATABASE_POOL_MAX }),
        MetricsModule.forRoot({ prefix: 'auditstack_engine_' }),
        // Projects, actions, runs and workbooks belong to no workspace: a workspace-scoped token gets no entitlement here.
        AuthModule.forRoot({ fleetWideOnly: true }),
        ScheduleModule.forRoot(),
        EngineCoreModule.forRoot(config),
        ActionTypesModule.forRoot(options.actionTypes ?? []),
        WorkbooksModule,
        // Every route validated and serialised through ENGINE_ROUTES; every error an RFC 9457 problem (storage outages: 503 + Retry-After).
        ContractModule.forRoot({
          ...ENGINE_API_INFO,
          routes: ENGINE_ROUTES,
          errors: ENGINE_ERRORS,
          rateLimitPerMinute: rateLimitPerMinuteOf(config),
          shedEventLoopDelayMs: config.SHED_EVENT_LOOP_DELAY_MS,
        }),
      ],
      controllers: [
        PingController,
        WhoAmIController,
        ProjectsController,
        ActionsController,
        ActionTypesController,
        RunsController,
        OverviewController,
        ServicesController,
      ],
      providers: [
        RunWriter,
        RunExecutor,
        ScheduleSync,
        MissedFiringService,
        CheckWorker,
        ActionMetrics,
        ProjectsService,
        ActionsService,
        RunsService,
        OverviewService,
        ServiceInventoryRepository,
        ENGINE_READINESS,
      ],
    };
  }
}
