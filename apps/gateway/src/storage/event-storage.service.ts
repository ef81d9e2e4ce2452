import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { GatewayMetrics } from './gateway-metrics';
import { GroupCommitQueue } from './group-commit.util';
import { JsonlSpool, SpoolChainError, type SpoolRecord } from './jsonl-spool.store';
import { PostgresEventStore, isUnavailableError } from './postgres-event.store';
import {
  GATEWAY_MARKERS,
  StorageUnavailableError,
  type ActiveBackend,
  type BackendSetting,
  type MarkerRecord,
  type PreparedEvent,
  type StoreOutcome,
} from './storage.types';

/** Events per replay transaction. */
const REPLAY_CHUNK = 5_000;

function markerToJson(m: MarkerRecord): Record<string, unknown> {
  return { id: m.id, ts: m.ts.toISOString(), marker: m.marker, details: m.details };
}

function eventToSpool(e: PreparedEvent): SpoolRecord {
  return { type: e.kind, record: { ...e.row, event_id: e.eventId, ts: e.ts.toISOString() } };
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
  private probing = false;
  private replaying: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    @Inject(GATEWAY_CONFIG) config: Readonly<GatewayConfig>,
    private readonly metrics: GatewayMetrics,
  ) {
    this.setting = config.AUDIT_BACKEND;
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
    this.spool = usesSpool ? new JsonlSpool(resolve(config.AUDIT_JSONL_DIR ?? resolve(config.AUDITSTACK_HOME, 'spool'))) : null;
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

  get spoolBytes(): number {
    return this.spool?.pendingBytes ?? 0;
  }

  /**
   * Stores validated events (group-committed) and resolves, after they are
   * durable, with one outcome per event and the backend that took them.
   *
   * @throws StorageUnavailableError when the backend cannot take writes (`postgres` with PostgreSQL down).
   */
  async store(events: readonly PreparedEvent[]): Promise<{ outcomes: StoreOutcome[]; backend: ActiveBackend }> {
    const stored = await this.queue.submit(events);
    return { outcomes: stored.map((s) => s.outcome), backend: stored[0]?.backend ?? this.active() };
  }

  private async flush(items: readonly PreparedEvent[]): Promise<Stored[]> {
    switch (this.setting) {
      case 'null':
        return items.map(() => ({ outcome: 'accepted', backend: 'null' }));
      case 'jsonl':
        await this.spool!.append(items.map(eventToSpool));
        return items.map(() => ({ outcome: 'accepted', backend: 'jsonl' }));
      case 'postgres':
        try {
          return withBackend(await this.pg!.store(items), 'postgres');
        } catch (error) {
          if (isUnavailableError(error)) throw new StorageUnavailableError(`PostgreSQL is unavailable: ${(error as Error).message}`);
          throw error;
        }
      case 'auto':
        return this.flushAuto(items);
      default: {
        const never: never = this.setting;
        throw new Error(`unknown backend ${String(never)}`);
      }
    }
  }

  private async flushAuto(items: readonly PreparedEvent[]): Promise<Stored[]> {
    if (!this.fallback) {
      try {
        return withBackend(await this.pg!.store(items), 'postgres');
      } catch (error) {
        if (!isUnavailableError(error)) throw error;
        await this.enterFallback(error as Error);
      }
    }
    // Whether or not an interrupted COMMIT reached PostgreSQL, spooling is safe: replay skips ids already stored.
    await this.spool!.append(items.map(eventToSpool));
    // The fallback may have ended while this flush was spooling; the replay loop picks these lines up too.
    if (this.fallback) this.fallback.spooled += items.length;
    return items.map(() => ({ outcome: 'accepted', backend: 'jsonl' }));
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
    await this.spool!.append([{ type: 'marker', record: markerToJson(marker) }]);
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
          throw isUnavailableError(error) ? new StorageUnavailableError(`PostgreSQL is unavailable: ${(error as Error).message}`) : error;
        }
        await this.enterFallback(error as Error);
      }
    }
    await this.spool!.append([{ type: 'marker', record: markerToJson(record) }]);
    return record;
  }

  private async tick(): Promise<void> {
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
    await this.pg!.store([], [ended]);
    this.fallback = null;
    this.metrics.setBackend('postgres', false);
    this.logger.log(`PostgreSQL is back after ${Math.round((Date.now() - fb.since.getTime()) / 1000)}s; replaying ${fb.spooled} spooled events`);
    this.startReplay();
  }

  /** Starts a replay unless one is running; resolves when it ends (tests and shutdown wait on it). */
  startReplay(): Promise<void> {
    if (!this.replaying) {
      this.replaying = this.replay()
        .catch((error: unknown) => this.logger.error(`spool replay stopped: ${(error as Error).message}`))
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
      let pending;
      try {
        pending = await spool.readPending(name);
      } catch (error) {
        if (!(error instanceof SpoolChainError)) throw error;
        // A tampered or corrupted file is left in place for an operator; the other files still replay.
        this.logger.error(`spool file not replayed: ${error.message}`);
        continue;
      }
      const { records, from, hashes } = pending;
      for (let start = 0; start < records.length; start += REPLAY_CHUNK) {
        if (this.closed || this.fallback) return;
        const chunk = records.slice(start, start + REPLAY_CHUNK);
        const events: PreparedEvent[] = [];
        const markers: MarkerRecord[] = [];
        for (const r of chunk) {
          if (r.type === 'marker') {
            markers.push({ id: String(r.record['id']), ts: new Date(String(r.record['ts'])), marker: String(r.record['marker']), details: (r.record['details'] ?? {}) as Record<string, unknown> });
          } else {
            events.push({ kind: r.type, eventId: String(r.record['event_id']), ts: new Date(String(r.record['ts'])), row: r.record });
          }
        }
        try {
          await this.pg!.store(events, markers);
        } catch (error) {
          if (isUnavailableError(error)) {
            await this.enterFallback(error as Error);
            return;
          }
          throw error;
        }
        const done = from + start + chunk.length;
        await spool.markReplayed(name, done, hashes[done - 1]!);
        this.metrics.replayedEvents.inc(events.length);
      }
    }
  }
}

/** One event's outcome and the backend that took it. */
interface Stored {
  outcome: StoreOutcome;
  backend: ActiveBackend;
}

function withBackend(outcomes: StoreOutcome[], backend: ActiveBackend): Stored[] {
  return outcomes.map((outcome) => ({ outcome, backend }));
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
