import { Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { firingJobId, type CheckJob, type CheckJobData, type CheckProcessor, type CheckQueue, type ScheduleSpec } from './check-queue.util';

export interface InProcessCheckQueueOptions {
  concurrency: number;
  attempts: number;
  /** First retry delay, doubled on each attempt. @defaultValue 1000 */
  backoffMs?: number;
  /** How long `close()` waits for runs in flight before aborting them. @defaultValue 10000 */
  shutdownGraceMs?: number;
}

interface Scheduled {
  spec: ScheduleSpec;
  timer: NodeJS.Timeout | null;
}

interface Pending {
  name: string;
  id: string;
  data: CheckJobData;
  scheduledAt: Date;
  attempt: number;
}

/** setTimeout cannot wait longer than 2^31 − 1 ms; longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Embedded mode (no Redis): timers computed from cron-parser's next dates,
 * a bounded number of concurrent jobs, and retries with exponential backoff,
 * behind the same interface as the BullMQ queue. State lives in this process
 * only: one embedded engine per database.
 */
export class InProcessCheckQueue implements CheckQueue {
  readonly mode = 'embedded' as const;
  private readonly logger = new Logger(InProcessCheckQueue.name);
  private readonly schedules = new Map<string, Scheduled>();
  private readonly waiting: Pending[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly seen = new Set<string>();
  private processor: CheckProcessor | null = null;
  private readonly abort = new AbortController();
  private closed = false;

  constructor(private readonly options: InProcessCheckQueueOptions) {}

  async upsertSchedule(spec: ScheduleSpec): Promise<void> {
    const existing = this.schedules.get(spec.actionId);
    if (existing?.timer) clearTimeout(existing.timer);
    const entry: Scheduled = { spec, timer: null };
    this.schedules.set(spec.actionId, entry);
    this.arm(entry);
  }

  async removeSchedule(actionId: string): Promise<void> {
    const existing = this.schedules.get(actionId);
    if (existing?.timer) clearTimeout(existing.timer);
    this.schedules.delete(actionId);
  }

  async getSchedule(actionId: string): Promise<ScheduleSpec | null> {
    return this.schedules.get(actionId)?.spec ?? null;
  }

  async listSchedules(): Promise<ScheduleSpec[]> {
    return [...this.schedules.values()].map((entry) => entry.spec);
  }

  async enqueue(name: string, data: CheckJobData, jobId: string): Promise<void> {
    this.push({ name, id: jobId, data, scheduledAt: data.requestedAt ? new Date(data.requestedAt) : new Date(), attempt: 1 });
  }

  async startWorkers(processor: CheckProcessor): Promise<void> {
    this.processor = processor;
    this.drain();
  }

  async depth(): Promise<number> {
    return this.waiting.length;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('queue closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.schedules.values()) if (entry.timer) clearTimeout(entry.timer);
    this.schedules.clear();
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.waiting.length = 0;
    // Like BullMQ's Worker.close(): let runs in flight finish, up to a grace period, before aborting them.
    const settled = Promise.allSettled([...this.inFlight]);
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((r) => (grace = setTimeout(r, this.options.shutdownGraceMs ?? 10_000)))]);
    clearTimeout(grace);
    this.abort.abort(new Error('engine shutting down'));
    await settled;
  }

  private arm(entry: Scheduled, after = Date.now()): void {
    if (this.closed) return;
    let next: number;
    try {
      next = CronExpressionParser.parse(entry.spec.pattern, { tz: 'UTC', currentDate: new Date(after) })
        .next()
        .getTime();
    } catch (error) {
      this.logger.error(`action ${entry.spec.actionId}: schedule "${entry.spec.pattern}" cannot be evaluated: ${(error as Error).message}`);
      return;
    }
    const wait = next - Date.now();
    entry.timer = setTimeout(
      () => {
        if (this.schedules.get(entry.spec.actionId) !== entry) return;
        if (wait > MAX_TIMER_MS) return this.arm(entry, after);
        this.push({
          name: entry.spec.actionType,
          id: firingJobId(entry.spec.actionId, next),
          data: { actionId: entry.spec.actionId },
          scheduledAt: new Date(next),
          attempt: 1,
        });
        this.arm(entry, next);
      },
      Math.min(Math.max(0, wait), MAX_TIMER_MS),
    );
    entry.timer.unref?.();
  }

  private push(job: Pending): void {
    if (this.closed) return;
    // A firing is queued once, like a BullMQ job id.
    if (job.attempt === 1) {
      if (this.seen.has(job.id)) return;
      this.seen.add(job.id);
      if (this.seen.size > 100_000) this.seen.clear();
    }
    this.waiting.push(job);
    this.drain();
  }

  private drain(): void {
    const processor = this.processor;
    if (!processor) return;
    while (!this.closed && this.inFlight.size < this.options.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      const task = this.runOne(processor, job).finally(() => {
        this.inFlight.delete(task);
        this.drain();
      });
      this.inFlight.add(task);
    }
  }

  private async runOne(processor: CheckProcessor, pending: Pending): Promise<void> {
    const job: CheckJob = { ...pending, signal: this.abort.signal };
    try {
      await processor(job);
    } catch (error) {
      if (error instanceof UnrecoverableError || pending.attempt >= this.options.attempts || this.closed) {
        this.logger.warn(`job ${pending.id} failed: ${(error as Error).message}`);
        return;
      }
      const delay = (this.options.backoffMs ?? 1000) * 2 ** (pending.attempt - 1);
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        this.push({ ...pending, attempt: pending.attempt + 1 });
      }, delay);
      this.retryTimers.add(timer);
    }
  }
}
