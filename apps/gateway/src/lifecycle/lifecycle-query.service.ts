import { Injectable } from '@nestjs/common';
import { GATEWAY_ROUTES, LIFECYCLE_ACTION, type LifecycleAction, type RouteQuery, type RouteResult, type StoredLifecycleEvent } from '@auditstack/audit-core';
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

type Result<K extends keyof typeof GATEWAY_ROUTES> = RouteResult<(typeof GATEWAY_ROUTES)[K]>;

function present(r: Row): Omit<StoredLifecycleEvent, 'ts'> & { ts: Date } {
  return {
    event_id: r.event_id,
    ts: r.ts,
    action: r.action as LifecycleAction,
    actor: r.actor,
    product_id: r.product_id,
    user_id: r.user_id,
    engine_id: r.engine_id,
    metadata: r.metadata,
    duration_ms: r.duration_ms,
    ledger_seq: r.ledger_seq === null ? null : Number(r.ledger_seq),
  };
}

/** The parsed query of `GET /v1/lifecycle-events`. */
export type LifecycleFilters = RouteQuery<typeof GATEWAY_ROUTES.listLifecycleEvents>;

const hoursAgo = (h: number): Date => new Date(Date.now() - h * 3_600_000);

/** Lifecycle queries and the canned reports, in plain SQL over `audit.lifecycle_events`. */
@Injectable()
export class LifecycleQueryService {
  constructor(private readonly db: ReadDbService) {}

  /** Newest first, keyset-paginated on (ts, event_id). */
  async list(f: LifecycleFilters): Promise<Result<'listLifecycleEvents'>> {
    const q = new SqlFilter()
      .add('engine_id = ?', f.engine_id)
      .add('user_id = ?', f.user_id)
      .add('product_id = ?', f.product_id)
      .add('actor = ?', f.actor)
      .add('action = ?', f.action)
      .add('ts >= ?', f.from)
      .add('ts < ?', f.to);
    const { rows, nextCursor } = await keysetPage<Row>(
      (sql, params) => this.db.query<Row>(sql, params),
      { table: 'audit.lifecycle_events', columns: COLUMNS },
      q,
      f,
    );
    return { items: rows.map(present), next_cursor: nextCursor, ...this.db.sourceInfo() };
  }

  /** Recent activity of one engine, newest first, keyset-paginated. */
  async engineRecent(engineId: string, page: { limit: number; cursor?: string | undefined }): Promise<Result<'engineRecentActivity'>> {
    const q = new SqlFilter().add('engine_id = ?', engineId);
    const { rows, nextCursor } = await keysetPage<Row>(
      (sql, params) => this.db.query<Row>(sql, params),
      { table: 'audit.lifecycle_events', columns: COLUMNS },
      q,
      page,
    );
    return { engine_id: engineId, items: rows.map(present), next_cursor: nextCursor, ...this.db.sourceInfo() };
  }

  /** Provisions in the last hour, and per hour over the window (every hour listed, zeros included; not paged). */
  async provisions(windowHours: number, now = new Date()): Promise<Result<'provisionsReport'>> {
    const [last] = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit.lifecycle_events WHERE action = $3 AND ts >= $1 AND ts <= $2`, [
      new Date(now.getTime() - 3_600_000),
      now,
      LIFECYCLE_ACTION.provision,
    ]);
    const perHour = await this.db.query<{ hour: Date; provisions: string; denied: string }>(
      `WITH hours AS (
         SELECT generate_series(date_trunc('hour', $1::timestamptz), date_trunc('hour', $2::timestamptz), interval '1 hour') AS hour
       )
       SELECT h.hour,
              count(e.*) FILTER (WHERE e.action = $3) AS provisions,
              count(e.*) FILTER (WHERE e.action = $4) AS denied
         FROM hours h
         LEFT JOIN audit.lifecycle_events e
           ON e.ts >= h.hour AND e.ts < h.hour + interval '1 hour' AND e.ts >= $1 AND e.ts <= $2 AND e.action IN ($3, $4)
        GROUP BY h.hour ORDER BY h.hour`,
      [new Date(now.getTime() - windowHours * 3_600_000), now, LIFECYCLE_ACTION.provision, LIFECYCLE_ACTION.provisionDenied],
    );
    return {
      window_hours: windowHours,
      last_hour: Number(last?.n ?? 0),
      items: perHour.map((r) => ({ hour: r.hour, provisions: Number(r.provisions), denied: Number(r.denied) })),
      next_cursor: null,
      ...this.db.sourceInfo(),
    };
  }

  /** Engines with the most automatic restarts in the window (top `limit`, not paged). */
  async autoRestartHotspots(windowHours: number, limit: number): Promise<Result<'autoRestartHotspots'>> {
    const rows = await this.db.query<{
      engine_id: string;
      product_id: string | null;
      starts: string;
      successes: string;
      failures: string;
      gave_up: string;
      last_at: Date;
    }>(
      `SELECT engine_id, max(product_id) AS product_id,
              count(*) FILTER (WHERE action = $3) AS starts,
              count(*) FILTER (WHERE action = $4) AS successes,
              count(*) FILTER (WHERE action = $5) AS failures,
              count(*) FILTER (WHERE action = $6) AS gave_up,
              max(ts) AS last_at
         FROM audit.lifecycle_events
        WHERE action IN ($3, $4, $5, $6) AND engine_id IS NOT NULL AND ts >= $1
        GROUP BY engine_id
        ORDER BY count(*) FILTER (WHERE action = $3) DESC, count(*) DESC, engine_id
        LIMIT $2`,
      [
        hoursAgo(windowHours),
        limit,
        LIFECYCLE_ACTION.autoRestartStart,
        LIFECYCLE_ACTION.autoRestartSuccess,
        LIFECYCLE_ACTION.autoRestartFailed,
        LIFECYCLE_ACTION.autoRestartGaveUp,
      ],
    );
    return {
      window_hours: windowHours,
      items: rows.map((r) => ({
        engine_id: r.engine_id,
        product_id: r.product_id,
        restarts: Number(r.starts),
        successes: Number(r.successes),
        failures: Number(r.failures),
        gave_up: Number(r.gave_up),
        last_at: r.last_at,
      })),
      next_cursor: null,
      ...this.db.sourceInfo(),
    };
  }

  /** Activity by actor in the window: events per actor and per action, busiest first (not paged). */
  async byActor(windowHours: number): Promise<Result<'actorActivity'>> {
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
    return {
      window_hours: windowHours,
      items: [...actors.values()].sort((x, y) => y.events - x.events || x.actor.localeCompare(y.actor)),
      next_cursor: null,
      ...this.db.sourceInfo(),
    };
  }

  /** One user's lifetime: first provision to destroy, every transition in order (first `limit`, not paged). */
  async userLifetime(userId: string, limit: number): Promise<Result<'userLifetime'>> {
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM audit.lifecycle_events WHERE user_id = $1 ORDER BY ts, event_id LIMIT $2`, [
      userId,
      limit + 1,
    ]);
    const items = rows.slice(0, limit);
    const first = items.find((r) => r.action === LIFECYCLE_ACTION.provision);
    const destroyed = [...items].reverse().find((r) => r.action === LIFECYCLE_ACTION.destroy);
    return {
      user_id: userId,
      first_provision_at: first ? first.ts : null,
      destroyed_at: destroyed ? destroyed.ts : null,
      engines: [...new Set(items.map((r) => r.engine_id).filter((e): e is string => e !== null))],
      items: items.map(present),
      next_cursor: null,
      truncated: rows.length > limit,
      ...this.db.sourceInfo(),
    };
  }

  /**
   * Engine-hours per product or user in [from, to): an engine runs from a
   * `start` or `wake` until its next `start`/`wake`/`stop`/`destroy` (or `to`),
   * clipped to the window; earlier history is read so an engine already
   * running at `from` counts from `from` (not paged).
   */
  async engineHours(groupBy: 'product' | 'user', from: Date, to: Date): Promise<Result<'engineHours'>> {
    // Shared with the finops digests (audit-core tool-digest.util).
    const rows = await queryEngineHours(<R>(text: string, params?: unknown[]) => this.db.query<R>(text, params), groupBy, from, to);
    return {
      group_by: groupBy,
      from,
      to,
      items: rows.map((r) => ({ ...(groupBy === 'product' ? { product_id: r.key } : { user_id: r.key }), engine_hours: r.engine_hours, engines: r.engines })),
      next_cursor: null,
      ...this.db.sourceInfo(),
    };
  }
}
