import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ENGINE_CONFIG, type EngineConfig } from './config/engine.config';
import { DataVersion } from './database/data-version.service';
import { ENGINE_PG, poolOf } from './database/engine-pg.util';
import { EngineMetrics } from './metrics/engine-metrics.service';
import { BullmqCheckQueue } from './queue/bullmq-check-queue';
import { CHECK_QUEUE, type CheckQueue } from './queue/check-queue.util';
import { InProcessCheckQueue } from './queue/in-process-check-queue';

/**
 * What every engine feature injects: the parsed config, the `pg` pool, the
 * metrics and the check queue — BullMQ when `REDIS_URL` is set (service
 * mode), else the in-process queue (embedded mode).
 */
@Global()
@Module({})
export class EngineCoreModule {
  static forRoot(config: Readonly<EngineConfig>): DynamicModule {
    return {
      module: EngineCoreModule,
      providers: [
        { provide: ENGINE_CONFIG, useValue: config },
        { provide: ENGINE_PG, inject: [DataSource], useFactory: poolOf },
        EngineMetrics,
        DataVersion,
        {
          provide: CHECK_QUEUE,
          useFactory: (): CheckQueue =>
            config.REDIS_URL
              ? new BullmqCheckQueue({
                  redisUrl: config.REDIS_URL,
                  prefix: config.ENGINE_QUEUE_PREFIX,
                  concurrency: config.ENGINE_CONCURRENCY,
                  attempts: config.ENGINE_JOB_ATTEMPTS,
                  lockDurationMs: config.ENGINE_JOB_LOCK_MS,
                  stalledIntervalMs: config.ENGINE_STALLED_INTERVAL_MS,
                })
              : new InProcessCheckQueue({ concurrency: config.ENGINE_CONCURRENCY, attempts: config.ENGINE_JOB_ATTEMPTS }),
        },
      ],
      exports: [ENGINE_CONFIG, ENGINE_PG, EngineMetrics, DataVersion, CHECK_QUEUE],
    };
  }
}
