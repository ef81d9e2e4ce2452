import type { DnsAnswerTypes, DnsLookup, DnsQueryOptions, DnsRecordType, DnsResolver, DnsResult, DnsSource, MxRecord } from './dns-resolver.util';

/** Options of {@link CachingDnsResolver}. */
export interface CachingDnsResolverOptions {
  /**
   * Longest time (seconds) any answer is reused, whatever its TTL; 0 keeps
   * nothing (concurrent identical queries are still shared).
   * @defaultValue 600
   */
  readonly maxTtlSeconds?: number;
  /**
   * Most answers held; the least recently used goes first.
   * @defaultValue 10000
   */
  readonly maxEntries?: number;
  /**
   * Most bytes of answers held (their JSON size), the least recently used
   * going first; a single larger answer is not kept. Answers are
   * attacker-controlled: a TXT RRset alone can be 64 KiB.
   * @defaultValue 33554432 (32 MiB)
   */
  readonly maxBytes?: number;
  /**
   * How long NXDOMAIN / NODATA is reused when the response carried no SOA
   * to take the RFC 2308 negative TTL from.
   * @defaultValue 30
   */
  readonly negativeTtlSeconds?: number;
  /**
   * How long SERVFAIL, REFUSED, timeouts and other failures are reused
   * (aborts never are), so a dead server is not asked again by every step of
   * the same run, yet a retry a few seconds later reaches the network.
   * @defaultValue 2
   */
  readonly errorTtlSeconds?: number;
  /**
   * Part of every key: the servers the source asks, so that two sources
   * never share one cache's answers by mistake.
   * @defaultValue ''
   */
  readonly scope?: string;
  /** The clock (ms since the epoch) TTLs run on. @defaultValue `Date.now` */
  readonly now?: () => number;
  /**
   * Called once per query: `hit` when answered without a new network query
   * (from the cache, or by joining an identical query in flight), `miss` when
   * a network query was started.
   */
  readonly onLookup?: (result: 'hit' | 'miss') => void;
}

interface Entry {
  readonly result: DnsResult<unknown>;
  readonly expiresAt: number;
  readonly bytes: number;
  /** For a TIMEOUT: the per-query timeout it ran out (unset: the source's own). */
  readonly timeoutMs?: number;
}

interface Flight {
  readonly controller: AbortController;
  promise: Promise<DnsLookup<unknown>>;
  waiters: number;
}

const VOID_KINDS = new Set(['NXDOMAIN', 'NODATA']);

/** A cached TIMEOUT answers only callers that would not have waited longer than the query that timed out. */
function coversTimeout(entry: Entry, timeoutMs: number | undefined): boolean {
  if (entry.result.ok || entry.result.kind !== 'TIMEOUT' || entry.timeoutMs === timeoutMs) return true;
  return entry.timeoutMs !== undefined && timeoutMs !== undefined && timeoutMs <= entry.timeoutMs;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * A {@link DnsResolver} that reuses answers for their TTL (RFC 1035 §3.2.1),
 * capped by `maxTtlSeconds`; NXDOMAIN and NODATA for the RFC 2308 negative
 * TTL; failures for a few seconds only. Keys are (servers, type, name); at
 * most `maxEntries` answers are held (LRU). Concurrent identical queries
 * (same name, type and timeout) share one network query: a caller that aborts or times out leaves without
 * cancelling it for the others; the query is cancelled when every caller has
 * left. One instance serves every check of an engine process.
 */
export class CachingDnsResolver implements DnsResolver {
  private readonly entries = new Map<string, Entry>();
  private readonly flights = new Map<string, Flight>();
  private readonly maxTtlSeconds: number;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private heldBytes = 0;
  private readonly negativeTtlSeconds: number;
  private readonly errorTtlSeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly source: DnsSource,
    private readonly options: CachingDnsResolverOptions = {},
  ) {
    this.maxTtlSeconds = options.maxTtlSeconds ?? 600;
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.negativeTtlSeconds = options.negativeTtlSeconds ?? 30;
    this.errorTtlSeconds = options.errorTtlSeconds ?? 2;
    this.now = options.now ?? ((): number => Date.now());
  }

  /** Answers held now (expired ones included until asked for or evicted). */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes of answers held now (their JSON size). */
  get bytes(): number {
    return this.heldBytes;
  }

  resolveTxt(name: string, options?: DnsQueryOptions): Promise<DnsResult<string[]>> {
    return this.query(name, 'TXT', options);
  }

  resolveMx(name: string, options?: DnsQueryOptions): Promise<DnsResult<MxRecord>> {
    return this.query(name, 'MX', options);
  }

  resolve4(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.query(name, 'A', options);
  }

  resolve6(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.query(name, 'AAAA', options);
  }

  resolveCname(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.query(name, 'CNAME', options);
  }

  resolveNs(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.query(name, 'NS', options);
  }

  resolvePtr(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.query(name, 'PTR', options);
  }

  private query<K extends DnsRecordType>(rawName: string, type: K, options?: DnsQueryOptions): Promise<DnsResult<DnsAnswerTypes[K]>> {
    if (options?.signal?.aborted) return Promise.resolve({ ok: false, kind: 'ABORTED', message: 'query aborted before it started' });
    const name = normalise(rawName);
    const key = `${this.options.scope ?? ''}|${type}|${name}`;
    const cached = this.entries.get(key);
    if (cached) {
      if (cached.expiresAt > this.now() && coversTimeout(cached, options?.timeoutMs)) {
        this.entries.delete(key);
        this.entries.set(key, cached); // most recently used
        this.options.onLookup?.('hit');
        return Promise.resolve(cached.result as DnsResult<DnsAnswerTypes[K]>);
      }
      this.remove(key);
    }
    // Callers with different timeouts do not share a query: none gets another's shorter timeout.
    const flightKey = `${key}|${options?.timeoutMs ?? ''}`;
    let flight = this.flights.get(flightKey);
    if (flight) this.options.onLookup?.('hit');
    else {
      this.options.onLookup?.('miss');
      flight = this.start(key, flightKey, name, type, options?.timeoutMs);
    }
    return this.wait(flightKey, flight, options) as Promise<DnsResult<DnsAnswerTypes[K]>>;
  }

  private start(key: string, flightKey: string, name: string, type: DnsRecordType, timeoutMs: number | undefined): Flight {
    const controller = new AbortController();
    const flight: Flight = { controller, waiters: 0, promise: Promise.resolve({ result: { ok: true, answers: [] } }) };
    this.flights.set(flightKey, flight);
    flight.promise = this.source
      .lookup(name, type, { signal: controller.signal, ...(timeoutMs !== undefined ? { timeoutMs } : {}) })
      .catch((err: unknown): DnsLookup<unknown> => ({ result: { ok: false, kind: 'ERROR', message: err instanceof Error ? err.message : 'lookup failed' } }))
      .then((lookup) => {
        if (this.flights.get(flightKey) === flight) this.flights.delete(flightKey);
        if (!controller.signal.aborted) this.store(key, lookup, timeoutMs);
        return lookup;
      });
    return flight;
  }

  private wait(flightKey: string, flight: Flight, options?: DnsQueryOptions): Promise<DnsResult<unknown>> {
    flight.waiters += 1;
    const signal = options?.signal;
    const timeoutMs = options?.timeoutMs;
    return new Promise((resolve) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (result: DnsResult<unknown>, leaving: boolean): void => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        flight.waiters -= 1;
        if (leaving && flight.waiters === 0) {
          // Nobody waits any more: cancel the network query, and let the next caller start afresh.
          flight.controller.abort();
          if (this.flights.get(flightKey) === flight) this.flights.delete(flightKey);
        }
        resolve(result);
      };
      const onAbort = (): void => finish({ ok: false, kind: 'ABORTED', message: 'query aborted' }, true);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined)
        timer = setTimeout(() => finish({ ok: false, kind: 'TIMEOUT', message: `no answer within ${timeoutMs} ms` }, true), timeoutMs);
      void flight.promise.then((lookup) => finish(lookup.result, false));
    });
  }

  private store(key: string, lookup: DnsLookup<unknown>, timeoutMs: number | undefined): void {
    const seconds = Math.min(this.ttlFor(lookup), this.maxTtlSeconds);
    if (!(seconds > 0)) return;
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(lookup.result));
    this.remove(key);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { result: lookup.result, expiresAt: this.now() + seconds * 1000, bytes, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    this.heldBytes += bytes;
    while (this.entries.size > this.maxEntries || this.heldBytes > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.remove(oldest.value);
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.heldBytes -= entry.bytes;
  }

  private ttlFor({ result, ttlSeconds }: DnsLookup<unknown>): number {
    if (result.ok) return ttlSeconds ?? 0;
    if (VOID_KINDS.has(result.kind)) return ttlSeconds ?? this.negativeTtlSeconds;
    if (result.kind === 'ABORTED') return 0;
    return this.errorTtlSeconds;
  }
}
