import { GATEWAY_ROUTES, type LifecycleEventInput, type Problem, type ToolEventInput } from '@auditstack/audit-core';
import { createClient, type ApiClient, type ClientOptions } from './api.client';
import { ApiError, ClientError } from './client.error';
import { uuidv7 } from './event-id.util';
import { isRetryable } from './retry.util';

/** The two kinds of event the gateway ingests. */
export type EmittedKind = 'lifecycle' | 'tool';

/**
 * What the emitter does with an event when its buffer is full:
 * - `block` (default): `emit` waits until there is room (backpressure; nothing is lost);
 * - `throw`: `emit` rejects with a `BUFFER_FULL` {@link ClientError};
 * - `drop-newest`: the new event is dropped;
 * - `drop-oldest`: the oldest event not yet sent is dropped.
 * A dropped event is never lost silently: it is counted (`stats.dropped`) and handed to `onDrop`.
 */
export type OverflowPolicy = 'block' | 'throw' | 'drop-newest' | 'drop-oldest';

/** An event the gateway refused, with the reasons. */
export interface EventRejection {
  readonly kind: EmittedKind;
  /** The event as sent (with its `event_id`). */
  readonly event: Readonly<Record<string, unknown>>;
  /** Each reason names the field and the rule (from the batch outcome, or the problem's `errors`). */
  readonly errors: readonly string[];
  /** The problem when the whole request was refused (e.g. 401, 403, 400). */
  readonly problem?: Problem;
}

/** Context of an {@link EmitterOptions.onError} call. */
export interface EmitErrorContext {
  readonly kind: EmittedKind;
  /** The events of the failed request. */
  readonly events: readonly Readonly<Record<string, unknown>>[];
  /** true: the request will be retried after `delayMs`; false: the emitter gave up on these events (`stats.failed`). */
  readonly willRetry: boolean;
  readonly delayMs?: number;
}

/** Counters of an emitter since it was made. */
export interface EmitterStats {
  /** Events handed to `emit*`. */
  emitted: number;
  /** Events stored by the gateway now (`accepted`). */
  sent: number;
  /** Events the gateway already held (same `event_id`): delivered, stored once. */
  duplicates: number;
  /** Events the gateway refused (see `onReject`). */
  rejected: number;
  /** Events dropped by the overflow policy (see `onDrop`). */
  dropped: number;
  /** Events given up after the retries, or at a `close` timeout (see `onError`). */
  failed: number;
  /** Requests retried. */
  retried: number;
  /** Requests sent (first attempts). */
  requests: number;
  /** Events waiting or in flight now. */
  buffered: number;
}

/** Options of {@link createEventEmitter}. */
export interface EmitterOptions {
  /** A gateway client, or the options to make one. */
  readonly client: ApiClient | ClientOptions;
  /** Events per request (1–10,000). @defaultValue 500 */
  readonly batchSize?: number;
  /** Longest time an event waits for its batch to fill. @defaultValue 1000 */
  readonly flushIntervalMs?: number;
  /** Most events waiting or in flight. @defaultValue 10000 */
  readonly maxBuffer?: number;
  /** @defaultValue 'block' */
  readonly overflow?: OverflowPolicy;
  /** Requests in flight per kind. @defaultValue 2 */
  readonly concurrency?: number;
  /** Retries of a request that got no answer, a 408, 429, 502, 503 or 504 (honouring `Retry-After`). @defaultValue 10 */
  readonly maxRetries?: number;
  /** First backoff delay (doubling, full jitter). @defaultValue 250 */
  readonly retryBaseDelayMs?: number;
  /** Longest backoff delay and longest `Retry-After` honoured. @defaultValue 30000 */
  readonly retryMaxDelayMs?: number;
  /** Events the gateway refused (per-event outcome, or a 4xx for the whole request). */
  readonly onReject?: (rejection: EventRejection) => void;
  /** Events dropped by the overflow policy. */
  readonly onDrop?: (events: readonly Readonly<Record<string, unknown>>[], kind: EmittedKind) => void;
  /** A request failed: retried (`willRetry`) or given up. */
  readonly onError?: (error: unknown, context: EmitErrorContext) => void;
}

/** What `emit*` resolves with. */
export interface EmitReceipt {
  /** The event's `event_id` (assigned at emit time unless the event had one). */
  readonly event_id: string;
  /** false when the overflow policy dropped the event (`drop-newest`). */
  readonly buffered: boolean;
}

/** Sends lifecycle and tool events to the gateway in batches. */
export interface EventEmitter {
  /** Buffers a lifecycle event (assigning `event_id` if absent). */
  emitLifecycle(event: LifecycleEventInput): Promise<EmitReceipt>;
  /** Buffers a tool event (assigning `event_id` if absent). */
  emitTool(event: ToolEventInput): Promise<EmitReceipt>;
  /** Buffers an event of `kind` (for callers holding untyped input, e.g. NDJSON). */
  emit(kind: EmittedKind, event: Readonly<Record<string, unknown>>): Promise<EmitReceipt>;
  /** Sends every event emitted so far; resolves when each is stored, refused or given up. */
  flush(): Promise<void>;
  /**
   * Refuses new events (`CLOSED`), sends the buffer and resolves with the
   * final counters. After `timeoutMs`, requests still in flight are aborted
   * and what is left is counted `failed` and handed to `onError`.
   */
  close(options?: { readonly timeoutMs?: number }): Promise<EmitterStats>;
  /** A snapshot of the counters. */
  stats(): EmitterStats;
}

interface Pending {
  readonly seq: number;
  readonly kind: EmittedKind;
  readonly event: Record<string, unknown> & { event_id: string };
}

interface Blocked extends Pending {
  readonly resolve: (receipt: EmitReceipt) => void;
}

const ROUTES = {
  lifecycle: GATEWAY_ROUTES.ingestLifecycleEvents,
  tool: GATEWAY_ROUTES.ingestToolEvents,
} as const;
const KINDS: readonly EmittedKind[] = ['lifecycle', 'tool'];
const MAX_BATCH = 10_000;

function positiveInt(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new ClientError('INVALID_REQUEST', `${name}: must be an integer 1–${max}`);
  return value;
}

/**
 * An event emitter: events are buffered, sent in batches (by size and by
 * time) to the gateway's batch ingest routes, retried with exponential
 * backoff and jitter honouring `Retry-After`, and made idempotent by an
 * `event_id` (UUIDv7) assigned at emit time — a retried batch is reported
 * `duplicate`, never stored twice. The buffer is bounded (`maxBuffer`) with
 * an explicit {@link OverflowPolicy}. Call `close()` on shutdown (in Node,
 * `flushOnExit` from `@auditstack/client/node` does it on SIGTERM/beforeExit).
 */
export function createEventEmitter(options: EmitterOptions): EventEmitter {
  const client = 'call' in options.client ? options.client : createClient(options.client);
  const batchSize = positiveInt('batchSize', options.batchSize ?? 500, MAX_BATCH);
  const flushIntervalMs = positiveInt('flushIntervalMs', options.flushIntervalMs ?? 1000);
  const maxBuffer = positiveInt('maxBuffer', options.maxBuffer ?? 10_000);
  const concurrency = positiveInt('concurrency', options.concurrency ?? 2, 64);
  const overflow: OverflowPolicy = options.overflow ?? 'block';
  if (!['block', 'throw', 'drop-newest', 'drop-oldest'].includes(overflow))
    throw new ClientError('INVALID_REQUEST', 'overflow: must be block, throw, drop-newest or drop-oldest');
  const retry = {
    retries: options.maxRetries ?? 10,
    baseDelayMs: options.retryBaseDelayMs ?? 250,
    maxDelayMs: options.retryMaxDelayMs ?? 30_000,
  };

  const queues: Record<EmittedKind, Pending[]> = { lifecycle: [], tool: [] };
  const currentBatch: Record<EmittedKind, number> = {
    lifecycle: batchSize,
    tool: batchSize,
  };
  const inFlight = new Set<{
    kind: EmittedKind;
    minSeq: number;
    count: number;
  }>();
  const blocked: Blocked[] = [];
  const flushWaiters: { mark: number; resolve: () => void }[] = [];
  const abort = new AbortController();
  const counters: Omit<EmitterStats, 'buffered'> = {
    emitted: 0,
    sent: 0,
    duplicates: 0,
    rejected: 0,
    dropped: 0,
    failed: 0,
    retried: 0,
    requests: 0,
  };
  let seq = 0;
  let pending = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let timerDue = false;
  let closed = false;

  const inFlightOf = (kind: EmittedKind): number => {
    let n = 0;
    for (const b of inFlight) if (b.kind === kind) n++;
    return n;
  };

  const lowestPending = (): number => {
    let low = Infinity;
    for (const kind of KINDS) if (queues[kind].length > 0) low = Math.min(low, queues[kind][0]!.seq);
    for (const b of inFlight) low = Math.min(low, b.minSeq);
    if (blocked.length > 0) low = Math.min(low, blocked[0]!.seq);
    return low;
  };

  const settleFlushWaiters = (): void => {
    if (flushWaiters.length === 0) return;
    const low = lowestPending();
    for (let i = flushWaiters.length - 1; i >= 0; i--) {
      if (flushWaiters[i]!.mark < low) flushWaiters.splice(i, 1)[0]!.resolve();
    }
  };

  const drop = (events: Pending[]): void => {
    counters.dropped += events.length;
    for (const kind of KINDS) {
      const ofKind = events.filter((p) => p.kind === kind).map((p) => p.event);
      if (ofKind.length > 0) safely(() => options.onDrop?.(ofKind, kind));
    }
  };

  const enqueue = (p: Pending): void => {
    queues[p.kind].push(p);
    pending++;
    if (timer === null && !timerDue) {
      timer = setTimeout(() => {
        timer = null;
        timerDue = true;
        pump();
      }, flushIntervalMs);
      // A buffered event must not keep a Node process alive on its own: flushOnExit / close() send it.
      (timer as { unref?: () => void }).unref?.();
    }
  };

  const admitBlocked = (): void => {
    while (blocked.length > 0 && pending < maxBuffer) {
      const next = blocked.shift()!;
      enqueue(next);
      next.resolve({ event_id: next.event.event_id, buffered: true });
    }
  };

  function pump(): void {
    const force = timerDue || closed || flushWaiters.length > 0;
    for (const kind of KINDS) {
      const queue = queues[kind];
      while (queue.length > 0 && (force || queue.length >= currentBatch[kind]) && inFlightOf(kind) < concurrency) {
        void send(kind, queue.splice(0, currentBatch[kind]));
      }
    }
    if (queues.lifecycle.length === 0 && queues.tool.length === 0) {
      timerDue = false;
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
    }
  }

  const reject = (kind: EmittedKind, batch: Pending[], errors: readonly string[], problem?: Problem): void => {
    counters.rejected += batch.length;
    for (const p of batch)
      safely(() =>
        options.onReject?.({
          kind,
          event: p.event,
          errors,
          ...(problem ? { problem } : {}),
        }),
      );
  };

  const giveUp = (kind: EmittedKind, batch: Pending[], error: unknown): void => {
    counters.failed += batch.length;
    safely(() =>
      options.onError?.(error, {
        kind,
        events: batch.map((p) => p.event),
        willRetry: false,
      }),
    );
  };

  async function send(kind: EmittedKind, batch: Pending[]): Promise<void> {
    const entry = { kind, minSeq: batch[0]!.seq, count: batch.length };
    inFlight.add(entry);
    counters.requests++;
    const events = batch.map((p) => p.event);
    try {
      const answer = await client.call(ROUTES[kind], {
        body: events,
        idempotent: true,
        retry,
        signal: abort.signal,
        onRetry: (_attempt, error, delayMs) => {
          counters.retried++;
          safely(() =>
            options.onError?.(error, {
              kind,
              events,
              willRetry: true,
              delayMs,
            }),
          );
        },
      });
      if (!('results' in answer)) throw new ClientError('INVALID_RESPONSE', `${ROUTES[kind].operationId}: a batch was answered as one event`);
      const seen = new Set<number>();
      for (const result of answer.results) {
        const p = batch[result.index];
        if (!p || seen.has(result.index)) continue;
        seen.add(result.index);
        if (result.status === 'accepted') counters.sent++;
        else if (result.status === 'duplicate') counters.duplicates++;
        else reject(kind, [p], result.errors ?? ['rejected']);
      }
      const missing = batch.filter((_, i) => !seen.has(i));
      if (missing.length > 0)
        giveUp(kind, missing, new ClientError('INVALID_RESPONSE', `${ROUTES[kind].operationId}: no outcome for ${missing.length} event(s)`));
    } catch (error) {
      if (error instanceof ApiError && error.status === 413 && batch.length > 1) {
        // Too large for the gateway: halve this kind's batches and send these events again, first.
        currentBatch[kind] = Math.max(1, Math.floor(batch.length / 2));
        queues[kind].unshift(...batch);
        pending += batch.length;
      } else if (error instanceof ApiError && !isRetryable(error, true)) {
        const errors = error.problem.errors?.length
          ? error.problem.errors.map((e) => (e.path ? `${e.path}: ${e.rule}` : e.rule))
          : [error.problem.detail ?? error.problem.title];
        reject(kind, batch, errors, error.problem);
      } else {
        giveUp(kind, batch, error);
      }
    } finally {
      inFlight.delete(entry);
      pending -= batch.length;
      admitBlocked();
      pump();
      settleFlushWaiters();
    }
  }

  function emit(kind: EmittedKind, input: Readonly<Record<string, unknown>>): Promise<EmitReceipt> {
    if (closed) return Promise.reject(new ClientError('CLOSED', 'the emitter is closed'));
    if (input === null || typeof input !== 'object' || Array.isArray(input))
      return Promise.reject(new ClientError('INVALID_REQUEST', `a ${kind} event must be a JSON object`));
    counters.emitted++;
    const existing = input['event_id'];
    const event = {
      ...input,
      event_id: typeof existing === 'string' ? existing : uuidv7(),
    };
    const p: Pending = { seq: ++seq, kind, event };
    if (pending < maxBuffer && blocked.length === 0) {
      enqueue(p);
      pump();
      return Promise.resolve({ event_id: event.event_id, buffered: true });
    }
    switch (overflow) {
      case 'block':
        return new Promise((resolve) => blocked.push({ ...p, resolve }));
      case 'throw':
        drop([p]);
        return Promise.reject(new ClientError('BUFFER_FULL', `the buffer holds ${maxBuffer} events`));
      case 'drop-newest':
        drop([p]);
        return Promise.resolve({ event_id: event.event_id, buffered: false });
      case 'drop-oldest': {
        const oldest = KINDS.map((k) => queues[k])
          .filter((q) => q.length > 0)
          .sort((a, b) => a[0]!.seq - b[0]!.seq)[0];
        if (!oldest) {
          // Everything buffered is in flight: the new event is the only one that can go.
          drop([p]);
          return Promise.resolve({ event_id: event.event_id, buffered: false });
        }
        drop([oldest.shift()!]);
        pending--;
        enqueue(p);
        pump();
        settleFlushWaiters();
        return Promise.resolve({ event_id: event.event_id, buffered: true });
      }
      default: {
        const never: never = overflow;
        throw new ClientError('INVALID_REQUEST', `overflow: unknown policy ${String(never)}`);
      }
    }
  }

  function flush(): Promise<void> {
    const mark = seq;
    if (lowestPending() > mark) return Promise.resolve();
    return new Promise((resolve) => {
      flushWaiters.push({ mark, resolve });
      pump();
    });
  }

  async function close(closeOptions: { readonly timeoutMs?: number } = {}): Promise<EmitterStats> {
    closed = true;
    const flushed = flush();
    if (closeOptions.timeoutMs === undefined) {
      await flushed;
    } else {
      let deadline: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<'expired'>((resolve) => (deadline = setTimeout(() => resolve('expired'), closeOptions.timeoutMs)));
      const outcome = await Promise.race([flushed, expired]);
      clearTimeout(deadline);
      if (outcome === 'expired') {
        const reason = new ClientError('ABORTED', `close: not delivered within ${closeOptions.timeoutMs} ms`);
        for (const kind of KINDS) {
          const left = queues[kind].splice(0);
          pending -= left.length;
          if (left.length > 0) giveUp(kind, left, reason);
        }
        for (const b of blocked.splice(0)) {
          giveUp(b.kind, [b], reason);
          b.resolve({ event_id: b.event.event_id, buffered: false });
        }
        abort.abort();
        await flushed;
      }
    }
    if (timer !== null) clearTimeout(timer);
    timer = null;
    return stats();
  }

  function stats(): EmitterStats {
    return { ...counters, buffered: pending + blocked.length };
  }

  return {
    emitLifecycle: (event) => emit('lifecycle', event as Readonly<Record<string, unknown>>),
    emitTool: (event) => emit('tool', event as Readonly<Record<string, unknown>>),
    emit,
    flush,
    close,
    stats,
  };
}

/** A callback that throws must not break the emitter's bookkeeping. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // The caller's callback failed; the counters stay right and the emitter carries on.
  }
}
