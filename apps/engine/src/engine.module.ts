import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AuthModule, DatabaseModule, MetricsModule, PingController, StorageUnavailableFilter, WhoAmIController } from '@auditstack/service-kit';
import { ActionTypesController } from './actions/action-types.controller';
import { ActionTypesModule } from './actions/action-types.module';
import { ActionsController } from './actions/actions.controller';
import { ActionsService } from './actions/actions.service';
import type { EngineConfig } from './config/engine.config';
import { EngineCoreModule } from './engine-core.module';
import { ServicesController } from './inventory/services.controller';
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
        ENGINE_READINESS,
        // An unreachable database or queue answers 503 with Retry-After, naming no host (storage-unavailable.filter).
        { provide: APP_FILTER, useClass: StorageUnavailableFilter },
      ],
    };
  }
}
