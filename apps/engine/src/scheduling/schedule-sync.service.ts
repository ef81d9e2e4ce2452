import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Client, type Notification, type Pool } from 'pg';
import { JOB_ID_PREFIXES, type RunErrorCode } from '@auditstack/audit-core';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine.config';
import { ENGINE_PG } from '../database/engine-pg.util';
import { ActionRegistry } from '../actions/action-registry.service';
import { EngineMetrics } from '../metrics/engine-metrics.service';
import { CHECK_QUEUE, type CheckQueue, type ScheduleSpec } from '../queue/check-queue.util';
import { RunExecutor } from '../runs/run-executor.service';
import { actionProblem } from './action-problem.util';
import { normaliseSchedule } from './schedule.util';

/** Channel of the `tg_actions_notify` trigger on `audit.actions`. */
export const ACTIONS_CHANNEL = 'auditstack_actions';

interface SyncRow {
  id: string;
  project_id: string;
  action_type: string;
  schedule: string;
  status: string;
  updated_at: Date;
}

/** Delay that coalesces a burst of NOTIFYs into one targeted sync. */
const NOTIFY_DEBOUNCE_MS = 50;
const LISTEN_RETRY_MS = 1000;
/** Actions reconciled concurrently by a full sync. */
const SYNC_PARALLELISM = 32;

/**
 * Keeps the queue's schedules equal to the active, valid rows of
 * `audit.actions`: at boot, within moments of a NOTIFY (a dedicated LISTEN
 * connection), after the engine's own API writes, and by a periodic safety
 * re-sync (`ENGINE_RESYNC_SECONDS`; in embedded mode also every
 * `ENGINE_EMBEDDED_RESYNC_SECONDS`, as PGlite may not deliver NOTIFY).
 *
 * An active action whose type is unknown or whose schedule is invalid is not
 * scheduled: it is logged, counted (`auditstack_engine_actions{status="invalid"}`)
 * and given one `error` run per version of the row explaining why.
 */
@Injectable()
export class ScheduleSync implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ScheduleSync.name);
  private listener: Client | null = null;
  private stopped = false;
  private pendingIds = new Set<string>();
  private debounce: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private timerSyncRunning = false;
  /** Invalid action versions already reported by this process (the database dedupes across replicas). */
  private readonly reported = new Set<string>();
  /** How each known action was counted by the last sync that saw it (feeds `auditstack_engine_actions`). */
  private readonly classes = new Map<string, 'active' | 'paused' | 'invalid'>();

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: Readonly<EngineConfig>,
    @Inject(ENGINE_PG) private readonly pool: Pool,
    @Inject(CHECK_QUEUE) private readonly queue: CheckQueue,
    private readonly registry: ActionRegistry,
    private readonly executor: RunExecutor,
    private readonly metrics: EngineMetrics,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reconcileAll();
    await this.listen();
    this.addInterval('engine-resync', this.config.ENGINE_RESYNC_SECONDS);
    if (this.queue.mode === 'embedded') this.addInterval('engine-embedded-resync', this.config.ENGINE_EMBEDDED_RESYNC_SECONDS);
  }

  /** Before the pool and the queue close: stop listening and let a sync in progress finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.debounce) clearTimeout(this.debounce);
    await this.listener?.end().catch(() => undefined);
    await this.chain.catch(() => undefined);
  }

  /** Full reconciliation (serialised with any other sync of this process). */
  reconcileAll(): Promise<void> {
    return this.serialise(() => this.doReconcileAll());
  }

  /** Reconciles a few actions (after a NOTIFY or an API write). */
  reconcileIds(ids: Iterable<string>): Promise<void> {
    const list = [...new Set(ids)];
    return list.length === 0 ? Promise.resolve() : this.serialise(() => this.doReconcileIds(list));
  }

  private addInterval(name: string, seconds: number): void {
    const timer = setInterval(() => {
      // A slow sync (many actions, a slow database) is never queued twice by the timer.
      if (this.timerSyncRunning) return;
      this.timerSyncRunning = true;
      void this.reconcileAll()
        .catch(() => undefined)
        .finally(() => (this.timerSyncRunning = false));
    }, seconds * 1000);
    this.scheduler.addInterval(name, timer);
  }

  private serialise(work: () => Promise<void>): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async doReconcileAll(): Promise<void> {
    try {
      const { rows } = await this.pool.query<SyncRow>('SELECT id, project_id, action_type, schedule, status, updated_at FROM audit.actions');
      const current = new Map((await this.queue.listSchedules()).map((s) => [s.actionId, s]));
      const seen = new Set(rows.map((row) => row.id));
      // Independent per action: a few at a time, so 10,000 actions sync in seconds, not minutes.
      for (let i = 0; i < rows.length; i += SYNC_PARALLELISM) {
        await Promise.all(rows.slice(i, i + SYNC_PARALLELISM).map(async (row) => this.classes.set(row.id, await this.apply(row, current.get(row.id) ?? null))));
      }
      for (const id of current.keys()) if (!seen.has(id)) await this.queue.removeSchedule(id);
      for (const id of [...this.classes.keys()]) if (!seen.has(id)) this.classes.delete(id);
      this.publishCounts();
      this.metrics.syncs.inc({ result: 'ok' });
    } catch (error) {
      this.metrics.syncs.inc({ result: 'error' });
      this.logger.error(`schedule sync failed: ${(error as Error).message}`);
      throw error;
    }
  }

  private async doReconcileIds(ids: string[]): Promise<void> {
    try {
      const { rows } = await this.pool.query<SyncRow>(
        'SELECT id, project_id, action_type, schedule, status, updated_at FROM audit.actions WHERE id = ANY($1::uuid[])',
        [ids],
      );
      const found = new Set(rows.map((r) => r.id));
      for (const row of rows) this.classes.set(row.id, await this.apply(row, await this.queue.getSchedule(row.id)));
      for (const id of ids) {
        if (found.has(id)) continue;
        await this.queue.removeSchedule(id);
        this.classes.delete(id);
      }
      this.publishCounts();
      this.metrics.syncs.inc({ result: 'ok' });
    } catch (error) {
      this.metrics.syncs.inc({ result: 'error' });
      this.logger.error(`schedule sync of ${ids.length} action(s) failed: ${(error as Error).message}`);
      throw error;
    }
  }

  private publishCounts(): void {
    const counts = { active: 0, paused: 0, invalid: 0 };
    for (const status of this.classes.values()) counts[status]++;
    for (const [status, value] of Object.entries(counts)) this.metrics.actions.set({ status }, value);
  }

  /** Brings one action's schedule in line with its row; returns how it was counted. */
  private async apply(row: SyncRow, current: ScheduleSpec | null): Promise<'active' | 'paused' | 'invalid'> {
    if (row.status !== 'active') {
      if (current) await this.queue.removeSchedule(row.id);
      return 'paused';
    }
    const problem = this.problemOf(row);
    if (problem) {
      if (current) await this.queue.removeSchedule(row.id);
      await this.report(row, problem.code, problem.message);
      return 'invalid';
    }
    const spec: ScheduleSpec = { actionId: row.id, actionType: row.action_type, pattern: normaliseSchedule(row.schedule) };
    if (!current || current.pattern !== spec.pattern || current.actionType !== spec.actionType) await this.queue.upsertSchedule(spec);
    return 'active';
  }

  private problemOf(row: SyncRow): { code: RunErrorCode; message: string } | null {
    // The overview computes an active action's "cannot be scheduled" reason with the same function.
    return actionProblem(row, this.registry, this.config.ENGINE_ALLOW_SECOND_SCHEDULES);
  }

  /** One `error` run per version (updated_at) of an invalid action; idempotent across replicas by (job_id, scheduled_at). */
  private async report(row: SyncRow, code: RunErrorCode, message: string): Promise<void> {
    const version = new Date(row.updated_at);
    const key = `${row.id}@${version.getTime()}`;
    if (this.reported.has(key)) return;
    try {
      await this.executor.recordError(
        row,
        { id: randomUUID(), scheduledAt: version, jobId: `${JOB_ID_PREFIXES.invalid}${row.id}`, trigger: 'schedule' },
        new Date(),
        code,
        message,
      );
      this.reported.add(key);
    } catch (error) {
      this.logger.error(`could not record the error run of action ${row.id}: ${(error as Error).message}`);
    }
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'auditstack-engine-listen' });
    const retry = (why: string): void => {
      if (this.stopped || this.listener !== client) return;
      this.listener = null;
      this.logger.warn(`LISTEN ${ACTIONS_CHANNEL} lost (${why}); reconnecting`);
      client.end().catch(() => undefined);
      setTimeout(() => {
        void this.listen()
          .then(() => this.reconcileAll())
          .catch(() => undefined);
      }, LISTEN_RETRY_MS);
    };
    client.on('error', (error) => retry(error.message));
    client.on('end', () => retry('connection ended'));
    client.on('notification', (message: Notification) => this.onNotification(message));
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${ACTIONS_CHANNEL}`);
    } catch (error) {
      retry((error as Error).message);
    }
  }

  private onNotification(message: Notification): void {
    if (this.stopped || message.channel !== ACTIONS_CHANNEL || !message.payload) return;
    try {
      const payload = JSON.parse(message.payload) as { id?: unknown };
      if (typeof payload.id === 'string') this.pendingIds.add(payload.id);
    } catch {
      return;
    }
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      const ids = this.pendingIds;
      this.pendingIds = new Set();
      this.reconcileIds(ids).catch(() => undefined);
    }, NOTIFY_DEBOUNCE_MS);
  }
}
