import { UnrecoverableError } from 'bullmq';
import type { CheckJob } from './check-queue.util';
import { InProcessCheckQueue } from './in-process-check-queue';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('InProcessCheckQueue (embedded mode)', () => {
  let queue: InProcessCheckQueue;
  afterEach(() => queue.close());

  it('fires a schedule at its cron times, one job per firing, with the firing time and a stable id', async () => {
    queue = new InProcessCheckQueue({ concurrency: 2, attempts: 1 });
    const jobs: CheckJob[] = [];
    await queue.startWorkers(async (job) => void jobs.push(job));
    await queue.upsertSchedule({ actionId: 'a1', actionType: 'http', pattern: '* * * * * *' });
    expect(await queue.listSchedules()).toEqual([{ actionId: 'a1', actionType: 'http', pattern: '* * * * * *' }]);
    await sleep(2300);
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    for (const job of jobs) {
      expect(job.scheduledAt.getTime() % 1000).toBe(0);
      expect(job.id).toBe(`repeat:a1:${job.scheduledAt.getTime()}`);
      expect(job).toMatchObject({ name: 'http', data: { actionId: 'a1' }, attempt: 1 });
    }
    await queue.removeSchedule('a1');
    const count = jobs.length;
    await sleep(1200);
    expect(jobs.length).toBe(count);
    expect(await queue.getSchedule('a1')).toBeNull();
  });

  it('runs at most `concurrency` jobs at once and reports the waiting ones as depth', async () => {
    queue = new InProcessCheckQueue({ concurrency: 2, attempts: 1 });
    let running = 0;
    let peak = 0;
    await queue.startWorkers(async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(100);
      running--;
    });
    for (let i = 0; i < 6; i++) await queue.enqueue('http', { actionId: 'a', runId: `r${i}` }, `manual:r${i}`);
    expect(await queue.depth()).toBe(4);
    await sleep(450);
    expect(peak).toBe(2);
    expect(await queue.depth()).toBe(0);
  });

  it('retries a failed job with backoff, but not after UnrecoverableError; a job id is queued once', async () => {
    queue = new InProcessCheckQueue({ concurrency: 1, attempts: 3, backoffMs: 10 });
    const attempts: Record<string, number[]> = { flaky: [], bad: [] };
    await queue.startWorkers(async (job) => {
      attempts[job.data.actionId]!.push(job.attempt);
      if (job.data.actionId === 'bad') throw new UnrecoverableError('config invalid');
      if (job.attempt < 3) throw new Error('transient');
    });
    await queue.enqueue('http', { actionId: 'flaky' }, 'manual:1');
    await queue.enqueue('http', { actionId: 'flaky' }, 'manual:1');
    await queue.enqueue('http', { actionId: 'bad' }, 'manual:2');
    await sleep(200);
    expect(attempts).toEqual({ flaky: [1, 2, 3], bad: [1] });
  });
});
