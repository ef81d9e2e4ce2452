import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EngineMetrics } from '../metrics/engine-metrics.service';
import { CHECK_QUEUE, type CheckJob, type CheckQueue } from '../queue/check-queue.util';
import { RunExecutor } from './run-executor.service';

/** Starts this replica's workers on the check queue and routes every job to the executor. */
@Injectable()
export class CheckWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CheckWorker.name);

  constructor(
    @Inject(CHECK_QUEUE) private readonly queue: CheckQueue,
    private readonly executor: RunExecutor,
    metrics: EngineMetrics,
  ) {
    metrics.setDepthSource(() => this.queue.depth());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.startWorkers((job) => this.process(job));
  }

  /** Workers finish their jobs (or give them back) before the database pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }

  private async process(job: CheckJob): Promise<void> {
    const result = await this.executor.execute(job);
    if (result.kind === 'skipped') this.logger.debug(`job ${job.id}: skipped, ${result.reason}`);
    else if (!result.written) this.logger.log(`job ${job.id}: this firing already has run ${result.runId} (retried job)`);
  }
}
