import { Injectable } from '@nestjs/common';
import { queryEngineHours } from '@auditstack/audit-core/server';
import { ReadDbService } from '../storage/read-db.service';
import { keysetPage, SqlFilter } from './query-params.schema';

const COLUMNS = `event_id, ts, action, actor, product_id, user_id, engine_id, metadata, duration_ms, ledger_seq, to_json(ts)#>>'{}' AS ts_key`;

interface Row {
  event_id: string;
  ts: Date;
  action: string;
  actor: string;
  product_id: string | null;
  user_id: string | null;
  engine_id: string | null;
  metadata: Record<string, unknown>;
  duration_ms: number | null;
  ledger_seq: string | null;
  ts_key: string;
}

function present(r: Row): Record<string, unknown> {
  return {
    event_id: r.event_id,
    ts: r.ts.toISOString(),
    action: r.action,
    actor: r.actor,
    product_id: r.product_id,
    user_id: r.user_id,
    engine_id: r.engine_id,
    metadata: r.metadata,
    duration_ms: r.duration_ms,
    ledger_seq: r.ledger_seq === null ? null : Number(r.ledger_seq),
  };
}

export interface LifecycleFilters {
  engine_id?: string;
  user_id?: string;
  product_id?: string;
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

const hoursAgo = (h: number): Date => new Date(Date.now() - h * 3_600_000);

/** Lifecycle queries and the canned reports, in plain SQL over `audit.lifecycle_events`. */
@Injectable()
export class LifecycleQueryService {
  constructor(private readonly db: ReadDbService) {}

  /** Newest first, keyset-paginated on (ts, event_id). */
  async list(f: LifecycleFilters): Promise<Record<string, unknown>> {
    const q = new SqlFilter()
      .add('engine_id = ?', f.engine_id)
      .add('user_id = ?', f.user_id)
      .add('product_id = ?', f.product_id)
      .add('actor = ?', f.actor)
      .add('action = ?', f.action)
      .add('ts >= ?', f.from)
      .add('ts < ?', f.to);
    const { rows, nextCursor } = await keysetPage<Row>((sql, params) => this.db.query<Row>(sql, params), { table: 'audit.lifecycle_events', columns: COLUMNS }, q, f);
    return {
      items: rows.map(present),
      next_cursor: nextCursor,
      ...this.db.sourceInfo(),
    };
  }

  /** Recent activity of one engine, newest first. */
  async engineRecent(engineId: string, limit: number): Promise<Record<string, unknown>> {
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM audit.lifecycle_events WHERE engine_id = $1 ORDER BY ts DESC, event_id DESC LIMIT $2`, [engineId, limit]);
    return { engine_id: engineId, items: rows.map(present), ...this.db.sourceInfo() };
  }

  /** Provisions in the last hour, and per hour over the window (every hour listed, zeros included). */
  async provisions(windowHours: number, now = new Date()): Promise<Record<string, unknown>> {
    const [last] = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit.lifecycle_events WHERE action = 'provision' AND ts >= $1 AND ts <= $2`, [
      new Date(now.getTime() - 3_600_000),
      now,
    ]);
    const perHour = await this.db.query<{ hour: Date; provisions: string; denied: string }>(
      `WITH hours AS (
         SELECT generate_series(date_trunc('hour', $1::timestamptz), date_trunc('hour', $2::timestamptz), interval '1 hour') AS hour
       )
       SELECT h.hour,
              count(e.*) FILTER (WHERE e.action = 'provision') AS provisions,
              count(e.*) FILTER (WHERE e.action = 'provision_denied') AS denied
         FROM hours h
         LEFT JOIN audit.lifecycle_events e
           ON e.ts >= h.hour AND e.ts < h.hour + interval '1 hour' AND e.ts >= $1 AND e.ts <= $2 AND e.action IN ('provision', 'provision_denied')
        GROUP BY h.hour ORDER BY h.hour`,
      [new Date(now.getTime() - windowHours * 3_600_000), now],
    );
    return {
      window_hours: windowHours,
      last_hour: Number(last?.n ?? 0),
      per_hour: perHour.map((r) => ({ hour: r.hour.toISOString(), provisions: Number(r.provisions), denied: Number(r.denied) })),
      ...this.db.sourceInfo(),
    };
  }

  /** Engines with the most automatic restarts in the window. */
  async autoRestartHotspots(windowHours: number, limit: number): Promise<Record<string, unknown>> {
    const rows = await this.db.query<{ engine_id: string; product_id: string | null; starts: string; successes: string; failures: string; gave_up: string; last_at: Date }>(
      `SELECT engine_id, max(product_id) AS product_id,
              count(*) FILTER (WHERE action = 'auto_restart_start') AS starts,
              count(*) FILTER (WHERE action = 'auto_restart_success') AS successes,
              count(*) FILTER (WHERE action = 'auto_restart_failed') AS failures,
              count(*) FILTER (WHERE action = 'auto_restart_gave_up') AS gave_up,
              max(ts) AS last_at
         FROM audit.lifecycle_events
        WHERE action LIKE 'auto\\_restart\\_%' AND engine_id IS NOT NULL AND ts >= $1
        GROUP BY engine_id
        ORDER BY count(*) FILTER (WHERE action = 'auto_restart_start') DESC, count(*) DESC, engine_id
        LIMIT $2`,
      [hoursAgo(windowHours), limit],
    );
    return {
      window_hours: windowHours,
      engines: rows.map((r) => ({
        engine_id: r.engine_id,
        product_id: r.product_id,
        restarts: Number(r.starts),
        successes: Number(r.successes),
        failures: Number(r.failures),
        gave_up: Number(r.gave_up),
        last_at: r.last_at.toISOString(),
      })),
      ...this.db.sourceInfo(),
    };
  }

  /** Activity by actor in the window: events per actor and per action. */
  async byActor(windowHours: number): Promise<Record<string, unknown>> {
    const rows = await this.db.query<{ actor: string; action: string; n: string; last_at: Date }>(
      `SELECT actor, action, count(*) AS n, max(ts) AS last_at FROM audit.lifecycle_events WHERE ts >= $1 GROUP BY actor, action ORDER BY actor, action`,
      [hoursAgo(windowHours)],
    );
    const actors = new Map<string, { actor: string; events: number; last_at: string; by_action: Record<string, number> }>();
    for (const r of rows) {
      const a = actors.get(r.actor) ?? { actor: r.actor, events: 0, last_at: r.last_at.toISOString(), by_action: {} };
      a.events += Number(r.n);
      a.by_action[r.action] = Number(r.n);
      if (r.last_at.toISOString() > a.last_at) a.last_at = r.last_at.toISOString();
      actors.set(r.actor, a);
    }
    return { window_hours: windowHours, actors: [...actors.values()].sort((x, y) => y.events - x.events || x.actor.localeCompare(y.actor)), ...this.db.sourceInfo() };
  }

  /** One user's lifetime: first provision to destroy, every transition in order. */
  async userLifetime(userId: string, limit: number): Promise<Record<string, unknown>> {
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM audit.lifecycle_events WHERE user_id = $1 ORDER BY ts, event_id LIMIT $2`, [userId, limit + 1]);
    const items = rows.slice(0, limit);
    const first = items.find((r) => r.action === 'provision');
    const destroyed = [...items].reverse().find((r) => r.action === 'destroy');
    return {
      user_id: userId,
      first_provision_at: first ? first.ts.toISOString() : null,
      destroyed_at: destroyed ? destroyed.ts.toISOString() : null,
      engines: [...new Set(items.map((r) => r.engine_id).filter((e): e is string => e !== null))],
      transitions: items.map(present),
      truncated: rows.length > limit,
      ...this.db.sourceInfo(),
    };
  }

  /**
   * Engine-hours per product or user in [from, to): an engine runs from a
   * `start` or `wake` until its next `start`/`wake`/`stop`/`destroy` (or `to`),
   * clipped to the window; earlier history is read so an engine already
   * running at `from` counts from `from`.
   */
  async engineHours(groupBy: 'product' | 'user', from: Date, to: Date): Promise<Record<string, unknown>> {
    const key = groupBy === 'product' ? 'product_id' : 'user_id';
    // Shared with the finops digests (audit-core tool-digest.util).
    const rows = await queryEngineHours(<R>(text: string, params?: unknown[]) => this.db.query<R>(text, params), groupBy, from, to);
    return {
      group_by: groupBy,
      from: from.toISOString(),
      to: to.toISOString(),
      rows: rows.map((r) => ({ [key]: r.key, engine_hours: r.engine_hours, engines: r.engines })),
      ...this.db.sourceInfo(),
    };
  }
}
