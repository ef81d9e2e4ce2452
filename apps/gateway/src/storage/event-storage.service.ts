import { createHash, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { configureEventTimestamps, eventTimestampProblem, GATEWAY_MARKERS, LEDGER_KINDS } from '@auditstack/audit-core';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { GatewayMetrics } from './gateway-metrics';
import { GroupCommitQueue } from './group-commit.util';
import { JsonlSpool, SpoolWriteError, type SpoolLineView, type SpoolRecord } from './jsonl-spool.store';
import { PostgresEventStore, describeDataError, isDataError, isUnavailableError } from './postgres-event.store';
import { StorageUnavailableError, type ActiveBackend, type BackendSetting, type MarkerRecord, type PreparedEvent, type StoreOutcome } from './storage.types';

/** Events per replay transaction. */
const REPLAY_CHUNK = 5_000;
/** `Retry-After` of a spool that cannot take writes (disk full, read-only, I/O error): space may come back any second. */
const SPOOL_RETRY_AFTER_SECONDS = 1;
/** `Retry-After` while the `postgres` backend cannot reach PostgreSQL. */
const POSTGRES_RETRY_AFTER_SECONDS = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function markerToJson(m: MarkerRecord): Record<string, unknown> {
  return { id: m.id, ts: m.ts.toISOString(), marker: m.marker, details: m.details };
}

function eventToSpool(e: PreparedEvent): SpoolRecord {
  return { type: e.kind, record: { ...e.row, event_id: e.eventId, ts: e.ts.toISOString() } };
}

/** A UUID named by `text` (SHA-256, version-5 layout): the same spool line always yields the same marker id, so its marker is recorded once. */
function namedUuid(text: string): string {
  const b = createHash('sha256').update(text).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A spooled record as something to store, or why it cannot be (it is then quarantined, never retried forever). */
function fromSpool(r: SpoolRecord): { event: PreparedEvent } | { marker: MarkerRecord } | { problem: string } {
  const rec = r.record;
  const id = r.type === LEDGER_KINDS.marker ? rec['id'] : rec['event_id'];
  if (typeof id !== 'string' || !UUID.test(id)) return { problem: `${r.type === LEDGER_KINDS.marker ? 'id' : 'event_id'}: not a UUID` };
  const ts = typeof rec['ts'] === 'string' ? new Date(rec['ts']) : new Date(Number.NaN);
  const tsProblem = eventTimestampProblem(ts);
  if (tsProblem) return { problem: `ts: ${tsProblem}` };
  if (r.type === LEDGER_KINDS.marker) {
    const details = rec['details'];
    if (typeof rec['marker'] !== 'string' || details === null || typeof details !== 'object' || Array.isArray(details))
      return { problem: 'not a marker record' };
    return { marker: { id, ts, marker: rec['marker'], details: details as Record<string, unknown> } };
  }
  return { event: { kind: r.type, eventId: id, ts, row: rec } };
}

/**
 * Where events go (`AUDIT_BACKEND`), with group commit in front.
 *
 * `auto`: PostgreSQL; when a write fails because PostgreSQL is unavailable, a
 * WARNING is logged, a `backend_fallback_started` marker is spooled and every
 * write goes to the fsync'ed JSONL spool for `AUDIT_FALLBACK_SECONDS`; then
 * PostgreSQL is probed again. On recovery a `backend_fallback_ended` marker is
 * written and the spool is replayed into PostgreSQL, idempotently by event id,
 * so the ledger ends up covering every acknowledged event exactly once.
 */
@Injectable()
export class EventStorageService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('EventStorage');
  readonly setting: BackendSetting;
  private readonly pg: PostgresEventStore | null;
  private readonly spool: JsonlSpool | null;
  private readonly queue: GroupCommitQueue<PreparedEvent, Stored>;
  private readonly fallbackMs: number;
  private fallback: { since: Date; retryAt: number; spooled: number; reason: string } | null = null;
  /** Markers that must precede the next spooled line (a fallback start whose own append failed, e.g. disk full). */
  private unspooled: MarkerRecord[] = [];
  private probing = false;
  private replaying: Promise<void> | null = null;
  /** When a replay that stopped on an error is tried again (`auto`). */
  private replayRetryAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    @Inject(GATEWAY_CONFIG) config: Readonly<GatewayConfig>,
    private readonly metrics: GatewayMetrics,
  ) {
    this.setting = config.AUDIT_BACKEND;
    configureEventTimestamps({ maxFutureSkewSeconds: config.EVENT_MAX_FUTURE_SKEW_SECONDS });
    this.fallbackMs = config.AUDIT_FALLBACK_SECONDS * 1000;
    const usesPg = this.setting === 'auto' || this.setting === 'postgres';
    this.pg = usesPg
      ? new PostgresEventStore({
          url: config.AUDIT_INGEST_DATABASE_URL ?? config.DATABASE_URL,
          poolMax: config.DATABASE_POOL_MAX,
          onError: (error) => this.logger.warn(`ingest pool: idle connection lost (${error.message})`),
        })
      : null;
    const usesSpool = this.setting === 'auto' || this.setting === 'jsonl';
    this.spool = usesSpool
      ? new JsonlSpool(resolve(config.AUDIT_JSONL_DIR ?? resolve(config.AUDITSTACK_HOME, 'spool')), {
          // The JSONL backend is idempotent by event id (across restarts: the ids are read back at boot).
          trackIds: this.setting === 'jsonl',
          log: (message) => this.logger.warn(message),
        })
      : null;
    this.queue = new GroupCommitQueue((items) => this.flush(items), {
      maxDelayMs: config.INGEST_GROUP_COMMIT_MS,
      maxItems: config.INGEST_GROUP_COMMIT_MAX_EVENTS,
    });
  }

  async onModuleInit(): Promise<void> {
    await this.spool?.init();
    this.metrics.setBackend(this.active(), false);
    if (this.setting === 'auto') {
      this.timer = setInterval(() => void this.tick(), 250);
      this.timer.unref();
      try {
        await this.pg!.ping();
      } catch (error) {
        // Started while PostgreSQL is down: spool from the first event on (the fallback's usual retry cadence applies).
        if (!isUnavailableError(error)) throw error;
        await this.enterFallback(error as Error);
        return;
      }
      // A spool left by an earlier process (crash or outage at shutdown) is replayed now.
      this.startReplay();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.replaying?.catch(() => undefined);
    await this.spool?.close();
    await this.pg?.close().catch(() => undefined);
  }

  /** The backend taking writes now. */
  active(): ActiveBackend {
    if (this.setting === 'null') return 'null';
    if (this.setting === 'jsonl' || this.fallback) return 'jsonl';
    return 'postgres';
  }

  /** Facts for `/ping`. */
  details(): Record<string, unknown> {
    return {
      backend: this.active(),
      backend_setting: this.setting,
      fallback_active: this.fallback !== null,
      ...(this.fallback ? { fallback_since: this.fallback.since.toISOString() } : {}),
      spool_bytes: this.spool?.pendingBytes ?? 0,
    };
  }

  /**
   * With `AUDIT_BACKEND=jsonl`, the tool events stored in the JSONL files for
   * a window (the dashboards read what this backend stores); null otherwise.
   */
  async jsonlToolEvents(from: Date, to: Date): Promise<{ records: Record<string, unknown>[]; files: string[]; skippedLines: number } | null> {
    if (this.setting !== 'jsonl') return null;
    return this.spool!.toolRecords(from.toISOString().slice(0, 10), to.toISOString().slice(0, 10));
  }

  get spoolBytes(): number {
    return this.spool?.pendingBytes ?? 0;
  }

  /**
   * Stores validated events (group-committed) and resolves, after they are
   * durable, with one outcome per event and the backend that took them. An
   * event PostgreSQL refuses on its own is `rejected` (with `errors`); the
   * other events of its group commit are not affected.
   *
   * @throws StorageUnavailableError when the backend cannot take writes (`postgres` with PostgreSQL down, a spool that cannot write): nothing acknowledged.
   */
  async store(events: readonly PreparedEvent[]): Promise<{ outcomes: StoreOutcome[]; errors: (string | undefined)[]; backend: ActiveBackend }> {
    const stored = await this.queue.submit(events);
    return {
      outcomes: stored.map((s) => s.outcome),
      errors: stored.map((s) => s.error),
      backend: stored.find((s) => s.outcome !== 'rejected')?.backend ?? stored[0]?.backend ?? this.active(),
    };
  }

  private async flush(items: readonly PreparedEvent[]): Promise<Stored[]> {
    switch (this.setting) {
      case 'null':
        return items.map(() => ({ outcome: 'accepted', backend: 'null' }));
      case 'jsonl':
        return this.flushJsonl(items);
      case 'postgres': {
        const { stored, down } = await this.storeIsolated(items);
        if (down) throw new StorageUnavailableError(`PostgreSQL is unavailable: ${down.message}`, POSTGRES_RETRY_AFTER_SECONDS);
        return stored as Stored[];
      }
      case 'auto':
        return this.flushAuto(items);
      default: {
        const never: never = this.setting;
        throw new Error(`unknown backend ${String(never)}`);
      }
    }
  }

  /** The JSONL backend: an event id already in the spool (or earlier in this flush) is a duplicate, stored once. */
  private async flushJsonl(items: readonly PreparedEvent[]): Promise<Stored[]> {
    const spool = this.spool!;
    const seen = new Set<string>();
    const fresh: PreparedEvent[] = [];
    const out: Stored[] = items.map((e) => {
      const key = `${e.kind}:${e.eventId}`;
      if (seen.has(key) || spool.has(e.kind, e.eventId)) return { outcome: 'duplicate', backend: 'jsonl' };
      seen.add(key);
      fresh.push(e);
      return { outcome: 'accepted', backend: 'jsonl' };
    });
    if (fresh.length > 0) await this.spoolAppend(fresh.map(eventToSpool));
    return out;
  }

  /**
   * Stores `items` in PostgreSQL in one transaction; if PostgreSQL refuses the
   * data (not the connection), stores them one by one so a bad row fails only
   * itself (`rejected`). `down` is set when PostgreSQL became unavailable:
   * the items without an outcome (null) were not stored.
   */
  private async storeIsolated(items: readonly PreparedEvent[]): Promise<{ stored: (Stored | null)[]; down: Error | null }> {
    try {
      return { stored: withBackend(await this.pg!.store(items), 'postgres'), down: null };
    } catch (error) {
      if (!isDataError(error)) return { stored: items.map(() => null), down: error as Error };
      this.logger.warn(`a group commit of ${items.length} events was refused (${describeDataError(error)}); storing its events one by one`);
    }
    const stored: (Stored | null)[] = [];
    let down: Error | null = null;
    for (const item of items) {
      if (down) {
        stored.push(null);
        continue;
      }
      try {
        stored.push({ outcome: (await this.pg!.store([item]))[0]!, backend: 'postgres' });
      } catch (error) {
        if (isDataError(error)) stored.push({ outcome: 'rejected', backend: 'postgres', error: `could not be stored: ${describeDataError(error)}` });
        else {
          down = error as Error;
          stored.push(null);
        }
      }
    }
    return { stored, down };
  }

  private async flushAuto(items: readonly PreparedEvent[]): Promise<Stored[]> {
    let stored: (Stored | null)[] = items.map(() => null);
    if (!this.fallback) {
      const result = await this.storeIsolated(items);
      stored = result.stored;
      if (!result.down) return stored as Stored[];
      await this.enterFallback(result.down);
    }
    // Whether or not an interrupted COMMIT reached PostgreSQL, spooling is safe: replay skips ids already stored.
    const rest = items.filter((_, i) => stored[i] === null);
    await this.spoolAppend(rest.map(eventToSpool));
    // The fallback may have ended while this flush was spooling; the replay loop picks these lines up too.
    if (this.fallback) this.fallback.spooled += rest.length;
    return stored.map((s) => s ?? { outcome: 'accepted', backend: 'jsonl' });
  }

  /**
   * Appends to the spool, after any marker whose own append failed; a spool
   * that cannot write (ENOSPC, EIO, EROFS…) is "storage unavailable": 503
   * with `Retry-After`, nothing acknowledged.
   */
  private async spoolAppend(records: readonly SpoolRecord[]): Promise<void> {
    const markers = this.unspooled;
    try {
      await this.spool!.append([...markers.map((m) => ({ type: LEDGER_KINDS.marker, record: markerToJson(m) })), ...records]);
    } catch (error) {
      if (error instanceof SpoolWriteError) {
        this.logger.error(`spool cannot take writes (${error.message}); answering 503`);
        throw new StorageUnavailableError(`the event spool cannot take writes (${error.code}); nothing was stored, retry later`, SPOOL_RETRY_AFTER_SECONDS);
      }
      throw error;
    }
    this.unspooled = this.unspooled.filter((m) => !markers.includes(m));
  }

  private async enterFallback(error: Error): Promise<void> {
    if (this.fallback) return;
    const since = new Date();
    this.fallback = { since, retryAt: since.getTime() + this.fallbackMs, spooled: 0, reason: error.message };
    this.logger.warn(
      `WARNING: PostgreSQL unavailable (${error.message}); spooling events to JSONL in ${this.spool!.dir} for ${this.fallbackMs / 1000}s, then retrying`,
    );
    this.metrics.setBackend('jsonl', true);
    const marker: MarkerRecord = {
      id: randomUUID(),
      ts: since,
      marker: GATEWAY_MARKERS.fallbackStarted,
      details: { reason: truncate(error.message), fallback_seconds: this.fallbackMs / 1000 },
    };
    // Spooled with the next append if it cannot be written now (disk full): the fallback is recorded either way.
    this.unspooled.push(marker);
    await this.spoolAppend([]).catch(() => undefined);
  }

  /**
   * Records a gateway marker as a ledger leaf: straight into PostgreSQL when it
   * takes writes, into the spool otherwise (replayed later), dropped by `null`.
   */
  async recordMarker(marker: string, details: Record<string, unknown>): Promise<MarkerRecord> {
    const record: MarkerRecord = { id: randomUUID(), ts: new Date(), marker, details };
    const backend = this.active();
    if (backend === 'null') return record;
    if (backend === 'postgres') {
      try {
        await this.pg!.store([], [record]);
        return record;
      } catch (error) {
        if (this.setting === 'postgres' || !isUnavailableError(error)) {
          throw isUnavailableError(error)
            ? new StorageUnavailableError(`PostgreSQL is unavailable: ${(error as Error).message}`, POSTGRES_RETRY_AFTER_SECONDS)
            : error;
        }
        await this.enterFallback(error as Error);
      }
    }
    await this.spoolAppend([{ type: LEDGER_KINDS.marker, record: markerToJson(record) }]);
    return record;
  }

  private async tick(): Promise<void> {
    // A replay that stopped on an error (e.g. the disk still full for its progress file) is retried after a fallback period.
    if (!this.closed && !this.fallback && !this.replaying && this.replayRetryAt !== null && Date.now() >= this.replayRetryAt) {
      this.replayRetryAt = null;
      this.startReplay();
    }
    if (this.closed || !this.fallback || this.probing || Date.now() < this.fallback.retryAt) return;
    this.probing = true;
    try {
      await this.pg!.ping();
      await this.exitFallback();
    } catch (error) {
      this.fallback.retryAt = Date.now() + this.fallbackMs;
      this.logger.warn(`WARNING: PostgreSQL still unavailable (${(error as Error).message}); spooling for another ${this.fallbackMs / 1000}s`);
    } finally {
      this.probing = false;
    }
  }

  private async exitFallback(): Promise<void> {
    const fb = this.fallback!;
    const ended: MarkerRecord = {
      id: randomUUID(),
      ts: new Date(),
      marker: GATEWAY_MARKERS.fallbackEnded,
      details: { fallback_since: fb.since.toISOString(), spooled_events: fb.spooled },
    };
    // A start marker that never reached the spool (disk full) goes to PostgreSQL first, so the ledger shows both ends.
    const unspooled = this.unspooled;
    await this.pg!.store([], [...unspooled, ended]);
    this.unspooled = this.unspooled.filter((m) => !unspooled.includes(m));
    this.fallback = null;
    this.metrics.setBackend('postgres', false);
    this.logger.log(`PostgreSQL is back after ${Math.round((Date.now() - fb.since.getTime()) / 1000)}s; replaying ${fb.spooled} spooled events`);
    this.startReplay();
  }

  /** Starts a replay unless one is running; resolves when it ends (tests and shutdown wait on it). */
  startReplay(): Promise<void> {
    if (!this.replaying) {
      this.replaying = this.replay()
        .catch((error: unknown) => {
          this.replayRetryAt = Date.now() + this.fallbackMs;
          this.logger.error(`spool replay stopped: ${(error as Error).message}; retrying in ${this.fallbackMs / 1000}s`);
        })
        .finally(() => {
          this.replaying = null;
        });
    }
    return this.replaying;
  }

  /** True while spooled lines wait for replay (or a replay runs). */
  async replayPending(): Promise<boolean> {
    if (this.replaying || this.fallback) return true;
    return this.spool ? (await this.spool.pendingFiles()).length > 0 : false;
  }

  private async replay(): Promise<void> {
    const spool = this.spool!;
    // Lines spooled by flushes still in flight when the fallback ended land after the first pass: go round again.
    for (let pass = 0; pass < 10 && !this.closed && !this.fallback; pass++) {
      const files = await spool.pendingFiles();
      if (files.length === 0) break;
      await this.replayFiles(files);
    }
    await spool.refreshPendingBytes();
  }

  private async replayFiles(files: readonly string[]): Promise<void> {
    const spool = this.spool!;
    for (const name of files) {
      if (this.closed || this.fallback) return;
      const { lines, from } = await spool.readPending(name);
      for (let start = 0; start < lines.length; start += REPLAY_CHUNK) {
        if (this.closed || this.fallback) return;
        const chunk = lines.slice(start, start + REPLAY_CHUNK);
        const replayed = await this.replayChunk(name, chunk);
        if (replayed === null) return;
        const last = chunk[chunk.length - 1]!;
        await spool.markReplayed(name, from + start + chunk.length, last.key, last.end);
        this.metrics.replayedEvents.inc(replayed);
      }
      await spool.refreshPendingBytes();
    }
  }

  /**
   * Replays one chunk of lines in one transaction. A line that cannot be
   * stored — not a valid spool line, a time outside the event range, a row
   * PostgreSQL refuses — is copied to the quarantine file and recorded by a
   * `spool_line_quarantined` marker (id named by file, line and content, so
   * a second replay records it once); the other lines are stored. Returns
   * the events replayed, or null when PostgreSQL became unavailable.
   */
  private async replayChunk(name: string, chunk: readonly SpoolLineView[]): Promise<number | null> {
    const events: { e: PreparedEvent; line: SpoolLineView }[] = [];
    const markers: { m: MarkerRecord; line: SpoolLineView | null }[] = [];
    const bad: { line: SpoolLineView; reason: string }[] = [];
    for (const line of chunk) {
      if (!line.record) {
        bad.push({ line, reason: line.bad ?? 'unreadable' });
        continue;
      }
      if (line.chainBreak)
        markers.push({
          m: this.spoolMarker(GATEWAY_MARKERS.spoolChainBroken, name, line, 'does not follow the previous line (a line was removed or reordered)'),
          line: null,
        });
      const parsed = fromSpool(line.record);
      if ('problem' in parsed) bad.push({ line, reason: parsed.problem });
      else if ('event' in parsed) events.push({ e: parsed.event, line });
      else markers.push({ m: parsed.marker, line });
    }
    for (const b of bad) markers.push({ m: await this.quarantine(name, b.line, b.reason), line: null });
    try {
      await this.pg!.store(
        events.map((x) => x.e),
        markers.map((x) => x.m),
      );
      return events.length;
    } catch (error) {
      if (!isDataError(error)) {
        await this.enterFallback(error as Error);
        return null;
      }
      this.logger.warn(`spool ${name}: a replay chunk was refused (${describeDataError(error)}); replaying its lines one by one`);
    }
    // One by one: each line that PostgreSQL refuses is quarantined, the others are stored.
    let replayed = 0;
    const items: { e?: PreparedEvent; m?: MarkerRecord; line: SpoolLineView | null }[] = [...markers.map((x) => ({ m: x.m, line: x.line })), ...events];
    for (const item of items) {
      try {
        await this.pg!.store(item.e ? [item.e] : [], item.m ? [item.m] : []);
        if (item.e) replayed++;
      } catch (error) {
        if (!isDataError(error)) {
          await this.enterFallback(error as Error);
          return null;
        }
        if (!item.line) throw error;
        const marker = await this.quarantine(name, item.line, describeDataError(error));
        try {
          await this.pg!.store([], [marker]);
        } catch (markerError) {
          if (isDataError(markerError)) throw markerError;
          await this.enterFallback(markerError as Error);
          return null;
        }
      }
    }
    return replayed;
  }

  /** Copies a line to the quarantine file and returns its marker (logged, never with the line's content). */
  private async quarantine(name: string, line: SpoolLineView, reason: string): Promise<MarkerRecord> {
    await this.spool!.quarantine(name, line, reason);
    this.logger.error(`spool ${name} line ${line.index + 1} quarantined (${reason}); the rest of the file is replayed`);
    return this.spoolMarker(GATEWAY_MARKERS.spoolLineQuarantined, name, line, reason);
  }

  private spoolMarker(marker: string, name: string, line: SpoolLineView, reason: string): MarkerRecord {
    return {
      id: namedUuid(`auditstack:${marker}:${name}:${line.index}:${line.key}`),
      ts: new Date(),
      marker,
      details: {
        file: name,
        line: line.index + 1,
        line_sha256: line.key,
        reason: truncate(reason),
        ...(marker === GATEWAY_MARKERS.spoolLineQuarantined ? { quarantine_file: `quarantine/${name}` } : {}),
      },
    };
  }
}

/** One event's outcome and the backend that took it (`error` says why a `rejected` one was refused). */
interface Stored {
  outcome: StoreOutcome;
  backend: ActiveBackend;
  error?: string;
}

function withBackend(outcomes: StoreOutcome[], backend: ActiveBackend): Stored[] {
  return outcomes.map((outcome) => ({ outcome, backend }));
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
