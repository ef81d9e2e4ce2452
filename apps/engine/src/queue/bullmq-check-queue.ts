import { Logger } from '@nestjs/common';
import { Queue, Worker, type Job, type JobSchedulerJson, type JobsOptions } from 'bullmq';
import IORedis from 'ioredis';
import { QUEUES } from '@auditstack/audit-core';
import { firingTimeOf, type CheckJobData, type CheckProcessor, type CheckQueue, type ScheduleSpec } from './check-queue.util';

function specOf(scheduler: JobSchedulerJson<CheckJobData>): ScheduleSpec {
  return { actionId: scheduler.id ?? scheduler.key, actionType: scheduler.name, pattern: scheduler.pattern ?? '' };
}

export interface BullmqCheckQueueOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  attempts: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/**
 * Service mode: the BullMQ queue `QUEUES.checks`. One job scheduler per
 * active action (keyed by action id), so however many replicas upsert it,
 * each firing is one job; every replica runs a Worker.
 */
export class BullmqCheckQueue implements CheckQueue {
  readonly mode = 'service' as const;
  private readonly logger = new Logger(BullmqCheckQueue.name);
  private readonly connection: IORedis;
  private readonly queue: Queue<CheckJobData>;
  private worker: Worker<CheckJobData> | null = null;
  private workerConnection: IORedis | null = null;
  private readonly jobOptions: JobsOptions;

  constructor(private readonly options: BullmqCheckQueueOptions) {
    this.connection = new IORedis(options.redisUrl, { maxRetriesPerRequest: null });
    this.jobOptions = {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    };
    this.queue = new Queue<CheckJobData>(QUEUES.checks, { connection: this.connection, prefix: options.prefix, defaultJobOptions: this.jobOptions });
    this.queue.on('error', (error) => this.logger.error(`queue: ${error.message}`));
  }

  async upsertSchedule(spec: ScheduleSpec): Promise<void> {
    await this.queue.upsertJobScheduler(
      spec.actionId,
      { pattern: spec.pattern, tz: 'UTC' },
      { name: spec.actionType, data: { actionId: spec.actionId }, opts: this.jobOptions },
    );
  }

  async removeSchedule(actionId: string): Promise<void> {
    await this.queue.removeJobScheduler(actionId);
  }

  async getSchedule(actionId: string): Promise<ScheduleSpec | null> {
    const scheduler = await this.queue.getJobScheduler(actionId);
    return scheduler ? specOf(scheduler) : null;
  }

  async listSchedules(): Promise<ScheduleSpec[]> {
    const schedulers = await this.queue.getJobSchedulers(0, -1);
    return schedulers.map(specOf);
  }

  async enqueue(name: string, data: CheckJobData, jobId: string): Promise<void> {
    await this.queue.add(name, data, { ...this.jobOptions, jobId });
  }

  async startWorkers(processor: CheckProcessor): Promise<void> {
    this.workerConnection = this.connection.duplicate();
    this.worker = new Worker<CheckJobData>(
      QUEUES.checks,
      async (job: Job<CheckJobData>, _token?: string, signal?: AbortSignal) => {
        const id = job.id ?? `${job.name}:${job.timestamp}`;
        const prev = (job.opts as { prevMillis?: number }).prevMillis;
        const scheduledAt = firingTimeOf(id) ?? (prev ? new Date(prev) : new Date(job.timestamp + (job.opts.delay ?? 0)));
        await processor({
          id,
          name: job.name,
          data: job.data,
          scheduledAt,
          attempt: Math.max(1, job.attemptsStarted),
          ...(signal ? { signal } : {}),
        });
      },
      {
        connection: this.workerConnection,
        prefix: this.options.prefix,
        concurrency: this.options.concurrency,
        lockDuration: this.options.lockDurationMs,
        stalledInterval: this.options.stalledIntervalMs,
        maxStalledCount: 2,
      },
    );
    this.worker.on('error', (error) => this.logger.error(`worker: ${error.message}`));
    await this.worker.waitUntilReady();
  }

  async depth(): Promise<number> {
    // While Redis is away a command would wait for it (maxRetriesPerRequest: null) and hold a /metrics scrape: fail fast.
    if (this.connection.status !== 'ready') throw new Error('queue connection is not ready');
    const counts = await this.queue.getJobCounts('waiting', 'prioritized');
    return (counts.waiting ?? 0) + (counts.prioritized ?? 0);
  }

  async ping(): Promise<void> {
    // A dead connection must not queue the PING until Redis returns: fail now instead.
    if (this.connection.status !== 'ready') throw new Error('queue connection is not ready');
    await this.connection.ping();
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    this.workerConnection?.disconnect();
    this.connection.disconnect();
  }
}
