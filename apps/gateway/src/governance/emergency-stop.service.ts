import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GATEWAY_MARKERS } from '@auditstack/audit-core';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { EventStorageService } from '../storage/event-storage.service';

/** What the sentinel file holds (JSON); an empty or foreign file (e.g. `touch`) is a stop engaged "by sentinel". */
interface SentinelState {
  engaged_at: string;
  by: string;
  reason: string;
  /** Id of the `emergency_stop` marker once it is in the ledger (or spool); absent while it is still pending. */
  marker_id?: string;
}

/** How often the sentinel is looked for and pending markers are retried. */
const POLL_MS = 1000;
/** Denial markers kept for a later write while storage is down (then counted, not kept). */
const MAX_PENDING_DENIALS = 1000;

/**
 * The kill switch for governed tool calls. The sentinel file is the switch:
 * while it exists every `authorize` answers deny — whether PostgreSQL is up
 * or not, and whether it was written by `POST /v1/admin/emergency-stop` or by
 * an operator (`touch`, even while the gateway runs: it is checked on every
 * call). Engaging never waits for storage; the ledger marker follows as soon
 * as storage takes it.
 *
 * The sentinel holds the engagement (time, who, reason, marker id), so a
 * restart keeps the original reason. Lifting is out of band: remove the
 * sentinel and restart; the first boot without it after an engagement
 * records an `emergency_stop_lifted` marker (retried until PostgreSQL takes it).
 */
@Injectable()
export class EmergencyStopService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EmergencyStop');
  readonly sentinel: string;
  private engaged: { since: Date; by: string; reason: string; markerId: string | null } | null = null;
  private markerWriting = false;
  private liftCheckPending = false;
  private liftCheckWarned = false;
  private readonly pendingDenials: Array<{ details: Record<string, unknown> }> = [];
  private droppedDenials = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(GATEWAY_CONFIG) config: Readonly<GatewayConfig>,
    private readonly storage: EventStorageService,
    private readonly dataSource: DataSource,
  ) {
    this.sentinel = resolve(config.EMERGENCY_STOP_FILE ?? resolve(config.AUDITSTACK_HOME, 'EMERGENCY_STOP'));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (existsSync(this.sentinel)) this.adoptSentinel();
    else this.liftCheckPending = true;
    await this.tick();
    this.timer = setInterval(() => void this.tick(), POLL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  state(): { engaged: boolean; since?: string; by?: string; reason?: string; marker_id?: string | null; sentinel: string } {
    const engaged = this.isEngaged ? this.engaged! : null;
    return engaged
      ? { engaged: true, since: engaged.since.toISOString(), by: engaged.by, reason: engaged.reason, marker_id: engaged.markerId, sentinel: this.sentinel }
      : { engaged: false, sentinel: this.sentinel };
  }

  /** True while the stop holds: engaged by this process, or the sentinel file exists (checked on every call: fail closed at once). */
  get isEngaged(): boolean {
    if (this.engaged) return true;
    if (!existsSync(this.sentinel)) return false;
    this.adoptSentinel();
    void this.tick();
    return true;
  }

  /**
   * Engages the stop (idempotent): the sentinel first (it is the switch, and
   * survives restarts), then the in-memory state; the ledger marker is written
   * now if storage takes it, else as soon as it does.
   */
  async engage(by: string, reason: string): Promise<{ marker_id: string | null; already: boolean; marker_pending?: boolean; sentinel_written?: boolean }> {
    if (this.isEngaged) return { marker_id: this.engaged!.markerId, already: true };
    const since = new Date();
    this.engaged = { since, by, reason, markerId: null };
    let persisted = true;
    try {
      this.writeSentinel();
    } catch (error) {
      // Fail closed: engaged in this process all the same; only a restart would lose it (the response says so).
      persisted = false;
      this.logger.error(
        `EMERGENCY STOP engaged, but the sentinel ${this.sentinel} could not be written (${(error as Error).message}): a restart would lift it`,
      );
    }
    this.logger.warn(`EMERGENCY STOP engaged by ${by}: ${reason}`);
    await this.writeEngagedMarker();
    const marker = this.engaged.markerId ? { marker_id: this.engaged.markerId } : { marker_id: null, marker_pending: true };
    return { ...marker, already: false, ...(persisted ? {} : { sentinel_written: false }) };
  }

  /**
   * Records a denial as a `tool_call_denied` marker; while storage is down the
   * denial is kept (bounded) and written later. Never throws: a denial is
   * answered whether or not it could be recorded yet.
   */
  async recordDenial(details: Record<string, unknown>): Promise<string | null> {
    try {
      return (await this.storage.recordMarker(GATEWAY_MARKERS.toolCallDenied, details)).id;
    } catch (error) {
      if (this.pendingDenials.length < MAX_PENDING_DENIALS)
        this.pendingDenials.push({ details: { ...details, recorded_late: true, denied_at: new Date().toISOString() } });
      else this.droppedDenials++;
      this.logger.warn(`tool call denied; its marker is kept for later (${(error as Error).message})`);
      return null;
    }
  }

  /** Reads the sentinel into the in-memory state (keeping the original engagement). */
  private adoptSentinel(): void {
    if (this.engaged) return;
    let state: Partial<SentinelState> = {};
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.sentinel, 'utf8'));
      if (parsed && typeof parsed === 'object') state = parsed as Partial<SentinelState>;
    } catch {
      // An empty or hand-written sentinel: engaged by the file itself.
    }
    const since = typeof state.engaged_at === 'string' && !Number.isNaN(Date.parse(state.engaged_at)) ? new Date(state.engaged_at) : new Date();
    this.engaged = {
      since,
      by: typeof state.by === 'string' && state.by ? state.by.slice(0, 200) : 'sentinel',
      reason: typeof state.reason === 'string' && state.reason ? state.reason.slice(0, 500) : `sentinel file ${this.sentinel} present`,
      markerId: typeof state.marker_id === 'string' ? state.marker_id : null,
    };
    this.logger.warn(`EMERGENCY STOP engaged (sentinel ${this.sentinel}): ${this.engaged.reason}; every governed tool call is denied`);
  }

  /** The sentinel file, written atomically (temp file, then rename). */
  private writeSentinel(): void {
    const e = this.engaged!;
    const state: SentinelState = { engaged_at: e.since.toISOString(), by: e.by, reason: e.reason, ...(e.markerId ? { marker_id: e.markerId } : {}) };
    mkdirSync(dirname(this.sentinel), { recursive: true, mode: 0o700 });
    const temp = `${this.sentinel}.tmp-${process.pid}`;
    writeFileSync(temp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
    renameSync(temp, this.sentinel);
  }

  private async writeEngagedMarker(): Promise<void> {
    const e = this.engaged;
    if (!e || e.markerId || this.markerWriting) return;
    this.markerWriting = true;
    try {
      const marker = await this.storage.recordMarker(GATEWAY_MARKERS.emergencyStop, {
        by: e.by,
        reason: e.reason,
        engaged_at: e.since.toISOString(),
        sentinel: this.sentinel,
      });
      e.markerId = marker.id;
      try {
        this.writeSentinel();
      } catch (error) {
        // A read-only sentinel (mounted by an operator): the stop holds; a restart records the marker once more.
        this.logger.warn(`emergency stop marker ${marker.id} recorded; the sentinel could not be updated (${(error as Error).message})`);
      }
    } catch (error) {
      this.logger.error(`emergency stop engaged; its ledger marker is pending until storage takes writes (${(error as Error).message})`);
    } finally {
      this.markerWriting = false;
    }
  }

  /** Writes what is pending: the engagement marker, the lifting marker, denials. */
  private async tick(): Promise<void> {
    if (!this.engaged && existsSync(this.sentinel)) this.adoptSentinel();
    await this.writeEngagedMarker();
    if (this.liftCheckPending && !this.engaged) await this.recordLiftIfNeeded();
    while (this.pendingDenials.length > 0) {
      const next = this.pendingDenials[0]!;
      const details = this.droppedDenials > 0 ? { ...next.details, later_denials_not_kept: this.droppedDenials } : next.details;
      try {
        await this.storage.recordMarker(GATEWAY_MARKERS.toolCallDenied, details);
      } catch {
        return;
      }
      this.pendingDenials.shift();
      this.droppedDenials = 0;
    }
  }

  /**
   * At a boot without the sentinel: if the ledger's latest emergency-stop
   * marker is an engagement, the stop was lifted while the gateway was down —
   * record it. Retried until PostgreSQL answers.
   */
  private async recordLiftIfNeeded(): Promise<void> {
    try {
      if (!this.dataSource.isInitialized) return;
      const rows = (await this.dataSource.query(
        `SELECT id::text AS id, marker, details FROM audit.gateway_markers WHERE marker = ANY($1::text[]) ORDER BY ts DESC, id DESC LIMIT 1`,
        [[GATEWAY_MARKERS.emergencyStop, GATEWAY_MARKERS.emergencyStopLifted]],
      )) as Array<{ id: string; marker: string; details: Record<string, unknown> }>;
      const last = rows[0];
      if (last?.marker === GATEWAY_MARKERS.emergencyStop) {
        await this.storage.recordMarker(GATEWAY_MARKERS.emergencyStopLifted, {
          engaged_marker_id: last.id,
          engaged_reason: typeof last.details['reason'] === 'string' ? last.details['reason'] : null,
          how: 'sentinel absent at boot',
          sentinel: this.sentinel,
        });
        this.logger.warn(`emergency stop lifted (sentinel ${this.sentinel} absent at boot); recorded in the ledger`);
      }
      this.liftCheckPending = false;
    } catch (error) {
      if (!this.liftCheckWarned) this.logger.warn(`could not check whether the emergency stop was lifted; retrying (${(error as Error).message})`);
      this.liftCheckWarned = true;
    }
  }
}
