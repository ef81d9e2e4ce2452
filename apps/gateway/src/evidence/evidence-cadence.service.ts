import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { EvidenceService } from '@auditstack/evidence-store';
import { EVIDENCE_SERVICE } from './evidence.tokens';

/**
 * Makes checkpoints on cadence (ARCHITECTURE §4): a timer polls the ledger
 * head and the store's policy decides — every N new leaves, every T seconds
 * when the tree grew, an hourly heartbeat when idle — and one more at orderly
 * shutdown. Several gateway replicas may run it: checkpoints take the
 * ledger lock (the head row), and the policy sees the others' checkpoints.
 *
 * The shutdown checkpoint runs in `beforeApplicationShutdown`, not
 * `onApplicationShutdown`: the DataSource closes in the latter.
 */
@Injectable()
export class EvidenceCadenceService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EvidenceCadence');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private busy = false;
  private lastError = '';
  private lastErrorAt = 0;

  constructor(@Inject(EVIDENCE_SERVICE) private readonly evidence: EvidenceService) {}

  /** Seconds between polls: often enough for the leaf threshold, never more often than once a second. */
  get tickSeconds(): number {
    return Math.max(1, Math.min(5, this.evidence.policy.everySeconds));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick('tick'), this.tickSeconds * 1000);
    this.timer.unref();
    void this.tick('tick');
  }

  /** One cadence decision; overlapping ticks are skipped. */
  async tick(reason: 'tick' | 'shutdown'): Promise<void> {
    if (this.busy) return this.running;
    this.busy = true;
    this.running = (async () => {
      try {
        const made = await this.evidence.maybeCheckpoint(reason);
        if (made) this.logger.log(`checkpoint of ${made.treeSize} leaves (${reason})`);
      } catch (error) {
        // While PostgreSQL is down every tick fails the same way: say so once a minute, not every tick.
        const message = (error as Error).message;
        if (message !== this.lastError || Date.now() - this.lastErrorAt > 60_000) {
          this.logger.error(`checkpoint failed: ${message}`);
          this.lastError = message;
          this.lastErrorAt = Date.now();
        }
      } finally {
        this.busy = false;
      }
    })();
    return this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.tick('shutdown');
  }
}
