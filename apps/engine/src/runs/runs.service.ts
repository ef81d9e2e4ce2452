import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Pool } from 'pg';
import { z } from 'zod';
import { RunStatusSchema, UtcTimestampSchema, UuidSchema, named, type Run } from '@auditstack/audit-core';
import { ENGINE_PG } from '../database/engine-pg.util';
import { badRequest } from '../database/pg-errors.util';

/** Query of `GET /v1/runs`. `from`/`to` bound `started_at` (from inclusive, to exclusive). */
export const RunListQuerySchema = z.strictObject({
  project_id: UuidSchema.optional(),
  action_id: UuidSchema.optional(),
  status: RunStatusSchema.optional(),
  from: UtcTimestampSchema.optional(),
  to: UtcTimestampSchema.optional(),
  /** @defaultValue 50 */
  limit: z.coerce.number(named('must be an integer between 1 and 500')).int().min(1).max(500).default(50),
  /** Opaque cursor from `next_cursor` of the previous page. */
  cursor: z.string(named('must be a cursor returned by a previous page')).max(200).optional(),
});
export type RunListQuery = z.output<typeof RunListQuerySchema>;

export interface RunPage {
  items: Run[];
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  next_cursor: string | null;
}

const COLUMNS = `id, scheduled_at, job_id, action_id, project_id, action_type, trigger, status, message, output,
  started_at, finished_at, duration_ms, ledger_seq`;

function encodeCursor(run: { started_at: Date; id: string }): string {
  return Buffer.from(`${run.started_at.toISOString()}|${run.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { startedAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const startedAt = new Date(at ?? '');
  if (!id || Number.isNaN(startedAt.getTime()) || !UuidSchema.safeParse(id).success) throw badRequest(['cursor: must be a cursor returned by a previous page']);
  return { startedAt, id };
}

/** Run history, newest first, with keyset pagination on (started_at, id). */
@Injectable()
export class RunsService {
  constructor(@Inject(ENGINE_PG) private readonly pool: Pool) {}

  async list(query: RunListQuery): Promise<RunPage> {
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
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      params.push(cursor.startedAt, cursor.id);
      where.push(`(started_at, id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(query.limit + 1);
    const { rows } = await this.pool.query<Run>(
      `SELECT ${COLUMNS} FROM audit.runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY started_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return { items, next_cursor: rows.length > query.limit && last ? encodeCursor(last) : null };
  }

  async get(id: string): Promise<Run> {
    const { rows } = await this.pool.query<Run>(`SELECT ${COLUMNS} FROM audit.runs WHERE id = $1`, [id]);
    if (!rows[0]) throw new NotFoundException(`run ${id} not found`);
    return rows[0];
  }
}
