import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { Gauge, type Registry } from 'prom-client';
import { CronExpressionParser } from 'cron-parser';
import { METRICS_REGISTRY } from '@auditstack/service-kit';
import { ENGINE_PG } from '../database/engine-pg.util';

interface ActionStateRow {
  id: string;
  action: string;
  project: string;
  schedule: string;
  last_run: number | null;
  failures: number;
}

/** Runs looked at when counting a failure streak (alerts fire at 3). */
const STREAK_WINDOW = 10;
/** A scrape reuses the state read by another scrape this recent. */
const STATE_TTL_MS = 1000;

/**
 * Per-action gauges for the alert rules (deploy/prometheus/alerts.yml), read
 * from the database at scrape time so every replica reports the same values:
 * `auditstack_engine_action_consecutive_failures`, `…_last_run_timestamp_seconds`
 * and `…_period_seconds`, labelled by project and action name, for active actions.
 */
@Injectable()
export class ActionMetrics {
  private readonly logger = new Logger(ActionMetrics.name);
  private state: { at: number; rows: Promise<ActionStateRow[]> } | null = null;
  private readonly periods = new Map<string, { schedule: string; seconds: number | null }>();

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(ENGINE_PG) private readonly pool: Pool,
  ) {
    const rows = (): Promise<ActionStateRow[]> => this.rows();
    const period = (row: ActionStateRow): number | null => this.periodOf(row);
    new Gauge({
      name: 'auditstack_engine_action_consecutive_failures',
      help: `Runs in a row (up to ${STREAK_WINDOW}) that did not pass, per active action.`,
      labelNames: ['project', 'action'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await rows()) this.set({ project: row.project, action: row.action }, row.failures);
      },
    });
    new Gauge({
      name: 'auditstack_engine_action_last_run_timestamp_seconds',
      help: 'Start time (Unix seconds) of the latest run, per active action that has run.',
      labelNames: ['project', 'action'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await rows()) if (row.last_run !== null) this.set({ project: row.project, action: row.action }, row.last_run);
      },
    });
    new Gauge({
      name: 'auditstack_engine_action_period_seconds',
      help: 'Seconds between two firings of the schedule, per active action.',
      labelNames: ['project', 'action'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await rows()) {
          const seconds = period(row);
          if (seconds !== null) this.set({ project: row.project, action: row.action }, seconds);
        }
      },
    });
  }

  private rows(): Promise<ActionStateRow[]> {
    const now = Date.now();
    if (this.state && now - this.state.at < STATE_TTL_MS) return this.state.rows;
    const rows = this.load().catch((error: unknown) => {
      this.logger.warn(`per-action metrics unavailable: ${(error as Error).message}`);
      return [];
    });
    this.state = { at: now, rows };
    return rows;
  }

  private async load(): Promise<ActionStateRow[]> {
    const { rows } = await this.pool.query<ActionStateRow>(
      `SELECT a.id, a.name AS action, p.name AS project, a.schedule,
              EXTRACT(EPOCH FROM l.started_at)::float8 AS last_run, COALESCE(f.failures, 0)::int AS failures
       FROM audit.actions a
       JOIN audit.projects p ON p.id = a.project_id
       LEFT JOIN LATERAL (SELECT started_at FROM audit.runs WHERE action_id = a.id ORDER BY started_at DESC LIMIT 1) l ON true
       LEFT JOIN LATERAL (
         SELECT count(*) AS failures FROM (
           SELECT bool_and(status <> 'pass') OVER (ORDER BY started_at DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS streak
           FROM (SELECT status, started_at FROM audit.runs WHERE action_id = a.id ORDER BY started_at DESC LIMIT ${STREAK_WINDOW}) r
         ) s WHERE streak
       ) f ON true
       WHERE a.status = 'active'`,
    );
    return rows;
  }

  /** Seconds between the next two firings (cached per schedule); null when the schedule is invalid. */
  private periodOf(row: ActionStateRow): number | null {
    const cached = this.periods.get(row.id);
    if (cached && cached.schedule === row.schedule) return cached.seconds;
    let seconds: number | null = null;
    try {
      const dates = CronExpressionParser.parse(row.schedule.trim().split(/\s+/).join(' '), { tz: 'UTC' }).take(2);
      if (dates[0] && dates[1]) seconds = (dates[1].getTime() - dates[0].getTime()) / 1000;
    } catch {
      seconds = null;
    }
    this.periods.set(row.id, { schedule: row.schedule, seconds });
    return seconds;
  }
}
