/**
 * Group commit: concurrent small requests are coalesced into one flush (one
 * transaction, one fsync). A request waits at most `maxDelayMs` for company;
 * a flush takes whole requests until `maxItems` is reached. One flush runs at a
 * time, so requests arriving during a flush form the next one. Each request is
 * resolved with its own slice of the flush's results.
 */
export class GroupCommitQueue<T, R> {
  private pending: { items: readonly T[]; resolve: (r: R[]) => void; reject: (e: unknown) => void }[] = [];
  private pendingItems = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly flushFn: (items: readonly T[]) => Promise<R[]>,
    private readonly options: { maxDelayMs: number; maxItems: number },
  ) {}

  /** Queues `items` and resolves with one result per item, in order, once their flush is done. */
  submit(items: readonly T[]): Promise<R[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<R[]>((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
      this.pendingItems += items.length;
      this.schedule();
    });
  }

  /** Requests queued and not yet flushed. */
  get depth(): number {
    return this.pending.length;
  }

  private schedule(): void {
    if (this.running) return;
    if (this.pendingItems >= this.options.maxItems) {
      this.clearTimer();
      void this.run();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.run();
      }, this.options.maxDelayMs);
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async run(): Promise<void> {
    if (this.running || this.pending.length === 0) return;
    this.running = true;
    const batch: typeof this.pending = [];
    let count = 0;
    while (this.pending.length > 0 && (batch.length === 0 || count + this.pending[0]!.items.length <= this.options.maxItems)) {
      const next = this.pending.shift()!;
      batch.push(next);
      count += next.items.length;
    }
    this.pendingItems -= count;
    try {
      const results = await this.flushFn(batch.flatMap((b) => b.items));
      let offset = 0;
      for (const b of batch) {
        b.resolve(results.slice(offset, offset + b.items.length));
        offset += b.items.length;
      }
    } catch (error) {
      for (const b of batch) b.reject(error);
    } finally {
      this.running = false;
      if (this.pending.length > 0) {
        // Whatever queued during the flush has waited long enough: flush it now.
        this.clearTimer();
        void this.run();
      }
    }
  }
}
