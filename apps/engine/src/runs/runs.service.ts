import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { ENGINE_ROUTES, Run, RouteQuery } from '@auditstack/audit-core';
import { ENGINE_PG } from '../database/engine-pg.util';
import { EngineError } from '../engine.errors';

/** Query of `GET /v1/runs` (parsed by the contract). */
export type RunListQuery = RouteQuery<typeof ENGINE_ROUTES.listRuns>;

/** Where a page of runs starts: after (older than) this run. */
export interface RunPosition {
  /** `started_at` in microseconds since the epoch, as a decimal string (PostgreSQL keeps microseconds; a JS Date does not). */
  started_us: string;
  id: string;
}

const COLUMNS = `id, scheduled_at, job_id, action_id, project_id, action_type, trigger, status, message, output,
  started_at, finished_at, duration_ms, ledger_seq`;

/** Run history, newest first, with keyset pagination on (started_at, id). */
@Injectable()
export class RunsService {
  constructor(@Inject(ENGINE_PG) private readonly pool: Pool) {}

  async list(query: Omit<RunListQuery, 'cursor'>, after: RunPosition | null): Promise<{ items: Run[]; next_cursor: RunPosition | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.project_id) add('project_id = ?', query.project_id);
    if (query.action_id) add('action_id = ?', query.action_id);
    if (query.status) add('status = ?', query.status);
    if (query.from) add('started_at >= ?', query.from);
    if (query.to) add('started_at < ?', query.to);
    if (after) {
      params.push(after.started_us, after.id);
      where.push(`(started_at, id) < ('epoch'::timestamptz + $${params.length - 1}::bigint * interval '1 microsecond', $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    const { rows } = await this.pool.query<Run & { started_us: string }>(
      `SELECT ${COLUMNS}, (extract(epoch FROM started_at) * 1000000)::bigint::text AS started_us
       FROM audit.runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY started_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return { items, next_cursor: rows.length > query.limit && last ? { started_us: last.started_us, id: last.id } : null };
  }

  async get(id: string): Promise<Run> {
    const { rows } = await this.pool.query<Run>(`SELECT ${COLUMNS} FROM audit.runs WHERE id = $1`, [id]);
    if (!rows[0]) throw new EngineError('RUN_NOT_FOUND', `run ${id} not found`);
    return rows[0];
  }
}
