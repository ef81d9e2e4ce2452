import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Pool } from 'pg';
import { RUN_ERROR_CODES } from '@auditstack/audit-core';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine.config';
import { ENGINE_PG } from '../database/engine-pg.util';
import { ActionRegistry } from '../actions/action-registry.service';
import { EngineMetrics } from '../metrics/engine-metrics.service';
import { firingJobId } from '../queue/check-queue.util';
import { RunWriter } from '../runs/run-writer.repository';
import { firingsBetween, missedMessage, planMissed, type MissedRecord } from './missed-firing.util';
import { normaliseSchedule, scheduleProblem } from './schedule.util';

/** Session advisory lock held by the one replica scanning at a time (a constant, distinct from the ledger's). */
const SCAN_LOCK_KEY = 7_245_116_302;
/** Expected firings computed per action and scan, at most (sub-minute schedules over long windows). */
const MAX_FIRINGS_PER_SCAN = 100_000;
/** Firing keys looked up per query. */
const LOOKUP_CHUNK = 5_000;

interface ActiveAction {
  id: string;
  project_id: string;
  action_type: string;
  schedule: string;
  timeout_ms: number;
  updated_at: Date;
}

/** What one scan recorded (for logs and tests). */
export interface MissedScanResult {
  actions: number;
  firings: number;
  runs: number;
}

/**
 * Faults leave traces, not gaps: a scheduled firing that produced no run
 * (PostgreSQL or Redis down, every engine stopped) is recorded after
 * recovery as an `error` run whose message starts with "missed: ".
 *
 * Every `ENGINE_MISSED_SCAN_SECONDS` one replica (a PostgreSQL advisory lock)
 * compares each active action's cron firings in a window with the runs
 * stored for them; a firing older than `ENGINE_MISSED_GRACE_SECONDS` plus the
 * action's timeout with no run is missed. At most `ENGINE_MISSED_MAX_PER_ACTION`
 * are recorded one by one per scan, then one run summarises the rest. Each
 * trace is stored under the firing's own key (`repeat:<action>:<ms>`,
 * `scheduled_at` = firing time), exactly like the run the firing would have
 * written: never two runs for one firing, across replicas and restarts.
 *
 * The window starts `ENGINE_MISSED_LOOKBACK_SECONDS` back at boot, then just
 * before the previous successful scan's end (a failed scan, e.g. while
 * PostgreSQL is down, does not move it), and never before the action's last
 * change (a paused or rescheduled action misses nothing).
 */
@Injectable()
export class MissedFiringService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MissedFiringService.name);
  /** End of this process's last successful scan (ms); null until the first. */
  private scannedTo: number | null = null;
  private running: Promise<MissedScanResult | null> | null = null;
  private stopped = false;

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: Readonly<EngineConfig>,
    @Inject(ENGINE_PG) private readonly pool: Pool,
    private readonly registry: ActionRegistry,
    private readonly writer: RunWriter,
    private readonly metrics: EngineMetrics,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const timer = setInterval(() => void this.scan().catch(() => undefined), this.config.ENGINE_MISSED_SCAN_SECONDS * 1000);
    this.scheduler.addInterval('engine-missed-firings', timer);
    // The first scan right after boot covers a fleet-wide stop or an outage that ended while this engine was down.
    setImmediate(() => void this.scan().catch(() => undefined));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  /** One scan (a scan already running in this process is awaited instead); null when another replica holds the lock. */
  scan(now = Date.now()): Promise<MissedScanResult | null> {
    if (this.stopped) return Promise.resolve(null);
    this.running ??= this.doScan(now)
      .catch((error: unknown) => {
        this.logger.warn(`missed-firing scan failed (retried in ${this.config.ENGINE_MISSED_SCAN_SECONDS}s): ${(error as Error).message}`);
        throw error;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async doScan(now: number): Promise<MissedScanResult | null> {
    const client = await this.pool.connect();
    let locked = false;
    try {
      locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [SCAN_LOCK_KEY])).rows[0]?.ok === true;
      if (!locked) return null;
      const graceMs = this.config.ENGINE_MISSED_GRACE_SECONDS * 1000;
      const cutoff = now - graceMs;
      const from = this.scannedTo !== null ? this.scannedTo - graceMs : now - this.config.ENGINE_MISSED_LOOKBACK_SECONDS * 1000;
      const result = await this.scanWindow(from, cutoff);
      this.scannedTo = Math.max(this.scannedTo ?? cutoff, cutoff);
      if (result.runs > 0) {
        this.logger.warn(`recorded ${result.runs} missed-firing run(s) for ${result.firings} firing(s) of ${result.actions} action(s)`);
      }
      return result;
    } finally {
      if (locked) await client.query('SELECT pg_advisory_unlock($1::bigint)', [SCAN_LOCK_KEY]).catch(() => undefined);
      client.release();
    }
  }

  private async scanWindow(from: number, cutoff: number): Promise<MissedScanResult> {
    const { rows } = await this.pool.query<ActiveAction>(
      "SELECT id, project_id, action_type, schedule, timeout_ms, updated_at FROM audit.actions WHERE status = 'active'",
    );
    const expected = new Map<ActiveAction, { times: number[]; capped: boolean }>();
    for (const action of rows) {
      // Unknown types and invalid schedules get their own error run from the schedule sync.
      if (!this.registry.has(action.action_type) || scheduleProblem(action.schedule, this.config.ENGINE_ALLOW_SECOND_SCHEDULES)) continue;
      // The previous scan stopped `timeout_ms` before its end for this action: start that much earlier.
      const after = Math.max(from - action.timeout_ms, new Date(action.updated_at).getTime());
      const until = cutoff - action.timeout_ms;
      const firings = firingsBetween(normaliseSchedule(action.schedule), after, until, MAX_FIRINGS_PER_SCAN);
      if (firings.times.length > 0) expected.set(action, firings);
    }
    if (expected.size === 0) return { actions: 0, firings: 0, runs: 0 };
    const stored = await this.storedFirings([...expected].flatMap(([action, f]) => f.times.map((ms) => [action.id, ms] as const)));
    const covered = await this.summaryRanges(
      [...expected.keys()].map((a) => a.id),
      from,
    );
    const result: MissedScanResult = { actions: 0, firings: 0, runs: 0 };
    for (const [action, firings] of expected) {
      const ranges = covered.get(action.id) ?? [];
      const missing = firings.times.filter((ms) => !stored.has(`${action.id}@${ms}`) && !ranges.some(([start, end]) => ms >= start && ms <= end));
      if (missing.length === 0) continue;
      result.actions++;
      result.firings += missing.length;
      for (const record of planMissed(missing, this.config.ENGINE_MISSED_MAX_PER_ACTION, firings.capped)) {
        if (await this.record(action, record)) result.runs++;
      }
    }
    return result;
  }

  /** `<action>@<ms>` of every firing in `firings` that has a run (by the unique firing key). */
  private async storedFirings(firings: ReadonlyArray<readonly [string, number]>): Promise<Set<string>> {
    const stored = new Set<string>();
    for (let i = 0; i < firings.length; i += LOOKUP_CHUNK) {
      const chunk = firings.slice(i, i + LOOKUP_CHUNK);
      const { rows } = await this.pool.query<{ action_id: string; scheduled_at: Date }>(
        `SELECT r.action_id, r.scheduled_at FROM audit.runs r
         JOIN unnest($1::text[], $2::timestamptz[]) AS f(job_id, scheduled_at) ON r.job_id = f.job_id AND r.scheduled_at = f.scheduled_at`,
        [chunk.map(([id, ms]) => firingJobId(id, ms)), chunk.map(([, ms]) => new Date(ms))],
      );
      for (const row of rows) stored.add(`${row.action_id}@${new Date(row.scheduled_at).getTime()}`);
    }
    return stored;
  }

  /** Ranges `[from, to]` (ms) already covered by summarising runs that reach into the window. */
  private async summaryRanges(actionIds: readonly string[], from: number): Promise<Map<string, Array<[number, number]>>> {
    const { rows } = await this.pool.query<{ action_id: string; from_ts: string; to_ts: string }>(
      `SELECT action_id, output->'missed'->>'from' AS from_ts, output->'missed'->>'to' AS to_ts FROM audit.runs
       WHERE action_id = ANY($1::uuid[]) AND status = 'error' AND output ? 'missed'
         AND scheduled_at >= $2::timestamptz AND (output->'missed'->>'to') >= $3`,
      [actionIds, new Date(from - this.config.ENGINE_MISSED_LOOKBACK_SECONDS * 1000), new Date(from).toISOString()],
    );
    const ranges = new Map<string, Array<[number, number]>>();
    for (const row of rows) {
      const list = ranges.get(row.action_id) ?? [];
      list.push([Date.parse(row.from_ts), Date.parse(row.to_ts)]);
      ranges.set(row.action_id, list);
    }
    return ranges;
  }

  /** Writes one trace; false when the firing already had a run (another replica, or the late job itself). */
  private async record(action: ActiveAction, record: MissedRecord): Promise<boolean> {
    const now = new Date();
    const message = missedMessage(record);
    const missed = { from: new Date(record.at).toISOString(), to: new Date(record.to).toISOString(), count: record.count, at_least: record.atLeast };
    const result = await this.writer.write({
      id: randomUUID(),
      scheduledAt: new Date(record.at),
      jobId: firingJobId(action.id, record.at),
      actionId: action.id,
      projectId: action.project_id,
      actionType: action.action_type,
      trigger: 'schedule',
      status: 'error',
      message,
      output: { checks: [], error: { code: RUN_ERROR_CODES.missed, message }, missed },
      checks: [],
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
    });
    if (result.written) this.metrics.runs.inc({ action_type: action.action_type, status: 'error' });
    return result.written;
  }
}
